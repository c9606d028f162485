#!/usr/bin/env bats
# Help that helps, defaults for real volumes and output a user relies on
# (issue 21, findings 9, 10 and 12).

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup_repo
}
teardown() { ddci_teardown; }

@test "finding 12: an unknown flag says 'did you mean'" {
	run --separate-stderr ddci-deploy --servce shop --started-at now
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown option '--servce' (did you mean '--service'?)"* ]]
	run --separate-stderr ddci-failrate-gate --max-failur-rate=5
	[[ "$stderr" == *"did you mean '--max-failure-rate'?"* ]]
	run --separate-stderr ddci-deploy --zzzzzzzz
	[[ "$stderr" == *"unknown option '--zzzzzzzz'"* ]]
	[[ "$stderr" != *"did you mean"* ]]
	run --separate-stderr ddci deploj
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"did you mean 'deploy'?"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "finding 9: ddci help <command> prints that command's help" {
	run --separate-stderr ddci help deploy
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "ddci-deploy - "* ]]
	run --separate-stderr ddci help
	[ "$status" -eq 0 ]
	[[ "$output" == *"ddci help <command>"* ]]
	run --separate-stderr ddci help nope
	[ "$status" -eq 2 ]
}

@test "finding 9: --help names every variable alias; reporters do not list exit 1; one --retries wording" {
	for exe in ddci-deploy ddci-incident ddci-change-failure ddci-flush; do
		run --separate-stderr $exe --help
		[[ "$output" == *DATADOG_APP_KEY* ]]
		[[ "$output" == *SSL_CERT_DIR* ]]
		[[ "$output" == *"DD_SITE, DATADOG_SITE"* ]]
		[[ "$output" == *"SSL_CERT_FILE, CURL_CA_BUNDLE"* ]]
		[[ "$output" != *"1  gate failed"* ]]
		[[ "$output" == *"--no-fail turns 3 and 4 into 0 (never 2)"* ]]
	done
	for exe in ddci-flaky-gate ddci-failrate-gate; do
		run --separate-stderr $exe --help
		[[ "$output" == *"1  gate failed"* ]]
	done
	run --separate-stderr ddci-deploy --help
	[[ "$output" == *"retries on network errors and 5xx; 429s are waited out within --timeout (0: no retry, no wait)"* ]]
	grep -q 'HTTP 429 does not use up a retry' "$DDCI_ROOT/man/ddci.7.scd"
	grep -q 'A 429 does not use one up and is waited out until `--timeout`' "$DDCI_ROOT/README.md"
}

@test "finding 9: ddci-dora list takes ndjson as ddci(7) says listing commands do" {
	ddci-deploy --service shop --env prod --started-at 1700000000 >/dev/null
	ddci-deploy --service shop --env prod --started-at 1700000100 >/dev/null
	run --separate-stderr ddci-dora list deployments --output ndjson
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	jq -e .id <<<"${lines[0]}" >/dev/null
}

@test "finding 9: make fake starts the bundled fake Datadog for trying commands by hand" {
	grep -q 'make fake' "$DDCI_ROOT/README.md"
	run env FAKE_BIN="$DDCI_FAKE" DDCI_FAKE_ONCE=1 "$DDCI_ROOT/tests/fake-datadog/start.sh"
	[ "$status" -eq 0 ]
	[[ "$output" == *"export DDCI_API_URL=http://127.0.0.1:"* ]]
	[[ "$output" == *"export DD_API_KEY="* ]]
}

@test "finding 10: ddci-tests pages at 1000 by default, --limit is at most N, --page-size the page" {
	fake_stop
	fake_start --events-generate 2500
	run --separate-stderr ddci-tests list --from now-8d -v
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2500 ]
	[ "$(fake_requests /api/v2/ci/tests/events)" -eq 3 ]
	[[ "$stderr" == *"ddci-tests: 2500 events in 3 requests"* ]]
	run --separate-stderr ddci-tests list --from now-8d --limit 1200
	[ "${#lines[@]}" -eq 1200 ]
	run --separate-stderr ddci-tests list --from now-8d --limit 30 --page-size 10 --output json
	[ "$(jq length <<<"$output")" -eq 30 ]
	[ "$(jq -r .query "$FAKE_LOG" | tail -n 1 | grep -o 'page%5Blimit%5D=[0-9]*\|page\[limit\]=[0-9]*')" != "" ]
}

