#!/usr/bin/env bash
# tests/ci/install.sh — install the CI-integration test tools (action-validator,
# gitlab-ci-local, js-yaml) into tests/ci/node_modules with `npm ci`, once per
# package-lock.json (tests/npm-install.sh). Only the npm registry is needed.
# gitlab-ci-local's native re2 dependency is replaced by tests/ci/re2-shim
# (package.json "overrides"), so nothing is compiled. Exit 0 when ready, 1
# when npm (or the registry) is unavailable; the reason is on stderr.
#   tests/ci/install.sh            install if needed
#   tests/ci/install.sh --check    only say whether they are installed
here=$(dirname "$0")
exec "$here/../npm-install.sh" "$here" "the CI test tools" "$@" -- \
	node_modules/.bin/gitlab-ci-local node_modules/.bin/action-validator node_modules/re2/index.js
