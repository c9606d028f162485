#!/usr/bin/env bats
# The GitHub Actions in actions/: action.yml validated by action-validator, the
# run.sh scripts shellcheck-clean and run as a runner would (tests/ci/gh-sim.js:
# inputs with their defaults, env: mapping, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY)
# against the fake Datadog.

bats_require_minimum_version 1.5.0
load '../lib/common'
load '../ci/lib'

setup_file() {
	"$DDCI_ROOT/tests/ci/install.sh" >&3 2>&1 || true
}

setup() {
	ddci_setup
	ci_tools_or_skip
	make_repo "$T/repo"
	cd "$T/repo"
	HEAD=$(git rev-parse HEAD)
	mkdir -p "$T/runner_temp"
	export GITHUB_ACTIONS=true CI=true RUNNER_OS=Linux RUNNER_TEMP="$T/runner_temp"
	export GITHUB_WORKSPACE="$T/repo" GITHUB_SHA="$HEAD" GITHUB_REF=refs/heads/main
	export GITHUB_REPOSITORY=acme/shop GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ID=4242
	export GITHUB_STEP_SUMMARY="$T/summary.md" GITHUB_ENV="$T/github_env" GITHUB_PATH="$T/github_path"
	: >"$GITHUB_STEP_SUMMARY"
	# the action gets its keys as inputs, like `with: api-key: ${{ secrets.DD_API_KEY }}`
	unset DD_API_KEY DD_APP_KEY DDCI_API_URL
}
teardown() { ddci_teardown; }

# action NAME INPUTS_JSON — run actions/NAME as a runner would; sets status,
# output (the step log) and OUT (the action's outputs as JSON).
action() {
	run --separate-stderr node "$CI_TOOLS/gh-sim.js" "$DDCI_ROOT/actions/$1" "$2" "$T/outputs.json"
	OUT=$(cat "$T/outputs.json" 2>/dev/null || echo '{}')
	echo "status=$status"
	echo "log: $output"
	echo "stderr: $stderr"
	echo "outputs: $OUT"
}

# keys JSON — JSON with the connection inputs added
keys() { jq -c --arg k "$FAKE_API_KEY" --arg a "$FAKE_APP_KEY" --arg u "$FAKE_URL" '. + {"api-key":$k,"app-key":$a,"api-url":$u}' <<<"$1"; }
# api_key JSON — the same without the app key (reporters that have no app-key input)
api_key() { jq -c --arg k "$FAKE_API_KEY" --arg u "$FAKE_URL" '. + {"api-key":$k,"api-url":$u}' <<<"$1"; }

