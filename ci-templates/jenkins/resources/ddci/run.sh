#!/bin/sh
# resources/ddci/run.sh — the shell step of every ddci* step in this Jenkins
# shared library (vars/ddciRun.groovy passes it to `sh`).
#
# The command line arrives as data in the environment, never interpolated into
# shell text: DDCI_TOOL (ddci-deploy, ...), DDCI_NARGS and DDCI_ARG_1..N.
# DD_API_KEY / DD_APP_KEY come from withCredentials; the Jenkins variables
# (GIT_COMMIT, GIT_BRANCH, GIT_URL, BUILD_URL, CHANGE_ID, CHANGE_TARGET, ...)
# are read by ddci itself. With DDCI_STDOUT_FILE set, the tool's stdout is
# also kept in that file.
set -eu

case "${DDCI_TOOL:-}" in
ddci-*) ;;
*)
	echo "ddci: DDCI_TOOL must name a ddci executable, not '${DDCI_TOOL:-}'" >&2
	exit 2
	;;
esac
case "${DDCI_NARGS:-0}" in
'' | *[!0-9]*)
	echo "ddci: DDCI_NARGS must be a number" >&2
	exit 2
	;;
esac
if ! command -v "$DDCI_TOOL" >/dev/null 2>&1; then
	echo "ddci: $DDCI_TOOL is not on PATH on this agent; install ddci (make install) or add its bin directory to PATH" >&2
	exit 2
fi

n="${DDCI_NARGS:-0}"
i=0
arg=
set --
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	# $i is a number: this only reads the variable DDCI_ARG_<i>
	eval "arg=\${DDCI_ARG_$i-}"
	set -- "$@" "$arg"
done
# DDCI_STDOUT_FILE: also keep what the tool printed (e.g. the deployment id).
if [ -z "${DDCI_STDOUT_FILE:-}" ]; then
	exec "$DDCI_TOOL" "$@"
fi
rc=0
"$DDCI_TOOL" "$@" >"$DDCI_STDOUT_FILE" || rc=$?
cat "$DDCI_STDOUT_FILE"
exit "$rc"
