#!/usr/bin/env bats
# ddci-dora: list, get, delete, and the report against a hand-computed fixture.

bats_require_minimum_version 1.5.0
load '../lib/common'

B=1700000000 # 2023-11-14T22:13:20Z

# commit_at DIR MESSAGE EPOCH — a commit with fixed author and committer time.
commit_at() {
	GIT_AUTHOR_DATE="@$3 +0000" GIT_COMMITTER_DATE="@$3 +0000" commit "$1" "$2"
	git -C "$1" rev-parse HEAD
}

setup() {
	ddci_setup
	mkdir -p "$T/repo"
	git -C "$T/repo" init -q
	git -C "$T/repo" remote add origin https://github.com/acme/shop.git
	cd "$T/repo"
}
teardown() { ddci_teardown; }

deploy_at() { # COMMIT START FINISH
	git checkout -q "$1"
	ddci-deploy --service shop --env prod --started-at "$2" --finished-at "$3"
}

# The fixture (seconds after B):
#   c0 @-10000 deployed as D0 [-5000, -4000]  (before the window)
#   c1 @1000, c2 @2000 deployed as D1 [5000, 5600]   leads 4600, 3600
#   c3 @10000 deployed as D2 [20000, 20400]           lead 10400; a change failure
#   c2 redeployed as D3 [21000, 21600]                rollback, no new commit; restore 1200
#   c4 @30000 deployed as D4 [40000, 40800]           c2..c4: leads 30800 (c3), 10800 (c4)
# Window [B, B+7d]: 4 deployments, 4/7 a day, 4 a week; leads 3600 4600 10400
# 10800 30800 -> median 10400, p90 (rank ceil(4.5) = 5) 30800; change failure
# rate 1/4; time to restore median 1200.
make_fixture() {
	c0=$(commit_at "$T/repo" c0 $((B - 10000)))
	c1=$(commit_at "$T/repo" c1 $((B + 1000)))
	c2=$(commit_at "$T/repo" c2 $((B + 2000)))
	c3=$(commit_at "$T/repo" c3 $((B + 10000)))
	c4=$(commit_at "$T/repo" c4 $((B + 30000)))
	D0=$(deploy_at "$c0" $((B - 5000)) $((B - 4000)))
	D1=$(deploy_at "$c2" $((B + 5000)) $((B + 5600)))
	D2=$(deploy_at "$c3" $((B + 20000)) $((B + 20400)))
	D3=$(deploy_at "$c2" $((B + 21000)) $((B + 21600)))
	ddci-change-failure --deployment-id "$D2" --remediation-id "$D3" >/dev/null
	D4=$(deploy_at "$c4" $((B + 40000)) $((B + 40800)))
	git checkout -q "$c4"
}

@test "report: the four figures match the hand-computed fixture" {
	make_fixture
	run --separate-stderr ddci-dora report --service shop --env prod --from $B --to $((B + 7 * 86400)) --output json
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq .deployments <<<"$output")" -eq 4 ]
	[ "$(jq '.deployments_per_day * 1000 | round' <<<"$output")" -eq 571 ]
	[ "$(jq '.deployments_per_week * 1000 | round' <<<"$output")" -eq 4000 ]
	[ "$(jq .lead_time_commits <<<"$output")" -eq 5 ]
	[ "$(jq .lead_time_median_seconds <<<"$output")" -eq 10400 ]
	[ "$(jq .lead_time_p90_seconds <<<"$output")" -eq 30800 ]
	[ "$(jq .change_failures <<<"$output")" -eq 1 ]
	[ "$(jq .change_failure_rate <<<"$output")" = 0.25 ]
	[ "$(jq .restores <<<"$output")" -eq 1 ]
	[ "$(jq .time_to_restore_median_seconds <<<"$output")" -eq 1200 ]
}

@test "report: text form" {
	make_fixture
	run ddci-dora report --service shop --env prod --from $B --to $((B + 7 * 86400))
	[ "$status" -eq 0 ]
	[[ "$output" == *"4 deployments: 0.57/day, 4.00/week"* ]]
	[[ "$output" == *"change failure rate    25.0% (1 of 4)"* ]]
	[[ "$output" == *"(5 commits)"* ]]
	[[ "$output" == *"(1 restored)"* ]]
}

@test "report: without --service exits 2" {
	run --separate-stderr ddci-dora report
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--service"* ]]
}

@test "list deployments: table, newest first" {
	make_fixture
	run ddci-dora list deployments --query 'service:shop env:prod'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "ID "*"SERVICE"*"COMMIT"*"FAILURE" ]]
	[ "${#lines[@]}" -eq 6 ]
	[[ "${lines[1]}" == "$D4 "* ]]
	[[ "${lines[5]}" == "$D0 "* ]]
	[[ "$(printf '%s\n' "${lines[@]}" | grep "^$D2 ")" == *rollback ]]
}

@test "list deployments: JSON, --limit, --sort, --from" {
	make_fixture
	run ddci-dora list deployments --output json --limit 2 --sort started_at
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 2 ]
	[ "$(jq -r '.[0].id' <<<"$output")" = "$D0" ]
	run ddci-dora list deployments --output json --from $B
	[ "$(jq length <<<"$output")" -eq 4 ]
	run ddci-dora list deployments --output json --query 'service:nothing'
	[ "$output" = "[]" ]
}

@test "list, get and delete failures" {
	F=$(ddci-incident --service shop --name "checkout down" --severity High --started-at $B --finished-at $((B + 600)))
	ddci-incident --team core --started-at $((B + 100)) >/dev/null
	run ddci-dora list failures
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" == *"checkout down"*"High"*"shop"*"10m"* ]]
	run ddci-dora get failure "$F" --output json
	[ "$status" -eq 0 ]
	[ "$(jq -r .attributes.name <<<"$output")" = "checkout down" ]
	run ddci-dora delete failure "$F"
	[ "$status" -eq 0 ]
	[ "$output" = "deleted failure $F" ]
	[ "$(fake_get /_fake/state | jq '.failures | length')" -eq 1 ]
	run --separate-stderr ddci-dora get failure "$F"
	[ "$status" -eq 4 ]
	[[ "$stderr" == *404* ]]
}

@test "get and delete a deployment" {
	git commit -q --allow-empty -m one
	D=$(ddci-deploy --service shop --started-at $B)
	run ddci-dora get deployment "$D"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "$D "*shop* ]]
	run ddci-dora delete deployment "$D"
	[ "$status" -eq 0 ]
	[ "$(fake_get /_fake/state | jq '.deployments | length')" -eq 0 ]
}

@test "bad usage exits 2" {
	run ddci-dora
	[ "$status" -eq 2 ]
	run ddci-dora list
	[ "$status" -eq 2 ]
	run ddci-dora list things
	[ "$status" -eq 2 ]
	run ddci-dora get deployment
	[ "$status" -eq 2 ]
	run ddci-dora frob deployment
	[ "$status" -eq 2 ]
	run ddci-dora list deployments --limit 0
	[ "$status" -eq 2 ]
	[ "$(fake_requests)" -eq 0 ]
}
