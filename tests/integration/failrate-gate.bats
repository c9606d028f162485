#!/usr/bin/env bats
# ddci-failrate-gate against the fake Datadog's aggregate endpoint, with
# test events loaded per test (the fake really counts them).

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup_repo
}
teardown() { ddci_teardown; }

# runs SUITE PASS FAIL SKIP [HOURS_AGO] — test events of acme/shop as a JSON array
runs() {
	jq -nc --arg suite "$1" --argjson p "$2" --argjson f "$3" --argjson s "$4" --argjson h "${5:-1}" '
	  [range(0; $p + $f + $s) as $i | {attributes:{timestamp:((now - $h * 3600 - $i) * 1000 | floor),
	    attributes:{test:{status:(if $i < $f then "fail" elif $i < $f + $s then "skip" else "pass" end),
	      suite:$suite, service:"shop"},
	      git:{repository_url:"https://github.com/acme/shop.git", branch:"main"}, env:"ci"}}}]'
}

# load_events ARRAYS... — replace the dataset with the concatenation
load_events() { fake_post /_fake/test-events "$(jq -sc 'add // []' <<<"$*")" >/dev/null; }

@test "exactly at the threshold passes, just above fails; skipped runs do not count" {
	load_events "$(runs CartTest 90 10 50)"
	run --separate-stderr ddci-failrate-gate --max-failure-rate 10
	[ "$status" -eq 0 ]
	[[ "$output" == *"ok: 10.00% failure rate, limit 10.00% (--max-failure-rate)"* ]]
	run --separate-stderr ddci-failrate-gate --max-failure-rate 9.99
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL: 10.00% failure rate, limit 9.99%"* ]]
	body=$(last_body aggregate)
	[ "$(jq -r '.compute[0].aggregation' <<<"$body")" = count ]
	[ "$(jq -r '.group_by[-1].facet' <<<"$body")" = @test.status ]
	[[ "$(jq -r '.filter.query' <<<"$body")" == '@git.repository.id_v2:"github.com/acme/shop"' ]]
	[[ "$(jq -r '.filter.from' <<<"$body")" =~ ^[0-9]{13}$ ]]
}

@test "--group-by applies the threshold to each group" {
	load_events "$(runs CartTest 95 5 0)" "$(runs SearchTest 70 30 0)"
	run ddci-failrate-gate --max-failure-rate 10 --group-by @test.suite --output json
	[ "$status" -eq 1 ]
	[ "$(jq -r '.rows[0].group' <<<"$output")" = SearchTest ]
	[ "$(jq -r '.rows[0].verdict' <<<"$output")" = over ]
	[ "$(jq -r '.rows[1].verdict' <<<"$output")" = ok ]
	[ "$(jq -r '.counts.groups_over' <<<"$output")" = 1 ]
	run ddci-failrate-gate --max-failure-rate 30 --group-by @test.suite
	[ "$status" -eq 0 ]
	run ddci-failrate-gate --max-failure-rate 30 --group-by @test.suite --group-limit 1
	[ "$status" -eq 2 ] # two groups: a gate judges every group or none
	[ "$(last_body aggregate | jq '.group_by[0].limit')" -eq 2 ]
}

@test "--min-runs: not enough data passes, or fails with --require-data" {
	load_events "$(runs CartTest 5 5 0)"
	run ddci-failrate-gate --max-failure-rate 1 --min-runs 11
	[ "$status" -eq 0 ]
	[[ "$output" == *"not enough data: 10 runs"* ]]
	run ddci-failrate-gate --max-failure-rate 1 --min-runs 11 --require-data
	[ "$status" -eq 1 ]
	run ddci-failrate-gate --max-failure-rate 1 --min-runs 10
	[ "$status" -eq 1 ]
}

@test "empty results pass with not enough data" {
	load_events
	run ddci-failrate-gate --max-failure-rate 0
	[ "$status" -eq 0 ]
	[[ "$output" == *"not enough data: 0 runs"* ]]
	run ddci-failrate-gate --max-failure-rate 0 --require-data
	[ "$status" -eq 1 ]
}

@test "--trend shows a sparkline and puts the points in JSON and Markdown" {
	load_events "$(runs CartTest 10 0 0 30)" "$(runs CartTest 9 1 0 20)" "$(runs CartTest 5 5 0 2)"
	run ddci-failrate-gate --max-failure-rate 50 --from now-2d --trend --interval 6h --markdown "$T/r.md"
	[ "$status" -eq 0 ]
	[[ "$output" == *"trend: "*"█"*"0.00% -> 50.00%"* ]]
	[ "$(last_body aggregate | jq -r '.compute[0].type + " " + .compute[0].interval')" = "timeseries 6h" ]
	grep -q '^\*\*Trend:\*\* `' "$T/r.md"
	run ddci-failrate-gate --max-failure-rate 50 --from now-2d --trend --output json
	[ "$(jq '[.trend.points[] | select(.runs > 0)] | length' <<<"$output")" -eq 3 ]
}

