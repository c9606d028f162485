#!/usr/bin/env bats
# DORA as documented (issue 19): lists without paging read completely by
# splitting full windows, reports from documented data, timestamps as
# integers or RFC 3339 strings, Datadog's own short ids, exact int64 in JSON.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup
	fake_stop # each test starts the fake in the mode it needs
	export DDCI_TIMEOUT=120
	mkdir -p "$T/repo"
	cd "$T/repo"
}
teardown() { ddci_teardown; }

# list_bodies — the DORA list request bodies the fake received, one a line.
list_bodies() { jq -c 'select(.path == "/api/v2/dora/deployments" or .path == "/api/v2/dora/failures") | .body' "$FAKE_LOG"; }

@test "issue 19.4: 10,000 deployments are all read (list and report), no invented page member" {
	fake_start --dora-generate 10000
	run --separate-stderr ddci-dora list deployments --output json --verbose
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 10000 ]
	[ "$(jq -r '.[].id' <<<"$output" | sort -u | wc -l)" -eq 10000 ]
	# newest first (the default sort), across the split windows
	[ "$(jq -r '.[0].id' <<<"$output")" = gen-deployment-0009999 ]
	[ "$(jq -r '.[9999].id' <<<"$output")" = gen-deployment-0000000 ]
	[[ "$stderr" == *"dora: 10000 deployments in "*" queries"* ]]
	[ "$(list_bodies | jq -s 'map(select(.data.attributes.page != null)) | length')" -eq 0 ]
	[ "$(list_bodies | jq -s 'map(.data.attributes.limit) | max')" -le 1000 ]
	run --separate-stderr ddci-dora report --service gen --env prod --output json
	[ "$status" -eq 0 ]
	[ "$(jq .deployments <<<"$output")" -eq 10000 ]
	run --separate-stderr ddci-dora list deployments --limit 5000 --sort started_at --output json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 5000 ]
	[ "$(jq -r '.[0].id' <<<"$output")" = gen-deployment-0000000 ]
	[ "$(jq -r '.[4999].id' <<<"$output")" = gen-deployment-0004999 ]
}

@test "issue 19.4: a full window that cannot be split is an error, never a silent cut" {
	fake_start --dora-generate 1001 --dora-generate-span 0
	run --separate-stderr ddci-dora list deployments --output json
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"cannot be split"* ]]
	[ -z "$output" ]
	run --separate-stderr ddci-dora report --service gen
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"cannot be split"* ]]
	# --limit up to 1000 asks for the first N in order: one request answers it
	run --separate-stderr ddci-dora list deployments --limit 1000 --output json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 1000 ]
}

# two deployments of shop/prod an hour apart (of the repository in the
# current directory, or without git); prints their ids
two_deployments() {
	local git=--no-git
	[ -d .git ] && git=
	ddci-deploy --service shop --env prod $git --started-at now-3h --finished-at now-170m --id dep-aaaaaaaaaaaaaaaa
	ddci-deploy --service shop --env prod $git --started-at now-2h --finished-at now-110m --id dep-bbbbbbbbbbbbbbbb
}

@test "issue 19.5: with documented-only answers the change failure rate is unknown, then computed from failure events" {
	fake_start --dora-documented
	two_deployments
	# marked through PATCH, but a documented list answer does not carry it
	ddci-change-failure --deployment-id dep-bbbbbbbbbbbbbbbb --remediation-id dep-aaaaaaaaaaaaaaaa \
		--remediation-type rollback
	run --separate-stderr ddci-dora report --service shop --env prod
	[ "$status" -eq 0 ]
	[[ "$output" == *"change failure rate    unknown ("*"no failure events"* ]]
	[[ "$output" != *"0.0% (0 of 2)"* ]]
	run --separate-stderr ddci-dora report --service shop --env prod --output json
	[ "$(jq .change_failure_rate <<<"$output")" = null ]
	[ "$(jq .change_failure_rate_known <<<"$output")" = false ]
	# a failure after the second deployment, resolved in 30 minutes
	ddci-incident --service shop --env prod --no-git --started-at now-100m --finished-at now-70m
	run --separate-stderr ddci-dora report --service shop --env prod
	[ "$status" -eq 0 ]
	[[ "$output" == *"change failure rate    50.0% (1 of 2)"* ]]
	[[ "$output" == *"time to restore        median 30m"* ]]
}