@test "finding 10: progress on a terminal, and rate-limit waits are announced" {
	fake_stop
	fake_start --events-generate 1500
	command -v script >/dev/null || skip "script(1) is not installed"
	script -qec "ddci-tests list --from now-8d --page-size 500 >'$T/out'" "$T/tty" >/dev/null
	grep -q 'ddci-tests: 1500 events, 3 requests' "$T/tty"
	[ "$(wc -l <"$T/out")" -eq 1500 ]
	fake_faults '[{"path":"/api/v2/ci/tests/events","action":"status","status":429,"headers":{"Retry-After":"1"}}]'
	run --separate-stderr ddci-tests list --from now-8d --limit 5
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"ddci-tests: rate limited (HTTP 429): waiting "*" s"* ]]
}

# ftest ID RATE LOST_MS — one active flaky test of acme/shop (as flaky-gate.bats)
ftest() {
	jq -nc --arg id "$1" --argjson rate "$2" --argjson lost "$3" \
		'{id:$id, repository_id:"github.com/acme/shop", branches:["main"],
		  attributes:{name:("test_"+$id), suite:"CartTest", module:"shop/unit", flaky_state:"active",
		    first_flaked_sha:"0c6be03165b7f7ffe96e076ffb29afb2825616c3", first_flaked_branch:"main",
		    codeowners:["@acme/shop"], services:["shop"], envs:["ci"],
		    pipeline_stats:{failed_pipelines:3, total_lost_time_ms:$lost},
		    test_run_metadata:{source_file:("tests/test_"+$id+".py"), source_start:12, source_end:20},
		    test_stats:{failure_rate_pct:$rate}}}'
}

@test "finding 12: offending tables leave out ok rows and say how they are ordered" {
	fake_post /_fake/flaky-tests "$(jq -sc . <<<"$(ftest a1 80 1000) $(ftest b2 10 900000) $(ftest c3 5 5)")" >/dev/null
	run --separate-stderr ddci-flaky-gate --max-failure-rate 50
	[ "$status" -eq 1 ]
	[[ "$output" == *"offending flaky tests (over a per-test limit first, then most pipeline time lost):"* ]]
	[[ "$output" == *test_a1* ]]
	[[ "$output" != *test_b2* ]]
	[[ "$output" == *"time lost"* ]]
	run --separate-stderr ddci-failrate-gate --max-failure-rate 50 --query '*'
	[[ "$output" != *"(by impact)"* ]]
}

@test "finding 12: a misspelled service says 0 deployments found for it, not a --repo problem" {
	ddci-deploy --service shop --env prod --started-at now-1h >/dev/null
	run --separate-stderr ddci-dora report --service shpo --env prod --from now-2h
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"0 deployments found for service 'shpo' and env 'prod'"* ]]
	[[ "$output" != *"--repo"* ]]
	[[ "$output" == *"0 deployments in 2h"* ]]
}

@test "finding 12: one deployment in a 1-hour window: no plural, no per-week extrapolation" {
	ddci-deploy --service shop --env prod --started-at now-30m >/dev/null
	run --separate-stderr ddci-dora report --service shop --env prod --from now-1h
	[ "$status" -eq 0 ]
	[[ "$output" == *"deployment frequency   1 deployment in 1h"* ]]
	[[ "$output" != *"/week"* ]]
	[[ "$output" != *"1 deployments"* ]]
}

@test "finding 12: --last --remediated-by-current names the real problem" {
	V1=$(git rev-parse HEAD)
	ddci-deploy --service shop --env prod --started-at 1700000000 >/dev/null
	commit "$T/repo" "v2"
	ddci-deploy --service shop --env prod --started-at 1700001000 >/dev/null
	git checkout -q "$V1"
	run --separate-stderr ddci-change-failure --last --service shop --env prod --remediated-by-current
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"HEAD's latest deployment"*"is older than the latest deployment"*"deploy HEAD with ddci-deploy first"* ]]
}
