#!/usr/bin/env bash
# tests/conformance/install.sh — install the conformance test's tools
# (Stoplight Prism, js-yaml) into tests/conformance/node_modules with
# `npm ci`, once per package-lock.json.  Only the npm registry is needed.
# Exit 0 when ready, 1 when npm (or the registry) is unavailable; the reason
# is on stderr.
#   tests/conformance/install.sh            install if needed
#   tests/conformance/install.sh --check    only say whether they are installed
set -uo pipefail
cd "$(dirname "$0")" || exit 1
stamp=node_modules/.ddci-lock-sha

ready() {
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sha256sum package-lock.json | cut -d' ' -f1)" ] &&
		[ -x node_modules/.bin/prism ] && [ -f node_modules/js-yaml/package.json ]
}

[ "${1:-}" = --check ] && { ready; exit; }
ready && exit 0
command -v npm >/dev/null 2>&1 || { echo "npm is not installed (apt-get install nodejs npm, or tests/deps.sh test)" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "node is not installed (apt-get install nodejs)" >&2; exit 1; }

# One installer at a time; the others wait for it and reuse its result.
exec 9>"$PWD/.install.lock"
flock 9
ready && exit 0
log="$PWD/.install.log"
echo "installing the conformance test tools into tests/conformance/node_modules (npm ci)" >&2
if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "npm ci failed (is the npm registry reachable?)" >&2
	exit 1
fi
sha256sum package-lock.json | cut -d' ' -f1 >"$stamp"
