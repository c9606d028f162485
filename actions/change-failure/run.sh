#!/usr/bin/env bash
# actions/change-failure/run.sh — the change-failure action's step: inputs arrive as INPUT_*
# environment variables (see action.yml), never interpolated into this script.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "${GITHUB_ACTION_PATH:-$(dirname "$0")}/../lib/common.sh"

ddci_action_connection
ddci_action_common
ddci_action_opt --deployment-id "${INPUT_DEPLOYMENT_ID:-}"
ddci_action_flag --last last "${INPUT_LAST:-false}"
ddci_action_opt --commit "${INPUT_COMMIT:-}"
ddci_action_opt --service "${INPUT_SERVICE:-}"
ddci_action_opt --env "${INPUT_ENV:-}"
ddci_action_opt --remediation-id "${INPUT_REMEDIATION_ID:-}"
ddci_action_flag --remediated-by-current remediated-by-current "${INPUT_REMEDIATED_BY_CURRENT:-false}"
ddci_action_opt --remediation-type "${INPUT_REMEDIATION_TYPE:-}"
ddci_action_opt --commit-sha "${INPUT_COMMIT_SHA:-}"
ddci_action_flag --clear clear "${INPUT_CLEAR:-false}"
ddci_action_flag --no-fail no-fail "${INPUT_NO_FAIL:-false}"

rc=0
ddci_action_exec ddci-change-failure || rc=$?
if [ "$rc" -eq 0 ] && [ -n "$DDCI_STDOUT" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -z "${DDCI_DRY_RUN:-}" ]; then
	fence='```'
	printf '### Datadog change failure\n\n%s\n%s\n%s\n' "$fence" "$DDCI_STDOUT" "$fence" >>"$GITHUB_STEP_SUMMARY"
fi
exit "$rc"
