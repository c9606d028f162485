# tests/ci/lib.bash — helpers for the CI-integration bats tests
# (actions.bats, gitlab.bats, jenkins.bats). Load after ../lib/common.

CI_TOOLS="$DDCI_ROOT/tests/ci"

# ci_tools_or_skip — install the npm tools once (tests/ci/install.sh) or skip
# the test with the reason when npm or its registry is unavailable.
ci_tools_or_skip() {
	if ! "$CI_TOOLS/install.sh" --check; then
		local why
		why=$("$CI_TOOLS/install.sh" 2>&1 >/dev/null) || skip "npm tools unavailable: $(tail -n 1 <<<"$why")"
	fi
	export PATH="$CI_TOOLS/node_modules/.bin:$PATH"
}
