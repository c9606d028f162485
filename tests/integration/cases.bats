#!/usr/bin/env bats
# ddci-cases against the fake Datadog.

load '../lib/common'
bats_require_minimum_version 1.5.0

setup() {
	ddci_setup --cases-generate 40
}
teardown() { fake_stop; }

@test "count: total and groups by status, as JSON and table" {
	run --separate-stderr ddci-cases count --output json
	[ "$status" -eq 0 ]
	[ "$(jq .total <<<"$output")" -eq 40 ]
	[ "$(jq '[.groups[].count] | add' <<<"$output")" -eq 40 ]
	body=$(last_body /api/v2/cases/aggregate)
	[ "$(jq -r .data.type <<<"$body")" = aggregate ]
	[ "$(jq -c .data.attributes.group_by.groups <<<"$body")" = '["status"]' ]
	run --separate-stderr ddci-cases count --group-by priority
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == PRIORITY* ]]
	[[ "${lines[-1]}" == total*40 ]]
}

@test "count --query sends query_filter" {
	run --separate-stderr ddci-cases count --query 'status:open' --output json
	[ "$status" -eq 0 ]
	[ "$(last_body /api/v2/cases/aggregate | jq -r .data.attributes.query_filter)" = status:open ]
	[ "$(jq .total <<<"$output")" -le 40 ]
}

@test "gate passes at the limit and fails above it (exit 1)" {
	n=$(ddci-cases count --query 'status:open' --output json | jq .total)
	run --separate-stderr ddci-cases gate --query 'status:open' --max "$n"
	[ "$status" -eq 0 ]
	[[ "$output" == "ddci-cases: passed"* ]]
	[[ "$output" == *"ok: $n matching cases, limit $n (--max)"* ]]
	if [ "$n" -gt 0 ]; then
		GITHUB_OUTPUT="$T/gh" run --separate-stderr ddci-cases gate --query 'status:open' --max $((n - 1))
		[ "$status" -eq 1 ]
		[[ "$output" == "ddci-cases: FAILED"* ]]
		grep -q '^gate_result=failed$' "$T/gh"
		grep -q "^cases=$n\$" "$T/gh"
	fi
}

@test "an empty match passes --max 0" {
	run --separate-stderr ddci-cases gate --query 'status:no-such-status' --max 0 --output json
	[ "$status" -eq 0 ]
	# the shape every gate shares (issue 21, finding 11)
	[ "$(jq -r .gate <<<"$output")" = ddci-cases ]
	[ "$(jq -r .result <<<"$output")" = passed ]
	[ "$(jq .counts.cases <<<"$output")" -eq 0 ]
	[ "$(jq -r '.checks[0].check + " " + (.checks[0].value|tostring)' <<<"$output")" = "max 0" ]
}

@test "issue 19.1/19.2: without --query or --limit the required query_filter and group_by.limit are sent" {
	for q in "" "--query ''"; do
		eval "run --separate-stderr ddci-cases count $q --output json"
		[ "$status" -eq 0 ]
		body=$(last_body /api/v2/cases/aggregate)
		[ "$(jq -r .data.attributes.query_filter <<<"$body")" = '*' ]
		[ "$(jq -r .data.attributes.group_by.limit <<<"$body")" = 1000 ]
		[ "$(jq .total <<<"$output")" -eq 40 ]
	done
	run --separate-stderr ddci-cases gate --max 100 --limit 1000
	[ "$status" -eq 0 ]
	run --separate-stderr ddci-cases count --limit 5000
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--limit"*"1000"* ]]
}

@test "bad flags exit 2 naming the flag, and send nothing" {
	for args in "" "frob" "gate" "gate --max -1" "gate --max x" "count --max 3" "count --group-by 'a;b'" \
		"count --limit 0" "count --fail-open" "count extra" "count --output table" "count --bogus"; do
		run --separate-stderr ddci-cases $args
		echo "args: $args -> $status: $stderr"
		[ "$status" -eq 2 ]
	done
	run --separate-stderr ddci-cases gate
	[[ "$stderr" == *"--max"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "the gate fails closed on 403, 429 and 5xx; --fail-open passes with a warning" {
	DD_API_KEY=wrongkeywrongkeywrongkey run --separate-stderr ddci-cases gate --max 1
	[ "$status" -eq 4 ]
	fake_faults '[{"path":"/api/v2/cases/aggregate","action":"status","status":429,"count":-1}]'
	run --separate-stderr ddci-cases gate --max 1 --retries 1
	[ "$status" -eq 3 ]
	run --separate-stderr ddci-cases gate --max 1 --retries 0 --fail-open
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"--fail-open"* ]]
	curl -sS -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
	fake_faults '[{"path":"/api/v2/cases/aggregate","action":"status","status":503,"count":1}]'
	run --separate-stderr ddci-cases count --output json
	[ "$status" -eq 0 ]
	[ "$(jq .total <<<"$output")" -eq 40 ]
	fake_faults '[{"path":"/api/v2/cases/aggregate","action":"status","status":500,"count":-1}]'
	run --separate-stderr ddci-cases count --retries 0
	[ "$status" -eq 3 ]
}
