#!/usr/bin/env bats
# ddci-tests against the fake Datadog: every page, in order, streamed.

load '../lib/common'
bats_require_minimum_version 1.5.0

setup() {
	ddci_setup --events-generate 57
	export DDCI_TIMEOUT=60
}
teardown() { fake_stop; }

ids() { jq -r .id; }

@test "issue 19.3: list sends filter[from]/filter[to] as RFC 3339 date-time" {
	run --separate-stderr ddci-tests list --from 1700000000123 --to 2030-01-02T03:04:05Z --limit 1000
	[ "$status" -eq 0 ]
	q=$(jq -r 'select(.path == "/api/v2/ci/tests/events") | .query' "$FAKE_LOG" | tail -n 1)
	[[ "$q" == *"filter%5Bfrom%5D=2023-11-14T22%3A13%3A20.123Z"* ]]
	[[ "$q" == *"filter%5Bto%5D=2030-01-02T03%3A04%3A05.000Z"* ]]
	[ "$(wc -l <<<"$output")" -eq 57 ]
}

@test "issue 19.9: aggregate tables print string computes" {
	run --separate-stderr ddci-tests aggregate --from now-8d --compute most_frequent:@test.name \
		--compute latest:@git.branch --compute count --group-by @test.status
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"most_frequent:@test.name"* ]]
	[[ "${lines[1]}" =~ test_[a-z_]+[0-9]+ ]]
	run --separate-stderr ddci-tests aggregate --from now-8d --compute most_frequent:@test.name
	[ "$status" -eq 0 ]
	[[ "$output" =~ test_[a-z_]+[0-9]+ ]]
}

@test "list reads every page, in order, as NDJSON" {
	run --separate-stderr ddci-tests list --from now-8d --sort timestamp --page-size 1000
	[ "$status" -eq 0 ]
	echo "$output" | ids >"$T/one-page"
	[ "$(wc -l <"$T/one-page")" -eq 57 ]
	run --separate-stderr ddci-tests list --from now-8d --sort timestamp --page-size 5
	[ "$status" -eq 0 ]
	echo "$output" | ids >"$T/pages"
	diff "$T/one-page" "$T/pages"
	[ "$(sort -u "$T/pages" | wc -l)" -eq 57 ]
	[ "$(fake_requests /api/v2/ci/tests/events)" -eq 13 ] # 1 + 12 pages of 5
	# the cursor goes back as page[cursor], the filters on every page
	jq -r 'select(.path == "/api/v2/ci/tests/events") | .query' "$FAKE_LOG" | tail -n 1 | grep -q 'page%5Bcursor%5D='
	jq -r 'select(.path == "/api/v2/ci/tests/events") | .query' "$FAKE_LOG" | tail -n 1 | grep -q 'sort=timestamp'
	assert_no_secret "$output" "$stderr"
}

@test "search reads every page through the body cursor" {
	run --separate-stderr ddci-tests search --from now-8d --sort -timestamp --page-size 4 --timezone UTC
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | ids | sort -u | wc -l)" -eq 57 ]
	body=$(last_body /api/v2/ci/tests/events/search)
	[ "$(jq -r .page.limit <<<"$body")" = 4 ]
	[ "$(jq -r .options.timezone <<<"$body")" = UTC ]
	[ "$(jq -r .sort <<<"$body")" = -timestamp ]
	[ -n "$(jq -r .page.cursor <<<"$body")" ]
	run ddci-tests search --from now-8d --sort -timestamp --page-size 1000
	[ "$(echo "$output" | ids)" = "$(ddci-tests search --from now-8d --sort -timestamp --page-size 4 | ids)" ]
}

@test "--output json is one valid array with every event" {
	run --separate-stderr ddci-tests list --from now-8d --page-size 10 --output json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 57 ]
	[ "$(jq -r '.[0].type' <<<"$output")" = citest ]
}

@test "--output table prints a header and one row per event" {
	run --separate-stderr ddci-tests list --from now-8d --page-size 20 --output table
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == STATUS* ]]
	[ "${#lines[@]}" -eq 58 ]
}

@test "--max-events stops early and says so" {
	run --separate-stderr ddci-tests list --from now-8d --page-size 5 --max-events 12
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -l)" -eq 12 ]
	[ "$(fake_requests /api/v2/ci/tests/events)" -eq 3 ]
	[[ "$stderr" == *"stopped after 12 events (--limit)"* ]]
	# --limit is the same: at most N events, whatever the page size
	run --separate-stderr ddci-tests list --from now-8d --limit 12
	[ "$(echo "$output" | wc -l)" -eq 12 ]
}

@test "an empty result is empty NDJSON and an empty JSON array" {
	run --separate-stderr ddci-tests list --query '@test.service:no-such-service-xyz' --from now-8d
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr ddci-tests list --query '@test.service:no-such-service-xyz' --from now-8d --output json
	[ "$status" -eq 0 ]
	[ "$(jq -c . <<<"$output")" = "[]" ]
}

