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

@test "deploy: a missing api-key (GitHub does not enforce required:) is exit 2 naming the input, nothing sent" {
	action deploy '{"service":"shop","started-at":"now"}'
	[ "$status" -eq 2 ]
	[[ "$output" == *"::error title=ddci::input 'api-key' is empty"* ]]
	[ "$(jq -r '."exit-code"' <<<"$OUT")" = "" ]
	[ "$(fake_requests)" -eq 0 ]
	# an empty secret is the same
	action flaky-gate '{"api-key":"","app-key":"x","max-active":"1"}'
	[ "$status" -eq 2 ]
	[[ "$output" == *"input 'api-key' is empty"* ]]
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

@test "failrate-gate: a missing max-failure-rate is ddci's exit 2 (required: is not enforced by GitHub)" {
	action failrate-gate "$(keys '{}')"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"max-failure-rate"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

# setup_plan [ENV...] — the setup action's plan step; prints its outputs.
setup_plan() {
	: >"$T/plan"
	env "$@" GITHUB_OUTPUT="$T/plan" GITHUB_ACTION_PATH="$DDCI_ROOT/actions/setup" \
		"$DDCI_ROOT/actions/setup/run.sh" plan >/dev/null && cat "$T/plan"
}

@test "setup: the cache key names the OS release and architecture" {
	. /etc/os-release
	out=$(setup_plan INPUT_PREFIX="$T/tool")
	key=$(sed -n 's/^key=//p' <<<"$out")
	[[ "$key" == "ddci-$ID$VERSION_ID-$(uname -m)-$(cat "$DDCI_ROOT/VERSION")-"* ]]
	[ "$(sed -n 's/^version=//p' <<<"$out")" = "$(cat "$DDCI_ROOT/VERSION")" ]
	# a released version is keyed by the version alone; a bad one names the input
	out=$(setup_plan INPUT_VERSION=v9.8.7)
	[[ "$(sed -n 's/^key=//p' <<<"$out")" == "ddci-$ID$VERSION_ID-$(uname -m)-9.8.7-release" ]]
	[[ "$(sed -n 's/^dir=//p' <<<"$out")" == */ddci/9.8.7-release/"$ID$VERSION_ID-$(uname -m)" ]]
	run env INPUT_VERSION='1.0.0;id' GITHUB_OUTPUT="$T/plan2" "$DDCI_ROOT/actions/setup/run.sh" plan
	[ "$status" -eq 2 ]
	[[ "$output" == *"::error title=ddci::input 'version' must be a ddci version"* ]]
}

@test "setup: Windows and macOS runners get a clear error, exit 2" {
	RUNNER_OS=Windows action setup '{}'
	[ "$status" -eq 2 ]
	[[ "$output" == *"::error title=ddci::ddci setup does not support Windows runners"*ubuntu-latest* ]]
	RUNNER_OS=macOS action setup '{}'
	[ "$status" -eq 2 ]
	[[ "$output" == *"does not support macOS runners"* ]]
}

@test "setup: a cached build is reused, put on PATH, bin-dir/version outputs, and the job start recorded" {
	prefix="$T/tool"
	mkdir -p "$prefix/bin"
	cp "$DDCI_BIN"/ddci* "$prefix/bin/"
	key=$(setup_plan INPUT_PREFIX="$prefix" | sed -n 's/^key=//p')
	printf '%s\n' "$key" >"$prefix/.ddci-cache-key"
	: >"$GITHUB_ENV"
	action setup "$(jq -nc --arg p "$prefix" '{prefix:$p}')"
	[ "$status" -eq 0 ]
	[ "$(jq -r '."cache-hit"' <<<"$OUT")" = true ]
	[ "$(jq -r '."bin-dir"' <<<"$OUT")" = "$prefix/bin" ]
	[ "$(jq -r .version <<<"$OUT")" = "$(cat "$DDCI_ROOT/VERSION")" ]
	grep -qx "$prefix/bin" "$GITHUB_PATH"
	grep -qx "DDCI_BIN_DIR=$prefix/bin" "$GITHUB_ENV"
	grep -Eqx 'DDCI_JOB_STARTED_AT=[0-9]{10}' "$GITHUB_ENV"
	[[ "$output" == *"ddci"* ]]
	# a job that set its own start keeps it
	: >"$GITHUB_ENV"
	DDCI_JOB_STARTED_AT=1700000000 action setup "$(jq -nc --arg p "$prefix" '{prefix:$p}')"
	run ! grep -q DDCI_JOB_STARTED_AT "$GITHUB_ENV"
}

@test "setup: the cache is restored before the install and saved right after it, only on a miss" {
	node -e '
		const y = require(process.argv[1]).load(require("fs").readFileSync(process.argv[2], "utf8"));
		const s = y.runs.steps, at = (p) => s.findIndex(p);
		const plan = at((x) => x.id === "plan"), restore = at((x) => /^actions\/cache\/restore@/.test(x.uses || "")),
		      install = at((x) => x.id === "install"), save = at((x) => /^actions\/cache\/save@/.test(x.uses || ""));
		if (!(plan < restore && restore < install && install < save && save === s.length - 1)) throw new Error("order");
		if (!/cache-hit != .true./.test(s[save].if)) throw new Error("save only on a miss: " + s[save].if);
		if (s.some((x) => /^actions\/cache@/.test(x.uses || ""))) throw new Error("actions/cache saves only when the job succeeds");
		for (const k of ["version", "cache", "install-deps", "prefix"]) if (!y.inputs[k]) throw new Error("input " + k);
		for (const k of ["version", "bin-dir", "cache-hit"]) if (!y.outputs[k]) throw new Error("output " + k);
	' "$CI_TOOLS/node_modules/js-yaml" "$DDCI_ROOT/actions/setup/action.yml"
}

@test "the action scripts are bash 3.2 code (macOS runners): no bash 4 expansions or builtins" {
	cd "$DDCI_ROOT/actions"
	code() { grep -nE "$1" -- */run.sh lib/common.sh | grep -vE '^[^:]+:[0-9]+:[[:space:]]*#' || true; }
	# ${x,,} ${x^^} ${x@Q}, mapfile/readarray, associative arrays, namerefs, |&, &>>, ;;&, ${a[-1]}
	hits=$(code '\$\{[A-Za-z_][A-Za-z0-9_]*(,,?|\^\^?|@[QEPAa])\}|\b(mapfile|readarray|coproc)\b|(declare|local|typeset) -[a-zA-Z]*[An]|\|&|&>>|;;&|\$\{[A-Za-z_]+\[-[0-9]+\]\}|\$EPOCH')
	echo "$hits"
	[ -z "$hits" ]
	# an array that may be empty is expanded as ${a[@]+"${a[@]}"} (bash < 4.4 and set -u)
	hits=$(code '(^|[^+])"\$\{[A-Za-z_]+\[@\]\}"')
	echo "$hits"
	[ -z "$hits" ]
}

@test "workflow commands and \${VAR} in inputs reach ddci literally and start no command" {
	export SECRETISH=leaked-value
	action deploy "$(api_key '{"service":"shop","started-at":"1700000000","tags":"note:::warning::x\nk:${DD_API_KEY}\nm:::add-mask::shop\nv:$SECRETISH"}')"
	[ "$status" -eq 0 ]
	[ "$(last_body /api/v2/dora/deployment | jq -c .data.attributes.custom_tags)" = '["note:::warning::x","k:${DD_API_KEY}","m:::add-mask::shop","v:$SECRETISH"]' ]
	action incident "$(api_key '{"name":"::add-mask::${DD_API_KEY}\n::warning::y","services":"shop","started-at":"1700000000"}')"
	[ "$status" -eq 0 ]
	[ "$(last_body /api/v2/dora/failure | jq -r .data.attributes.name)" = '::add-mask::${DD_API_KEY}
::warning::y' ]
	# an input quoted in an error cannot start a line of its own
	action deploy "$(api_key '{"service":"shop","no-fail":"x\n::add-mask::shop"}')"
	[ "$status" -eq 2 ]
	run grep -c '^::add-mask::shop' <<<"$output"
	[ "$output" = 0 ]
}

@test "flaky-gate on a push (no pull request): max-new and fail-on-changed judge the commits pushed" {
	load_flaky 1
	before=$(git rev-parse HEAD~1)
	GITHUB_EVENT_NAME=push action flaky-gate "$(keys '{"max-new":"0","fail-on-changed":"true"}')"
	echo "$output" | grep -q "judging the change from HEAD~1"
	[ "$status" -eq 0 ]
	GITHUB_EVENT_NAME=push GH_SIM_EVENT="{\"before\":\"$before\"}" action flaky-gate "$(keys '{"max-new":"0","fail-on-changed":"true"}')"
	[ "$status" -eq 0 ]
	[[ "$output" == *"judging the change from $before"* ]]
	# a shallow checkout: no base; the summary says so, the rest of the gate runs
	git clone -q --depth 1 "file://$PWD" "$T/shallow"
	cd "$T/shallow"
	git remote set-url origin https://github.com/acme/shop.git
	: >"$GITHUB_STEP_SUMMARY"
	GITHUB_EVENT_NAME=push GH_SIM_EVENT='{"before":"0000000000000000000000000000000000000000"}' action flaky-gate "$(keys '{"max-new":"0","max-active":"5"}')"
	[ "$status" -eq 0 ]
	[[ "$output" == *"::warning title=ddci::no base"* ]]
	grep -q 'max-new and fail-on-changed were not checked' "$GITHUB_STEP_SUMMARY"
	GITHUB_EVENT_NAME=push action flaky-gate "$(keys '{"max-new":"0","without-base":"fail"}')"
	[ "$status" -eq 1 ]
	[ "$(jq -r '."gate-result"' <<<"$OUT")" = failed ]
}

@test "the actions find ddci through DDCI_BIN_DIR, and say how to install it when absent" {
	PATH="/usr/bin:/bin" DDCI_BIN_DIR="$DDCI_BIN" action deploy "$(api_key '{"service":"shop","started-at":"now"}')"
	[ "$status" -eq 0 ]
	PATH="/usr/bin:/bin" DDCI_BIN_DIR= action deploy "$(api_key '{"service":"shop","started-at":"now"}')"
	[ "$status" -eq 2 ]
	[[ "$output" == *"actions/setup"* ]]
}

# readme_workflows — README.md's GitHub Actions snippets as workflows in $T:
# readme-0.yml (the deploy job, as written) and readme-1.yml (the gate steps,
# as written, as the steps of a job `gates`); a tool-cache hit for setup.
readme_workflows() {
	node "$CI_TOOLS/readme-blocks.js" "$DDCI_ROOT/README.md" "GitHub Actions" 0 >"$T/readme-0.yml"
	{
		printf 'jobs:\n  gates:\n    steps:\n'
		node "$CI_TOOLS/readme-blocks.js" "$DDCI_ROOT/README.md" "GitHub Actions" 1
	} >"$T/readme-1.yml"
	out=$(setup_plan)
	dir=$(sed -n 's/^dir=//p' <<<"$out")
	mkdir -p "$dir/bin"
	cp "$DDCI_BIN"/ddci* "$dir/bin/"
	sed -n 's/^key=//p' <<<"$out" >"$dir/.ddci-cache-key"
	mkdir -p scripts
	printf '#!/bin/sh\necho "deploying to $1"\n' >scripts/deploy.sh
	chmod +x scripts/deploy.sh
	export GH_SIM_ACTIONS="$DDCI_ROOT/actions" DDCI_API_URL="$FAKE_URL"
	export GH_SIM_SECRETS="{\"DD_API_KEY\":\"$FAKE_API_KEY\",\"DD_APP_KEY\":\"$FAKE_APP_KEY\"}"
}

# workflow FILE JOB — run a job with gh-sim; OUT holds the steps' outputs
workflow() {
	run --separate-stderr node "$CI_TOOLS/gh-sim.js" --workflow "$1" "$2" "$T/wf.json"
	OUT=$(cat "$T/wf.json" 2>/dev/null || echo '{}')
	echo "status=$status"
	echo "log: $output"
	echo "stderr: $stderr"
}

@test "README.md's GitHub Actions deploy job runs verbatim: setup, deploy, change-failure only on failure" {
	readme_workflows
	workflow "$T/readme-0.yml" deploy
	[ "$status" -eq 0 ]
	[[ "$output" == *"deploying to production"* ]]
	id=$(jq -r '.steps.dora.outputs."deployment-id"' <<<"$OUT")
	[[ "$id" == ddci-dep-* ]]
	[ "$(last_body /api/v2/dora/deployment | jq -r .data.attributes.id)" = "$id" ]
	[ "$(fake_requests /api/v2/dora/deployments)" -eq 0 ]
	# a step failing after the deployment: the change-failure step marks it
	sed -i "s|^      - if: failure() && steps.dora.outputs.deployment-id != ''$|      - run: exit 1\n&|" "$T/readme-0.yml"
	grep -q '^      - run: exit 1$' "$T/readme-0.yml"
	workflow "$T/readme-0.yml" deploy
	[ "$status" -eq 1 ]
	id=$(jq -r '.steps.dora.outputs."deployment-id"' <<<"$OUT")
	[ "$(fake_get /_fake/state | jq -r --arg id "$id" '.deployments[] | select(.id == $id) | .attributes.change_failure')" = true ]
}

@test "README.md's GitHub Actions gate steps run verbatim on a push (no exit 2) and in a pull request" {
	readme_workflows
	load_flaky 1
	load_runs 99 1
	GITHUB_EVENT_NAME=push workflow "$T/readme-1.yml" gates
	[ "$status" -eq 0 ]
	[[ "$output" == *"judging the change from HEAD~1"* ]]
	git update-ref refs/remotes/origin/main HEAD~1
	GITHUB_EVENT_NAME=pull_request GITHUB_BASE_REF=main GITHUB_HEAD_REF=feature workflow "$T/readme-1.yml" gates
	[ "$status" -eq 0 ]
	[[ "$output" != *"judging the change from"* ]]
}