@test "every action.yml passes action-validator" {
	n=0
	for f in "$DDCI_ROOT"/actions/*/action.yml; do
		run action-validator "$f"
		echo "$f: $output"
		[ "$status" -eq 0 ]
		n=$((n + 1))
	done
	[ "$n" -eq 6 ]
}

@test "every example workflow passes action-validator" {
	n=0
	for f in "$DDCI_ROOT"/actions/examples/*.yml; do
		run action-validator "$f"
		echo "$f: $output"
		[ "$status" -eq 0 ]
		n=$((n + 1))
	done
	[ "$n" -ge 4 ]
}

@test "every run.sh is shellcheck-clean" {
	cd "$DDCI_ROOT/actions"
	run shellcheck -x -- */run.sh lib/common.sh
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "inputs reach the scripts only through env: (no \${{ }} in run:) and every input is passed" {
	node -e '
		const yaml = require(process.argv[1]), fs = require("fs");
		for (const f of process.argv.slice(2)) {
			const y = yaml.load(fs.readFileSync(f, "utf8"));
			const used = new Set();
			for (const s of y.runs.steps) {
				if (s.run && s.run.includes("${{")) throw new Error(f + ": ${{ }} in run:");
				for (const v of Object.values(s.env || {})) for (const m of String(v).matchAll(/inputs\.([a-z0-9-]+)/g)) used.add(m[1]);
				if (s.if) for (const m of String(s.if).matchAll(/inputs\.([a-z0-9-]+)/g)) used.add(m[1]);
			}
			for (const i of Object.keys(y.inputs || {})) if (!used.has(i)) throw new Error(f + ": input " + i + " is not passed");
			for (const [k, v] of Object.entries(y.inputs || {})) if (!v.description) throw new Error(f + ": " + k + " has no description");
		}
	' "$CI_TOOLS/node_modules/js-yaml" "$DDCI_ROOT"/actions/*/action.yml
}

@test "deploy: sends the deployment, masks the key, sets outputs and the summary" {
	action deploy "$(api_key '{"service":"shop","env":"prod","service-version":"1.2.3","started-at":"now-5m","tags":"team:core\nregion:eu"}')"
	[ "$status" -eq 0 ]
	[[ "$output" == *"::add-mask::$FAKE_API_KEY"* ]]
	id=$(jq -r '."deployment-id"' <<<"$OUT")
	[[ "$id" == ddci-dep-* ]]
	[ "$(jq -r '."exit-code"' <<<"$OUT")" = 0 ]
	body=$(last_body /api/v2/dora/deployment)
	[ "$(jq -r .data.attributes.id <<<"$body")" = "$id" ]
	[ "$(jq -r .data.attributes.git.commit_sha <<<"$body")" = "$HEAD" ]
	[ "$(jq -r .data.attributes.version <<<"$body")" = 1.2.3 ]
	[ "$(jq -c .data.attributes.custom_tags <<<"$body")" = '["team:core","region:eu"]' ]
	grep -q "$id" "$GITHUB_STEP_SUMMARY"
	# the key shows up only in the mask command
	[ "$(grep -cF "$FAKE_API_KEY" <<<"$output")" -eq 1 ]
	assert_no_secret "$stderr" "$(cat "$GITHUB_STEP_SUMMARY")"
}

@test "deploy: input values are data, never shell" {
	action deploy "$(api_key '{"service":"shop$(touch pwned)`touch pwned2`","started-at":"1700000000","tags":"x:\";touch pwned3;\""}')"
	[ ! -e pwned ] && [ ! -e pwned2 ] && [ ! -e pwned3 ] && [ ! -e "$T/pwned" ]
	# the odd service name went to Datadog verbatim (or was refused by ddci), not run
	if [ "$status" -eq 0 ]; then
		[ "$(last_body /api/v2/dora/deployment | jq -r .data.attributes.service)" = 'shop$(touch pwned)`touch pwned2`' ]
	fi
}

@test "deploy: started-at defaults to when the setup step ran (DDCI_JOB_STARTED_AT)" {
	DDCI_JOB_STARTED_AT=1700000000 action deploy "$(api_key '{"service":"shop"}')"
	[ "$status" -eq 0 ]
	grep -q '"started_at":1700000000000000000[,}]' "$FAKE_LOG"
}

