#!/usr/bin/env bash
# actions/flaky-gate/run.sh — the flaky-gate action's step: inputs arrive as INPUT_*
# environment variables (see action.yml), never interpolated into this script.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "${GITHUB_ACTION_PATH:-$(dirname "$0")}/../lib/common.sh"

ddci_action_connection
ddci_action_common
ddci_action_opt --max-active "${INPUT_MAX_ACTIVE:-}"
ddci_action_opt --max-failure-rate "${INPUT_MAX_FAILURE_RATE:-}"
ddci_action_opt --max-new "${INPUT_MAX_NEW:-}"
ddci_action_flag --fail-on-changed fail-on-changed "${INPUT_FAIL_ON_CHANGED:-false}"
ddci_action_opt --max-lost-time "${INPUT_MAX_LOST_TIME:-}"
ddci_action_flag --include-quarantined include-quarantined "${INPUT_INCLUDE_QUARANTINED:-false}"
ddci_action_opt --base "${INPUT_BASE:-}"
ddci_action_opt --branch "${INPUT_BRANCH:-}"
ddci_action_flag --all-branches all-branches "${INPUT_ALL_BRANCHES:-false}"
ddci_action_opt --service "${INPUT_SERVICE:-}"
ddci_action_opt --env "${INPUT_ENV:-}"
ddci_action_opt --codeowner "${INPUT_CODEOWNER:-}"
ddci_action_opt --query "${INPUT_QUERY:-}"
ddci_action_opt --repository-id "${INPUT_REPOSITORY_ID:-}"
ddci_action_flag --fail-open fail-open "${INPUT_FAIL_OPEN:-false}"
ddci_action_opt --junit "${INPUT_JUNIT:-}"
ddci_action_opt --markdown "${INPUT_MARKDOWN:-}"

# The gate writes the step summary, its outputs and the annotations itself.
rc=0
ddci_action_exec ddci-flaky-gate || rc=$?
exit "$rc"
