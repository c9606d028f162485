#!/usr/bin/env bash
# actions/deploy/run.sh — the deploy action's step: inputs arrive as INPUT_*
# environment variables (see action.yml), never interpolated into this script.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "${GITHUB_ACTION_PATH:-$(dirname "$0")}/../lib/common.sh"

ddci_action_connection
ddci_action_common
ddci_action_opt --service "${INPUT_SERVICE:-}"
ddci_action_opt --env "${INPUT_ENV:-}"
ddci_action_opt --service-version "${INPUT_SERVICE_VERSION:-}"
# GitHub does not tell when a job started: the setup action records it.
ddci_action_opt --started-at "${INPUT_STARTED_AT:-${DDCI_JOB_STARTED_AT:-}}"
ddci_action_opt --finished-at "${INPUT_FINISHED_AT:-}"
ddci_action_opt --team "${INPUT_TEAM:-}"
ddci_action_opt --id "${INPUT_ID:-}"
ddci_action_opt --commit-sha "${INPUT_COMMIT_SHA:-}"
ddci_action_opt --repository-url "${INPUT_REPOSITORY_URL:-}"
ddci_action_opt --remediates "${INPUT_REMEDIATES:-}"
ddci_action_list --tag "${INPUT_TAGS:-}"
ddci_action_flag --no-git no-git "${INPUT_NO_GIT:-false}"
ddci_action_opt --spool "${INPUT_SPOOL_DIR:-}"
ddci_action_flag --no-fail no-fail "${INPUT_NO_FAIL:-false}"

rc=0
ddci_action_exec ddci-deploy || rc=$?
if [ "$rc" -eq 0 ] && [ -n "$DDCI_STDOUT" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -z "${DDCI_DRY_RUN:-}" ]; then
	tick='`'
	printf '### Datadog deployment\n\n%s recorded for service %s%s.\n' \
		"$tick$DDCI_STDOUT$tick" "$tick${INPUT_SERVICE:-${DD_SERVICE:-?}}$tick" \
		"${INPUT_ENV:+ in $tick$INPUT_ENV$tick}" >>"$GITHUB_STEP_SUMMARY"
fi
exit "$rc"