@test "deploy: a missing api-key fails like a required input on GitHub" {
	action deploy '{"service":"shop","started-at":"now"}'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Input required and not supplied: api-key"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "deploy: a bad boolean input is an annotated error, exit 2, nothing sent" {
	action deploy "$(api_key '{"service":"shop","started-at":"now","no-fail":"maybe"}')"
	[ "$status" -eq 2 ]
	[[ "$output" == *"::error title=ddci::input 'no-fail' must be true or false, not 'maybe'"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "deploy: Datadog down fails the step with exit 3, or passes with no-fail" {
	fake_stop
	action deploy "$(api_key '{"service":"shop","started-at":"now","timeout":"1","retries":"0"}')"
	[ "$status" -eq 3 ]
	[ "$(jq -r '."exit-code"' <<<"$OUT")" = 3 ]
	action deploy "$(api_key '{"service":"shop","started-at":"now","timeout":"1","retries":"0","no-fail":"true"}')"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *warning* ]]
}

@test "deploy: dry-run sends nothing and works without reaching Datadog" {
	action deploy "$(api_key '{"service":"shop","started-at":"1700000000","dry-run":"true"}')"
	[ "$status" -eq 0 ]
	[[ "$output" == *"POST $FAKE_URL/api/v2/dora/deployment"* ]]
	[ "$(fake_requests)" -eq 0 ]
	assert_no_secret "$(grep -v '^::add-mask::' <<<"$output")" "$stderr"
}

@test "incident: services list and team, failure-id output" {
	action incident "$(api_key '{"name":"checkout down","severity":"High","started-at":"now-1h","services":"shop, cart","env":"prod"}')"
	[ "$status" -eq 0 ]
	id=$(jq -r '."failure-id"' <<<"$OUT")
	[ -n "$id" ] && [ "$id" != null ]
	body=$(last_body /api/v2/dora/failure)
	[ "$(jq -c .data.attributes.services <<<"$body")" = '["shop","cart"]' ]
	[ "$(jq -r .data.attributes.name <<<"$body")" = "checkout down" ]
	grep -q 'Datadog incident' "$GITHUB_STEP_SUMMARY"
}

@test "incident: neither services nor team is exit 2" {
	action incident "$(api_key '{"name":"x","started-at":"now-1h"}')"
	[ "$status" -eq 2 ]
	[ "$(fake_requests)" -eq 0 ]
}

@test "change-failure: marks the deployment by id with a rollback remediation" {
	action deploy "$(api_key '{"service":"shop","env":"prod","started-at":"1700000000"}')"
	failed=$(jq -r '."deployment-id"' <<<"$OUT")
	action deploy "$(api_key '{"service":"shop","env":"prod","started-at":"1700000100","id":"rollback-deployment-0001"}')"
	action change-failure "$(keys "$(jq -nc --arg d "$failed" '{"deployment-id":$d,"remediation-id":"rollback-deployment-0001","remediation-type":"rollback"}')")"
	[ "$status" -eq 0 ]
	[[ "$output" == *"::add-mask::$FAKE_APP_KEY"* ]]
	dep=$(fake_get /_fake/state | jq -c --arg d "$failed" '.deployments[] | select(.id == $d) | .attributes')
	[ "$(jq -r .change_failure <<<"$dep")" = true ]
	[ "$(jq -r .remediation.type <<<"$dep")" = rollback ]
	[ "$(jq -r .remediation.id <<<"$dep")" = rollback-deployment-0001 ]
}

# flaky tests of acme/shop on main, as the fake's dataset
load_flaky() {
	local n="$1" tests
	tests=$(jq -nc --argjson n "$n" '[range(0; $n) as $i | {id:("t\($i)"), repository_id:"github.com/acme/shop", branches:["main"],
	  attributes:{name:("test_\($i)"), suite:"CartTest", module:"shop/unit", flaky_state:"active",
	    first_flaked_sha:"0c6be03165b7f7ffe96e076ffb29afb2825616c3", first_flaked_branch:"main", codeowners:["@acme/shop"],
	    services:["shop"], envs:["ci"], pipeline_stats:{failed_pipelines:1, total_lost_time_ms:60000},
	    test_run_metadata:{source_file:"tests/test_cart.py", source_start:12, source_end:20},
	    test_stats:{failure_rate_pct:20}}}]')
	fake_post /_fake/flaky-tests "$tests" >/dev/null
}

@test "flaky-gate: passes at the limit with outputs and summary" {
	load_flaky 2
	action flaky-gate "$(keys '{"max-active":"2","junit":"flaky.xml"}')"
	[ "$status" -eq 0 ]
	[ "$(jq -r '."gate-result"' <<<"$OUT")" = passed ]
	[ "$(jq -r .active <<<"$OUT")" = 2 ]
	[ -s "$GITHUB_STEP_SUMMARY" ]
	grep -q '<testsuites' flaky.xml
}

@test "flaky-gate: fails above the limit with annotations; fail-open does not hide a real failure" {
	load_flaky 3
	action flaky-gate "$(keys '{"max-active":"2"}')"
	[ "$status" -eq 1 ]
	[ "$(jq -r '."gate-result"' <<<"$OUT")" = failed ]
	[ "$(jq -r '."exit-code"' <<<"$OUT")" = 1 ]
	[[ "$output" == *"::error"* ]]
	action flaky-gate "$(keys '{"max-active":"2","fail-open":"true"}')"
	[ "$status" -eq 1 ]
}

@test "flaky-gate: a 403 fails closed (exit 4) unless fail-open" {
	fake_faults '[{"path":"flaky-test-management","action":"status","status":403,"count":-1}]'
	action flaky-gate "$(keys '{"max-active":"2"}')"
	[ "$status" -eq 4 ]
	action flaky-gate "$(keys '{"max-active":"2","fail-open":"true"}')"
	[ "$status" -eq 0 ]
}

