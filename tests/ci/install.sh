#!/usr/bin/env bash
# tests/ci/install.sh — install the CI-integration test tools (action-validator,
# gitlab-ci-local, js-yaml) into tests/ci/node_modules with `npm ci`, once per
# package-lock.json. Only the npm registry is needed. gitlab-ci-local's native
# re2 dependency is replaced by tests/ci/re2-shim (package.json "overrides"),
# so nothing is compiled. Exit 0 when ready, 1 when npm (or the registry) is
# unavailable; the reason is on stderr.
#   tests/ci/install.sh            install if needed
#   tests/ci/install.sh --check    only say whether they are installed
set -uo pipefail
cd "$(dirname "$0")" || exit 1
stamp=node_modules/.ddci-lock-sha

ready() {
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sha256sum package-lock.json | cut -d' ' -f1)" ] &&
		[ -x node_modules/.bin/gitlab-ci-local ] && [ -x node_modules/.bin/action-validator ] &&
		[ -f node_modules/re2/index.js ]
}

[ "${1:-}" = --check ] && { ready; exit; }
ready && exit 0
command -v npm >/dev/null 2>&1 || { echo "npm is not installed (apt-get install nodejs npm)" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "node is not installed (apt-get install nodejs)" >&2; exit 1; }

# One installer at a time; the others wait for it and reuse its result.
exec 9>"$PWD/.install.lock"
flock 9
ready && exit 0
log="$PWD/.install.log"
echo "installing CI test tools into tests/ci/node_modules (npm ci)" >&2
if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "npm ci failed (is the npm registry reachable?)" >&2
	exit 1
fi
sha256sum package-lock.json | cut -d' ' -f1 >"$stamp"