@test "--query, --service, --branch and --env scope the events" {
	load_events "$(runs CartTest 50 50 0)"
	run ddci-failrate-gate --max-failure-rate 1 --query '@test.suite:Nope'
	[ "$status" -eq 0 ]
	[[ "$(last_body aggregate | jq -r .filter.query)" == '@test.suite:Nope' ]]
	run ddci-failrate-gate --max-failure-rate 1 --service shop --branch main --env ci
	[ "$status" -eq 1 ]
	[[ "$(last_body aggregate | jq -r .filter.query)" == *'@test.service:shop @git.branch:main env:ci' ]]
}

@test "JUnit, Markdown and GitHub outputs" {
	load_events "$(runs CartTest 80 20 0)"
	export GITHUB_ACTIONS=true GITHUB_OUTPUT="$T/out" GITHUB_STEP_SUMMARY="$T/summary"
	run ddci-failrate-gate --max-failure-rate 5 --junit "$T/r.xml" --markdown "$T/r.md"
	[ "$status" -eq 1 ]
	python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$T/r.xml"
	grep -q 'failures="1"' "$T/r.xml"
	grep -qx 'gate_result=failed' "$T/out"
	grep -qx 'failure_rate=20.00' "$T/out"
	grep -qx 'runs=100' "$T/out"
	grep -q '^## ❌ Test failure-rate gate: failed' "$T/summary"
	grep -q '| `--max-failure-rate` failure rate | 20.00% | 5.00% | ❌ fail |' "$T/summary"
	[[ "$output" == *"::error title=Test failure-rate gate::FAIL: 20.00%25 failure rate"* ]]
	cmp "$T/r.md" <(head -c "$(stat -c %s "$T/r.md")" "$T/summary")
}

@test "403 exits 4; 503 after retries exits 3, 0 with --fail-open" {
	fake_faults '[{"path":"/api/v2/ci/tests/analytics/aggregate","action":"status","status":403}]'
	run --separate-stderr ddci-failrate-gate --max-failure-rate 5
	[ "$status" -eq 4 ]
	fake_faults '[{"path":"/api/v2/ci/tests/analytics/aggregate","action":"status","status":503,"count":-1}]'
	run --separate-stderr ddci-failrate-gate --max-failure-rate 5 --retries 1
	[ "$status" -eq 3 ]
	[ "$(fake_requests aggregate)" -eq 3 ]
	run --separate-stderr ddci-failrate-gate --max-failure-rate 5 --retries 0 --fail-open
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"--fail-open"* ]]
}

@test "malformed answers exit 3 with a clear message" {
	load_events "$(runs CartTest 8 2 0)"
	for action in truncate content_type; do
		fake_faults "[{\"path\":\"/api/v2/ci/tests/analytics/aggregate\",\"action\":\"$action\"}]"
		run --separate-stderr ddci-failrate-gate --max-failure-rate 5 --retries 0
		[ "$status" -eq 3 ]
		[[ "$stderr" == *"unexpected response"* ]]
	done
	fake_faults '[{"path":"/api/v2/ci/tests/analytics/aggregate","action":"shape","body":{"data":{"buckets":"x"}}}]'
	run --separate-stderr ddci-failrate-gate --max-failure-rate 5 --retries 0
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"data.buckets"* ]]
}

@test "a partial (timeout) answer fails closed; --allow-partial judges it and says so" {
	load_events "$(runs CartTest 8 2 0)"
	fake_faults '[{"path":"/api/v2/ci/tests/analytics/aggregate","action":"partial"}]'
	run --separate-stderr ddci-failrate-gate --max-failure-rate 50 --retries 0
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"partial results"* ]]
	fake_faults '[{"path":"/api/v2/ci/tests/analytics/aggregate","action":"partial"}]'
	run ddci-failrate-gate --max-failure-rate 50 --allow-partial
	[ "$status" -eq 0 ]
	[[ "$output" == *"partial results"* ]]
}

@test "bad flags exit 2 and send nothing" {
	run ddci-failrate-gate
	[ "$status" -eq 2 ]
	run ddci-failrate-gate --max-failure-rate x
	[ "$status" -eq 2 ]
	run ddci-failrate-gate --max-failure-rate 5 --from now --to now-1d
	[ "$status" -eq 2 ]
	run ddci-failrate-gate --max-failure-rate 5 --group-limit 0
	[ "$status" -eq 2 ]
	[ "$(fake_requests)" -eq 0 ]
}
