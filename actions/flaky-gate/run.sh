#!/usr/bin/env bash
# actions/flaky-gate/run.sh — the flaky-gate action's step: inputs arrive as INPUT_*
# environment variables (see action.yml), never interpolated into this script.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "${GITHUB_ACTION_PATH:-$(dirname "$0")}/../lib/common.sh"

# ddci_action_change — --max-new / --fail-on-changed and the base they judge
# the change from: the base input; in a pull request the base branch (ddci
# reads GITHUB_BASE_REF); on a push the branch's tip before the push
# (github.event.before), else HEAD~1. With no base commit in the checkout
# (a shallow clone) the two checks are skipped with a warning and a summary
# line (without-base: skip), or the gate fails (without-base: fail).
ddci_action_change() {
	local want=false base="${INPUT_BASE:-}" why rc=0
	[ -n "${INPUT_MAX_NEW:-}" ] && want=true
	ddci_action_bool fail-on-changed "${INPUT_FAIL_ON_CHANGED:-false}" || rc=$?
	[ "$rc" -ne 2 ] || return 2
	[ "$rc" -ne 0 ] || want=true
	case "${INPUT_WITHOUT_BASE:-skip}" in
	skip | fail) ;;
	*) ddci_action_error "input 'without-base' must be skip or fail, not '${INPUT_WITHOUT_BASE:-}'" ;;
	esac
	if [ "$want" = false ] || [ -n "$base" ] || [ -n "${GITHUB_BASE_REF:-}" ]; then
		ddci_action_opt --base "$base"
	else
		for base in "${INPUT_EVENT_BEFORE:-}" HEAD~1 ""; do
			case "$base" in 0000000000000000000000000000000000000000) continue ;; esac
			[ -n "$base" ] && git -C "${INPUT_REPO:-.}" rev-parse -q --verify "$base^{commit}" >/dev/null 2>&1 && break
		done
		if [ -n "$base" ]; then
			echo "ddci: no pull request: judging the change from $base (the branch before this push)"
			ddci_action_opt --base "$base"
		else
			why="no base to judge the change from: not a pull request, and neither the commit before the push nor HEAD~1 is in the checkout (use fetch-depth: 0, or set base)"
			if [ "${INPUT_WITHOUT_BASE:-skip}" = fail ]; then
				ddci_action_error "$why" || :
				ddci_action_output gate_result failed
				[ -z "${GITHUB_STEP_SUMMARY:-}" ] || printf '### Flaky-test gate\n\nFailed: %s.\n' "$why" >>"$GITHUB_STEP_SUMMARY"
				exit 1
			fi
			printf '::warning title=ddci::%s: max-new and fail-on-changed were not checked\n' "$why"
			[ -z "${GITHUB_STEP_SUMMARY:-}" ] ||
				printf '> **max-new and fail-on-changed were not checked**: %s (without-base: skip).\n\n' "$why" >>"$GITHUB_STEP_SUMMARY"
			return 0
		fi
	fi
	ddci_action_opt --max-new "${INPUT_MAX_NEW:-}"
	ddci_action_flag --fail-on-changed fail-on-changed "${INPUT_FAIL_ON_CHANGED:-false}"
}

ddci_action_connection
ddci_action_common
ddci_action_opt --max-active "${INPUT_MAX_ACTIVE:-}"
ddci_action_opt --max-failure-rate "${INPUT_MAX_FAILURE_RATE:-}"
ddci_action_opt --max-lost-time "${INPUT_MAX_LOST_TIME:-}"
ddci_action_flag --include-quarantined include-quarantined "${INPUT_INCLUDE_QUARANTINED:-false}"
ddci_action_change
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
