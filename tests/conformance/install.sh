#!/usr/bin/env bash
# tests/conformance/install.sh — install the conformance test's tools
# (Stoplight Prism, js-yaml) into tests/conformance/node_modules with
# `npm ci`, once per package-lock.json (tests/npm-install.sh).  Only the npm
# registry is needed.  Exit 0 when ready, 1 when npm (or the registry) is
# unavailable; the reason is on stderr.
#   tests/conformance/install.sh            install if needed
#   tests/conformance/install.sh --check    only say whether they are installed
here=$(dirname "$0")
exec "$here/../npm-install.sh" "$here" "the conformance test tools" "$@" -- \
	node_modules/.bin/prism node_modules/js-yaml/package.json