@test "meta.status timeout is reported on stderr; --strict exits 3" {
	fake_faults '[{"path":"/api/v2/ci/tests/events","action":"partial"}]'
	run --separate-stderr ddci-tests list --from now-8d --page-size 20
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"partial"* ]]
	[[ "$stderr" == *"timeout"* ]]
	fake_faults '[{"path":"/api/v2/ci/tests/events","action":"partial"}]'
	run --separate-stderr ddci-tests list --from now-8d --page-size 20 --strict
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"--strict"* ]]
}

@test "bad flags and enums exit 2 naming the flag, and send nothing" {
	for args in "list --sort ascending" "list --limit 0" "list --page-size 0" "list --page-size 1001" "list --max-events -1" \
		"list --from yesterday" "list --output text" "list --timezone UTC" "search --timezone UTC --time-offset 60" \
		"frobnicate" "" "list extra" "list --bogus"; do
		run --separate-stderr ddci-tests $args
		echo "args: $args -> $status: $stderr"
		[ "$status" -eq 2 ]
	done
	run --separate-stderr ddci-tests list --sort ascending
	[[ "$stderr" == *"--sort 'ascending'"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "a wrong API key exits 4 with the 403" {
	DD_API_KEY=wrongkeywrongkeywrongkey run --separate-stderr ddci-tests list
	[ "$status" -eq 4 ]
	[[ "$stderr" == *403* || "$stderr" == *Forbidden* ]]
	[[ "$stderr" != *wrongkeywrongkeywrongkey* ]]
}

@test "a 429 mid-way is retried and the listing completes" {
	fake_faults '[{"path":"/api/v2/ci/tests/events","action":"status","status":429,"headers":{"Retry-After":"1"}}]'
	run --separate-stderr ddci-tests list --from now-8d --page-size 20
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -l)" -eq 57 ]
}

@test "429 or 5xx after every retry exits 3" {
	fake_faults '[{"path":"/api/v2/ci/tests/events","action":"status","status":429,"count":-1}]'
	run --separate-stderr ddci-tests list --retries 1
	[ "$status" -eq 3 ]
	curl -sS -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
	fake_faults '[{"path":"/api/v2/ci/tests/events","action":"status","status":503,"count":-1}]'
	run --separate-stderr ddci-tests list --retries 1
	[ "$status" -eq 3 ]
}

@test "a 503 on page 3 is retried; every event arrives once, in order" {
	ddci-tests list --from now-8d --sort timestamp --page-size 1000 | ids >"$T/want"
	fake_faults '[{"path":"/api/v2/ci/tests/events","action":"status","status":503,"count":1}]'
	ddci-tests list --from now-8d --sort timestamp --page-size 5 | ids >"$T/got"
	diff "$T/want" "$T/got"
}

@test "--dry-run prints the first request and sends nothing" {
	run --separate-stderr ddci-tests search --query '@test.status:fail' --page-size 3 --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"POST $FAKE_URL/api/v2/ci/tests/events/search"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "50,000 events over 500 pages arrive complete and in order" {
	fake_stop
	fake_start --events-generate 50000
	# ASan's quarantine keeps freed memory; turn it down so RSS shows what ddci holds
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=1"
	# 500 requests under ASan on a loaded machine can take longer than the
	# default 30 s --timeout: this test counts events and requests, not time.
	export DDCI_TIMEOUT=3600
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v -o "$T/time50k" ddci-tests list --from now-8d --sort timestamp --page-size 100 | ids >"$T/got"
	else
		ddci-tests list --from now-8d --sort timestamp --page-size 100 | ids >"$T/got"
	fi
	[ "$(wc -l <"$T/got")" -eq 50000 ]
	[ "$(sort -u "$T/got" | wc -l)" -eq 50000 ]
	n=$(fake_requests /api/v2/ci/tests/events); [ "$n" -ge 500 ] && [ "$n" -le 501 ]
	ddci-tests list --from now-8d --sort timestamp --page-size 1000 | ids >"$T/want"
	diff -q "$T/want" "$T/got"
	if [ -s "$T/time50k" ]; then
		/usr/bin/time -v -o "$T/time5k" ddci-tests list --from now-8d --sort timestamp --page-size 100 --max-events 5000 >/dev/null
		echo "# max RSS: 5k events $(awk -F': ' '/Maximum resident/ {print $2}' "$T/time5k") kB, 50k events $(awk -F': ' '/Maximum resident/ {print $2}' "$T/time50k") kB" >&3
	fi
}

@test "aggregate: count per facet as a table and JSON; bad computes exit 2" {
	run --separate-stderr ddci-tests aggregate --compute count --group-by @test.status --from now-8d --output json
	[ "$status" -eq 0 ]
	[ "$(jq '[.[].computes.c0] | add' <<<"$output")" -eq 57 ]
	body=$(last_body /api/v2/ci/tests/analytics/aggregate)
	[ "$(jq -r '.group_by[0].facet' <<<"$body")" = @test.status ]
	run --separate-stderr ddci-tests aggregate --group-by @test.status --from now-8d
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == @test.status*count* ]]
	n=$(fake_requests)
	for args in "--compute bogus" "--compute avg" "--interval soon" "--sort timestamp" "--limit 0"; do
		run ddci-tests aggregate $args
		[ "$status" -eq 2 ]
	done
	[ "$(fake_requests)" -eq "$n" ]
}