@test "issue 19.6: RFC 3339 string timestamps in responses work everywhere" {
	fake_start --dora-time-strings
	make_repo "$T/git"
	cd "$T/git"
	two_deployments
	run --separate-stderr ddci-dora list deployments
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" != *" - "*open* ]]
	[[ "$output" == *"10m 00s"* ]]
	run --separate-stderr ddci-dora get deployment dep-aaaaaaaaaaaaaaaa
	[ "$status" -eq 0 ]
	[[ "$output" == *"10m 00s"* ]]
	run --separate-stderr ddci-dora report --service shop --env prod --output json
	[ "$status" -eq 0 ]
	[ "$(jq .deployments <<<"$output")" -eq 2 ]
	run --separate-stderr ddci-change-failure --last --service shop --env prod
	[ "$status" -eq 0 ]
	[[ "$output$stderr" == *dep-bbbbbbbbbbbbbbbb* ]]
	commit "$T/git" three
	run --separate-stderr ddci-deploy --service shop --env prod --started-at now-1m --remediates auto
	echo "$status: $output $stderr"
	[ "$status" -eq 0 ]
	[ "$(fake_get /_fake/state | jq '[.deployments[] | select(.patched > 0)] | length')" -ge 1 ]
}

@test "issue 19.7: ids of existing events may be short (Datadog's own); ids ddci creates stay 16-128" {
	fake_start
	ddci-deploy --service shop --env prod --no-git --started-at now-1h --id dep-aaaaaaaaaaaaaaaa >/dev/null
	for cmd in "ddci-change-failure --deployment-id z_RwVLi7v4Y" \
		"ddci-change-failure --deployment-id dep-aaaaaaaaaaaaaaaa --remediation-id z_RwVLi7v4Y --remediation-type rollback" \
		"ddci-deploy --service shop --no-git --started-at now-5m --remediates z_RwVLi7v4Y" \
		"ddci-dora get deployment z_RwVLi7v4Y"; do
		run --separate-stderr $cmd
		echo "$cmd -> $status: $stderr"
		[ "$status" -ne 2 ] # sent; the fake does not know it (404) or accepts it
	done
	[ "$(fake_requests /api/v2/dora/deployments/z_RwVLi7v4Y)" -ge 2 ]
	for cmd in "ddci-deploy --service shop --no-git --started-at now-5m --id z_RwVLi7v4Y" \
		"ddci-change-failure --deployment-id a/b" "ddci-dora get deployment .." \
		"ddci-deploy --service shop --no-git --started-at now-5m --remediates ''"; do
		run --separate-stderr eval "$cmd"
		echo "$cmd -> $status: $stderr"
		[ "$status" -eq 2 ]
	done
}

@test "issue 19.8: --output json keeps int64 nanoseconds exact (list and get)" {
	fake_start
	ddci-deploy --service shop --no-git --started-at 1796280091771195122 --finished-at 1796280091771195999 \
		--id dep-0123456789abcdef >/dev/null
	run --separate-stderr ddci-dora get deployment dep-0123456789abcdef --output json
	[ "$status" -eq 0 ]
	[[ "$output" == *'"started_at":'*1796280091771195122* ]]
	[[ "$output" == *'"finished_at":'*1796280091771195999* ]]
	run --separate-stderr ddci-dora list deployments --output json
	[ "$status" -eq 0 ]
	[[ "$output" == *'"started_at":1796280091771195122'* ]]
	[[ "$output" != *e+18* ]]
}
