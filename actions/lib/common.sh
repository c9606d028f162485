# actions/lib/common.sh — shared by the run.sh of every ddci action.
#
# The action.yml files pass each input to run.sh through `env:` as
# INPUT_<NAME> (never `${{ }}` inside the script), so a value is always data,
# never shell. run.sh builds the ddci command line in the DDCI_ARGS array with
# the helpers below and calls ddci_action_exec.
#
# Bash 3.2 compatible (macOS runners): no ${x,,}, mapfile, associative
# arrays or `local -n`; an array that may be empty is expanded as
# ${a[@]+"${a[@]}"} (bash < 4.4 calls "${a[@]}" of an empty array unbound
# under set -u).
# shellcheck shell=bash

DDCI_ARGS=()

# ddci_action_error MESSAGE — a workflow error annotation; returns 2. The
# message is escaped as workflow-command data (%, CR, LF), so an input quoted
# in it cannot start a command line of its own.
ddci_action_error() {
	local m="$1" cr=$'\r' nl=$'\n'
	m="${m//%/%25}"
	m="${m//$cr/%0D}"
	m="${m//$nl/%0A}"
	printf '::error title=ddci::%s\n' "$m"
	return 2
}

# ddci_action_mask VALUE — mask every line of VALUE in the workflow log.
ddci_action_mask() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		[ -n "$line" ] && printf '::add-mask::%s\n' "$line"
	done <<<"$1"
	return 0
}

# ddci_action_bool NAME VALUE — 0 for true, 1 for false, 2 (annotated) otherwise.
ddci_action_bool() {
	case "$2" in
	[Tt][Rr][Uu][Ee] | [Yy][Ee][Ss] | [Oo][Nn] | 1) return 0 ;;
	[Ff][Aa][Ll][Ss][Ee] | [Nn][Oo] | [Oo][Ff][Ff] | 0 | '') return 1 ;;
	esac
	ddci_action_error "input '$1' must be true or false, not '$2'"
}

# ddci_action_connection — keys, site and connection inputs into the
# environment ddci reads. Keys are masked before anything else runs.
ddci_action_connection() {
	if [ -n "${INPUT_API_KEY:-}" ]; then
		ddci_action_mask "$INPUT_API_KEY"
		export DD_API_KEY="$INPUT_API_KEY"
	fi
	if [ -n "${INPUT_APP_KEY:-}" ]; then
		ddci_action_mask "$INPUT_APP_KEY"
		export DD_APP_KEY="$INPUT_APP_KEY"
	fi
	unset INPUT_API_KEY INPUT_APP_KEY
	[ -n "${INPUT_SITE:-}" ] && export DD_SITE="$INPUT_SITE"
	[ -n "${INPUT_API_URL:-}" ] && export DDCI_API_URL="$INPUT_API_URL"
	[ -n "${INPUT_TIMEOUT:-}" ] && export DDCI_TIMEOUT="$INPUT_TIMEOUT"
	[ -n "${INPUT_RETRIES:-}" ] && export DDCI_RETRIES="$INPUT_RETRIES"
	local rc=0
	ddci_action_bool dry-run "${INPUT_DRY_RUN:-false}" || rc=$?
	case $rc in
	0) export DDCI_DRY_RUN=1 ;;
	2) return 2 ;;
	esac
	# GitHub does not enforce `required:` on composite actions: an unset
	# secret (or a pull request from a fork) arrives as an empty api-key.
	if [ -z "${DD_API_KEY:-}${DATADOG_API_KEY:-}${DD_API_KEY_FILE:-}${DDCI_DRY_RUN:-}" ]; then
		ddci_action_error "input 'api-key' is empty: pass api-key: \${{ secrets.DD_API_KEY }} and check that the secret exists and reaches this workflow (pull requests from forks get no secrets)"
		return 2
	fi
	return 0
}

# ddci_action_opt FLAG VALUE — add "FLAG VALUE" when VALUE is not empty.
ddci_action_opt() {
	[ -n "$2" ] && DDCI_ARGS+=("$1" "$2")
	return 0
}

# ddci_action_flag FLAG INPUT_NAME VALUE — add FLAG when VALUE is true.
ddci_action_flag() {
	local rc=0
	ddci_action_bool "$2" "$3" || rc=$?
	case $rc in
	0) DDCI_ARGS+=("$1") ;;
	2) return 2 ;;
	esac
	return 0
}

# ddci_action_list FLAG VALUE — one "FLAG item" per non-empty line of VALUE
# (items may also be separated by commas); surrounding blanks are trimmed.
ddci_action_list() {
	local flag="$1" line item
	local -a items
	while IFS= read -r line || [ -n "$line" ]; do
		IFS=',' read -r -a items <<<"$line"
		for item in ${items[@]+"${items[@]}"}; do
			item="${item#"${item%%[![:space:]]*}"}"
			item="${item%"${item##*[![:space:]]}"}"
			[ -n "$item" ] && DDCI_ARGS+=("$flag" "$item")
		done
	done <<<"$2"
	return 0
}

# ddci_action_common — the inputs every action has.
ddci_action_common() {
	ddci_action_opt --repo "${INPUT_REPO:-}"
	ddci_action_flag --verbose verbose "${INPUT_VERBOSE:-false}"
}

# ddci_action_tool NAME — set DDCI_TOOL to the executable to run:
# $DDCI_BIN_DIR/NAME when the setup action (or the user) set DDCI_BIN_DIR,
# else NAME from PATH.
ddci_action_tool() {
	if [ -n "${DDCI_BIN_DIR:-}" ] && [ -x "$DDCI_BIN_DIR/$1" ]; then
		DDCI_TOOL="$DDCI_BIN_DIR/$1"
	elif command -v "$1" >/dev/null 2>&1; then
		DDCI_TOOL="$1"
	else
		ddci_action_error "$1 is not installed: add a 'uses: <ddci>/actions/setup' step before this one"
		return 2
	fi
}

# ddci_action_output NAME VALUE — one step output (single line).
ddci_action_output() {
	local nl=$'\n'
	[ -n "${GITHUB_OUTPUT:-}" ] || return 0
	printf '%s=%s\n' "$1" "${2//$nl/ }" >>"$GITHUB_OUTPUT"
}

# ddci_action_exec TOOL — run TOOL with DDCI_ARGS; record its exit code as the
# exit-code output; return it. stdout is kept in DDCI_STDOUT (and shown).
ddci_action_exec() {
	local rc=0 out
	ddci_action_tool "$1" || return 2
	out=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ddci-out.XXXXXX")
	"$DDCI_TOOL" ${DDCI_ARGS[@]+"${DDCI_ARGS[@]}"} >"$out" || rc=$?
	cat "$out"
	# shellcheck disable=SC2034 # read by run.sh
	DDCI_STDOUT=$(cat "$out")
	rm -f "$out"
	ddci_action_output exit-code "$rc"
	return "$rc"
}
