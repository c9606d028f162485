#!/usr/bin/env bash
# actions/failrate-gate/run.sh — the failrate-gate action's step: inputs arrive as INPUT_*
# environment variables (see action.yml), never interpolated into this script.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "${GITHUB_ACTION_PATH:-$(dirname "$0")}/../lib/common.sh"

ddci_action_connection
ddci_action_common
ddci_action_opt --max-failure-rate "${INPUT_MAX_FAILURE_RATE:-}"
ddci_action_opt --from "${INPUT_FROM:-}"
ddci_action_opt --to "${INPUT_TO:-}"
ddci_action_opt --query "${INPUT_QUERY:-}"
ddci_action_opt --service "${INPUT_SERVICE:-}"
ddci_action_opt --env "${INPUT_ENV:-}"
ddci_action_opt --branch "${INPUT_BRANCH:-}"
ddci_action_opt --group-by "${INPUT_GROUP_BY:-}"
ddci_action_opt --group-limit "${INPUT_GROUP_LIMIT:-}"
ddci_action_opt --min-runs "${INPUT_MIN_RUNS:-}"
ddci_action_flag --require-data require-data "${INPUT_REQUIRE_DATA:-false}"
ddci_action_flag --trend trend "${INPUT_TREND:-false}"
ddci_action_opt --interval "${INPUT_INTERVAL:-}"
ddci_action_opt --repository-id "${INPUT_REPOSITORY_ID:-}"
ddci_action_flag --fail-open fail-open "${INPUT_FAIL_OPEN:-false}"
ddci_action_opt --junit "${INPUT_JUNIT:-}"
ddci_action_opt --markdown "${INPUT_MARKDOWN:-}"

# The gate writes the step summary, its outputs and the annotations itself.
rc=0
ddci_action_exec ddci-failrate-gate || rc=$?
exit "$rc"
