#!/usr/bin/env bats
# ddci-flaky list / set-state against the fake Datadog.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup_repo
	objs=$(jq -nc '[range(0; 25) as $i | {id:("id\($i)"), repository_id:"github.com/acme/shop",
	  attributes:{name:"test_\($i)", suite:"S", module:"m", flaky_state:(if $i < 20 then "active" else "quarantined" end),
	  test_stats:{failure_rate_pct:($i * 1.0)}, pipeline_stats:{total_lost_time_ms:($i * 1000), failed_pipelines:1}}}]')
	fake_post /_fake/flaky-tests "$objs" >/dev/null
}
teardown() { ddci_teardown; }

@test "list reads every page in order; --state and --sort are sent" {
	run --separate-stderr ddci-flaky list --page-size 10 --output ndjson
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 25 ]
	[ "$(fake_requests flaky-test-management)" -eq 3 ]
	run --separate-stderr ddci-flaky list --state active --sort -failure_rate --output json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 20 ]
	[ "$(jq -r '.[0].id' <<<"$output")" = id19 ]
	body=$(last_body flaky-test-management)
	[ "$(jq -r .data.attributes.sort <<<"$body")" = -failure_rate ]
	[[ "$(jq -r .data.attributes.filter.query <<<"$body")" == 'flaky_test_state:active @git.repository.id_v2:"github.com/acme/shop"' ]]
}

@test "list as a table, and --limit stops early" {
	run --separate-stderr ddci-flaky list --limit 3 --page-size 2
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID*STATE*FAILURE* ]]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(fake_requests flaky-test-management)" -eq 2 ]
}

@test "set-state quarantines in batches and reports each test" {
	run --separate-stderr ddci-flaky set-state --state quarantined --batch-size 2 id1 id2 id3
	[ "$status" -eq 0 ]
	[[ "$output" == *"id1	ok"* && "$output" == *"id3	ok"* ]]
	[ "$(fake_requests flaky-test-management)" -eq 2 ]
	[ "$(last_body flaky-test-management | jq -c .data)" = '{"type":"update_flaky_test_state_request","attributes":{"tests":[{"id":"id3","new_state":"quarantined"}]}}' ]
}

@test "set-state from list --output json, piped" {
	ddci-flaky list --state quarantined --output json >"$T/q.json"
	run --separate-stderr ddci-flaky set-state --state active --from-json - <"$T/q.json"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'ok$' <<<"$output")" -eq 5 ]
}

@test "a partial PATCH failure exits 4 naming the failed test" {
	run --separate-stderr ddci-flaky set-state --state fixed id1 nope
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"nope: flaky test not found"* ]]
	[[ "$stderr" == *"1 of 2 flaky tests could not be set to fixed"* ]]
}

@test "--dry-run shows the batch and sends nothing; bad input exits 2" {
	run ddci-flaky set-state --state disabled id1 --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *PATCH* && "$output" == *'"new_state":'*'"disabled"'* ]]
	run ddci-flaky set-state --state sleeping id1
	[ "$status" -eq 2 ]
	run ddci-flaky set-state id1
	[ "$status" -eq 2 ]
	run ddci-flaky list --sort random
	[ "$status" -eq 2 ]
	run ddci-flaky frobnicate
	[ "$status" -eq 2 ]
	[ "$(fake_requests)" -eq 0 ]
}
