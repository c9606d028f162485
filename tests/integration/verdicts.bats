#!/usr/bin/env bats
# Verdicts right with default flags (issue 21): a grouped gate judges every
# group, "not enough data" never shows a fake 0, the DORA report counts the
# deployment made in the current second.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup_repo
}
teardown() { ddci_teardown; }

# runs SUITE PASS FAIL — test events of acme/shop as a JSON array
runs() {
	jq -nc --arg suite "$1" --argjson p "$2" --argjson f "$3" '
	  [range(0; $p + $f) as $i | {attributes:{timestamp:((now - 3600 - $i) * 1000 | floor),
	    attributes:{test:{status:(if $i < $f then "fail" else "pass" end), suite:$suite, service:"shop"},
	      git:{repository_url:"https://github.com/acme/shop.git", branch:"main"}, env:"ci"}}}]'
}
load_events() { fake_post /_fake/test-events "$(jq -sc 'add // []' <<<"$*")" >/dev/null; }

# 15 suites of 100 runs, 1 failure each, and one small suite failing 75%:
# the failing suite has the fewest runs, so a top-10 by count leaves it out.
fifteen_suites() {
	local i
	{
		for i in $(seq 1 14); do runs "Suite$i" 99 1; done
		runs Failing 2 6
	} | jq -sc 'add' >"$T/events.json"
	curl -sS --fail -X POST -H 'Content-Type: application/json' --data-binary "@$T/events.json" \
		"$FAKE_URL/_fake/test-events" >/dev/null
}

@test "finding 1: a grouped gate over 15 groups with one failing fails by default" {
	fifteen_suites
	run --separate-stderr ddci-failrate-gate --max-failure-rate 10 --group-by @test.suite --output json
	[ "$status" -eq 1 ]
	[ "$(jq -r .result <<<"$output")" = failed ]
	[ "$(jq -r .counts.groups <<<"$output")" = 15 ]
	[ "$(jq -r .counts.runs <<<"$output")" = 1408 ]
	[ "$(jq -r '.rows[0].group' <<<"$output")" = Failing ]
	run --separate-stderr ddci-failrate-gate --max-failure-rate 10 --group-by @test.suite
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL: 75.00% highest group failure rate"* ]]
}

@test "finding 1: more groups than --group-limit refuses (exit 2) instead of judging a part" {
	fifteen_suites
	run --separate-stderr ddci-failrate-gate --max-failure-rate 10 --group-by @test.suite --group-limit 10
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"more than 10 groups of @test.suite (--group-limit 10)"* ]]
	run --separate-stderr ddci-failrate-gate --max-failure-rate 10 --group-by @test.suite --group-limit 15
	[ "$status" -eq 1 ]
	run --separate-stderr ddci-failrate-gate --max-failure-rate 80 --group-by @test.suite --fail-open --group-limit 3
	[ "$status" -eq 2 ]
}

@test "finding 2: not enough data is its own verdict line with the observed numbers" {
	load_events "$(runs CartTest 47 3)"
	run --separate-stderr ddci-failrate-gate --max-failure-rate 1 --min-runs 1000
	[ "$status" -eq 0 ]
	[[ "$output" == *"not enough data: 6.00% failure rate, not judged against 1.00% (--max-failure-rate)"* ]]
	[[ "$output" == *"note: not enough data: 50 runs, fewer than --min-runs 1000"* ]]
	[[ "$output" != *"ok: 0.00%"* ]]
	run --separate-stderr ddci-failrate-gate --max-failure-rate 1 --min-runs 1000 --output json
	[ "$(jq -r '.checks[0].value' <<<"$output")" = 6 ]
	[ "$(jq -r '.checks[0].status' <<<"$output")" = "not enough data" ]
	[ "$(jq -r '.checks[0].failed' <<<"$output")" = false ]
	[ "$(jq -r '.counts.failure_rate' <<<"$output")" = 6 ]
	run --separate-stderr ddci-failrate-gate --max-failure-rate 1 --min-runs 1000 --require-data
	[ "$status" -eq 1 ]
	[[ "$output" == *"not enough data: 6.00% failure rate"* ]]
}

@test "finding 3: the DORA report counts a deployment made in the window's last second" {
	# --to with a fraction of a second stands for "now": the deployments
	# started in that second, before it, must all count
	T0=1700000000
	ddci-deploy --service shop --env prod --started-at "${T0}000000000" --finished-at "${T0}100000000" >/dev/null
	ddci-deploy --service shop --env prod --started-at "${T0}200000000" --finished-at "${T0}300000000" >/dev/null
	ddci-deploy --service shop --env prod --started-at "${T0}400000000" --finished-at "${T0}500000000" >/dev/null
	run --separate-stderr ddci-dora list deployments --from $((T0 - 60)) --to "${T0}500000000" --output json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 3 ]
	run --separate-stderr ddci-dora report --service shop --env prod --from $((T0 - 3600)) --to "${T0}500000000" --output json
	[ "$status" -eq 0 ]
	[ "$(jq -r .deployments <<<"$output")" -eq 3 ]
	[ "$(jq -r .change_failures <<<"$output")" -eq 0 ]
}