@test "flaky-gate: pull_request base (GITHUB_BASE_REF) is used for max-new" {
	load_flaky 1
	git branch -q -f base HEAD~1
	git update-ref refs/remotes/origin/main HEAD~1
	GITHUB_EVENT_NAME=pull_request GITHUB_BASE_REF=main GITHUB_HEAD_REF=feature action flaky-gate "$(keys '{"max-new":"0"}')"
	[ "$status" -eq 0 ]
	[ "$(jq -r .new <<<"$OUT")" = 0 ]
}

# test runs of acme/shop as the fake's dataset: PASS FAIL
load_runs() {
	local events
	events=$(jq -nc --argjson p "$1" --argjson f "$2" '[range(0; $p + $f) as $i | {attributes:{timestamp:((now - 3600 - $i) * 1000 | floor),
	    attributes:{test:{status:(if $i < $f then "fail" else "pass" end), suite:"CartTest", service:"shop"},
	      git:{repository_url:"https://github.com/acme/shop.git", branch:"main"}, env:"ci"}}}]')
	fake_post /_fake/test-events "$events" >/dev/null
}

@test "failrate-gate: passes at the threshold, fails above, with outputs" {
	load_runs 90 10
	action failrate-gate "$(keys '{"max-failure-rate":"10"}')"
	[ "$status" -eq 0 ]
	[ "$(jq -r '."gate-result"' <<<"$OUT")" = passed ]
	[ "$(jq -r '."failure-rate"' <<<"$OUT")" = 10.00 ]
	[ "$(jq -r .runs <<<"$OUT")" = 100 ]
	action failrate-gate "$(keys '{"max-failure-rate":"9.5","junit":"rate.xml","markdown":"rate.md"}')"
	[ "$status" -eq 1 ]
	[ "$(jq -r '."gate-result"' <<<"$OUT")" = failed ]
	grep -q '<failure' rate.xml
	[ -s rate.md ]
}

@test "failrate-gate: max-failure-rate is required" {
	action failrate-gate "$(keys '{}')"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Input required and not supplied: max-failure-rate"* ]]
}

@test "setup: a cached build is reused, put on PATH, and the job start recorded" {
	prefix="$T/tool"
	mkdir -p "$prefix/bin"
	cp "$DDCI_BIN"/ddci* "$prefix/bin/"
	key=$(RUNNER_OS=Linux GITHUB_OUTPUT="$T/plan" GITHUB_ACTION_PATH="$DDCI_ROOT/actions/setup" INPUT_PREFIX="$prefix" \
		"$DDCI_ROOT/actions/setup/run.sh" plan >/dev/null && sed -n 's/^key=//p' "$T/plan")
	[[ "$key" == ddci-Linux-* ]]
	printf '%s\n' "$key" >"$prefix/.ddci-cache-key"
	action setup "$(jq -nc --arg p "$prefix" '{prefix:$p}')"
	[ "$status" -eq 0 ]
	[ "$(jq -r '."cache-hit"' <<<"$OUT")" = true ]
	[ "$(jq -r '."bin-dir"' <<<"$OUT")" = "$prefix/bin" ]
	grep -qx "$prefix/bin" "$GITHUB_PATH"
	grep -qx "DDCI_BIN_DIR=$prefix/bin" "$GITHUB_ENV"
	grep -Eqx 'DDCI_JOB_STARTED_AT=[0-9]{10}' "$GITHUB_ENV"
	[[ "$output" == *"ddci"* ]]
}

@test "the actions find ddci through DDCI_BIN_DIR, and say how to install it when absent" {
	PATH="/usr/bin:/bin" DDCI_BIN_DIR="$DDCI_BIN" action deploy "$(api_key '{"service":"shop","started-at":"now"}')"
	[ "$status" -eq 0 ]
	PATH="/usr/bin:/bin" DDCI_BIN_DIR= action deploy "$(api_key '{"service":"shop","started-at":"now"}')"
	[ "$status" -eq 2 ]
	[[ "$output" == *"actions/setup"* ]]
}
