#!/usr/bin/env bash
# tests/npm-install.sh — install a test folder's npm tools into its
# node_modules with `npm ci`, once per package-lock.json (tests/ci and
# tests/conformance each call it from their install.sh).  Only the npm
# registry is needed.  Exit 0 when ready, 1 when npm (or the registry) is
# unavailable; the reason is on stderr.
#   tests/npm-install.sh DIR WHAT [--check] -- FILE...
# DIR holds package.json and package-lock.json; WHAT names the tools in
# the one line said while installing; FILE... (below DIR) must be there
# once installed, a node_modules/.bin/ one executable.  --check only says
# whether they are installed.
set -uo pipefail
dir=$1 what=$2
shift 2
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
[ "${1:-}" = -- ] && shift
cd "$dir" || exit 1
stamp=node_modules/.ddci-lock-sha

ready() {
	local f
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sha256sum package-lock.json | cut -d' ' -f1)" ] || return 1
	for f in "$@"; do
		case "$f" in
		node_modules/.bin/*) [ -x "$f" ] || return 1 ;;
		*) [ -f "$f" ] || return 1 ;;
		esac
	done
}

[ $check = 1 ] && { ready "$@"; exit; }
ready "$@" && exit 0
command -v npm >/dev/null 2>&1 || { echo "npm is not installed (apt-get install nodejs npm, or tests/deps.sh test)" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "node is not installed (apt-get install nodejs)" >&2; exit 1; }

# One installer at a time; the others wait for it and reuse its result.
exec 9>"$PWD/.install.lock"
flock 9
ready "$@" && exit 0
log="$PWD/.install.log"
echo "installing $what into $dir/node_modules (npm ci)" >&2
if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "npm ci failed (is the npm registry reachable?)" >&2
	exit 1
fi
sha256sum package-lock.json | cut -d' ' -f1 >"$stamp"
