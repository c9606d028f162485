#!/usr/bin/env bash
# tests/report/run.sh — the report tests' browser tools (report-screens.bats).
#   run.sh install                      npm ci once per package-lock.json (no browser download)
#   run.sh screens OUTDIR PAGE.html...  screens.js: every page at 1200/390 px, light/dark/CSP
#   run.sh mermaid OUTDIR FILE.md...    every ```mermaid block rendered by mermaid-cli
# Chromium is Debian's (/usr/bin/chromium, tests/deps.sh test installs it;
# CHROMIUM overrides).  Exit 77 when npm, the registry or Chromium is not
# available (the caller skips, or fails in CI).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
stamp="$here/node_modules/.ddci-lock-sha"

ready() {
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)" ] &&
		[ -x "$here/node_modules/.bin/mmdc" ] && [ -d "$here/node_modules/puppeteer" ]
}

install() {
	ready && return 0
	command -v npm >/dev/null 2>&1 || { echo "npm is not installed (tests/deps.sh test installs it)" >&2; return 77; }
	exec 9>"$here/.install.lock"
	flock 9
	ready && return 0
	echo "installing mermaid-cli and puppeteer into tests/report/node_modules (npm ci)" >&2
	if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >"$here/.install.log" 2>&1; then
		tail -n 20 "$here/.install.log" >&2
		echo "npm ci failed (is the npm registry reachable?)" >&2
		return 77
	fi
	sha256sum "$here/package-lock.json" | cut -d' ' -f1 >"$stamp"
}

need_browser() {
	[ -x "$CHROMIUM" ] || { echo "no Chromium at $CHROMIUM (tests/deps.sh test installs it)" >&2; exit 77; }
	install || exit $?
}

cmd="${1:-}"
shift || true
case "$cmd" in
install) install ;;
screens)
	need_browser
	exec node "$here/screens.js" "$@"
	;;
mermaid)
	need_browser
	exec "$here/mermaid.sh" "$@"
	;;
*) echo "usage: run.sh install|screens|mermaid ..." >&2; exit 2 ;;
esac
