#!/bin/sh
# resources/ddci/run.sh — the shell step of every ddci* step in this Jenkins
# shared library (vars/ddciRun.groovy passes it to `sh`).
#
# The command line arrives in the file DDCI_ARGS_FILE, written by ddciRun
# with writeFile: DDCI_TOOL='ddci-...', optionally DDCI_STDOUT_FILE='...', and
# `set -- 'arg' ...`, every value a single-quoted shell word, so nothing in it
# is expanded (not by Jenkins' withEnv, not by this shell). DD_API_KEY /
# DD_APP_KEY come from withCredentials; the Jenkins variables (GIT_COMMIT,
# GIT_BRANCH, GIT_URL, BUILD_URL, CHANGE_ID, CHANGE_TARGET, ...) are read by
# ddci itself. With DDCI_STDOUT_FILE set, the tool's stdout is also kept in
# that file.
set -eu

if [ -z "${DDCI_ARGS_FILE:-}" ] || [ ! -f "$DDCI_ARGS_FILE" ]; then
	echo "ddci: DDCI_ARGS_FILE must name the argument file written by ddciRun" >&2
	exit 2
fi
DDCI_TOOL=
DDCI_STDOUT_FILE=
# shellcheck disable=SC1090 # written by ddciRun: assignments of quoted words
. "$DDCI_ARGS_FILE"
rm -f "$DDCI_ARGS_FILE"

case "$DDCI_TOOL" in
ddci-[a-z]*) ;;
*)
	echo "ddci: DDCI_TOOL must name a ddci executable, not '$DDCI_TOOL'" >&2
	exit 2
	;;
esac
case "$DDCI_TOOL" in
*[!a-z-]*)
	echo "ddci: DDCI_TOOL must name a ddci executable, not '$DDCI_TOOL'" >&2
	exit 2
	;;
esac
if ! command -v "$DDCI_TOOL" >/dev/null 2>&1; then
	echo "ddci: $DDCI_TOOL is not on PATH on this agent; install ddci (the .deb, make install, or the ddci image as a docker agent) or add its bin directory to PATH" >&2
	exit 2
fi

if [ -z "$DDCI_STDOUT_FILE" ]; then
	exec "$DDCI_TOOL" "$@"
fi
rc=0
"$DDCI_TOOL" "$@" >"$DDCI_STDOUT_FILE" || rc=$?
cat "$DDCI_STDOUT_FILE"
exit "$rc"
