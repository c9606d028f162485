#!/usr/bin/env bats
# ddci-incident against the fake Datadog.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup_repo
	HEAD=$(git rev-parse HEAD)
}
teardown() { ddci_teardown; }

@test "incident with services: sends them, prints the id, git attached" {
	run --separate-stderr ddci-incident --name "checkout down" --severity High --service shop --service cart \
		--env prod --started-at 1700000000 --finished-at 1700000600 --tag sev:1
	[ "$status" -eq 0 ]
	[[ "$output" == ddci-fail-* ]]
	body=$(last_body /api/v2/dora/failure)
	[ "$(jq -c .data.attributes.services <<<"$body")" = '["shop","cart"]' ]
	[ "$(jq -r .data.attributes.name <<<"$body")" = "checkout down" ]
	[ "$(jq -r .data.attributes.severity <<<"$body")" = High ]
	[ "$(jq -r .data.attributes.env <<<"$body")" = prod ]
	[ "$(jq -r .data.attributes.git.commit_sha <<<"$body")" = "$HEAD" ]
	[ "$(jq -r .data.attributes.git.repository_url <<<"$body")" = https://github.com/acme/shop.git ]
	[ "$(jq -r .data.attributes.id <<<"$body")" = "$output" ]
	grep -Eq '"started_at":1700000000000000000[,}]' "$FAKE_LOG"
	grep -Eq '"finished_at":1700000600000000000[,}]' "$FAKE_LOG"
	[ "$(fake_get /_fake/state | jq '.failures | length')" -eq 1 ]
	assert_no_secret "$output" "$stderr" "$(cat "$FAKE_LOG")"
}

@test "incident with a team and no service" {
	run ddci-incident --team payments --started-at 1700000000
	[ "$status" -eq 0 ]
	body=$(last_body /api/v2/dora/failure)
	[ "$(jq -r .data.attributes.team <<<"$body")" = payments ]
	[ "$(jq -c .data.attributes.services <<<"$body")" = null ]
	[ "$(jq -c .data.attributes.finished_at <<<"$body")" = null ]
}

@test "incident with neither services nor team exits 2 and sends nothing" {
	run --separate-stderr ddci-incident --name x --started-at 1700000000
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--service or --team"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "DD_SERVICE and DD_ENV are the defaults" {
	DD_SERVICE=web DD_ENV=staging run ddci-incident --started-at 1700000000
	[ "$status" -eq 0 ]
	body=$(last_body /api/v2/dora/failure)
	[ "$(jq -c .data.attributes.services <<<"$body")" = '["web"]' ]
	[ "$(jq -r .data.attributes.env <<<"$body")" = staging ]
}

@test "the flags win over DD_SERVICE/DD_ENV/DD_VERSION; --team drops DD_SERVICE; a non-UTF-8 DD_ENV exits 2" {
	DD_SERVICE=web DD_ENV=staging DD_VERSION=1.2 run ddci-incident --started-at 1700000000 --service api \
		--env prod --service-version 2.0
	[ "$status" -eq 0 ]
	body=$(last_body /api/v2/dora/failure)
	[ "$(jq -c .data.attributes.services <<<"$body")" = '["api"]' ]
	[ "$(jq -r .data.attributes.env <<<"$body")" = prod ]
	[ "$(jq -r .data.attributes.version <<<"$body")" = 2.0 ]
	DD_SERVICE=web DD_VERSION=1.2 run ddci-incident --started-at 1700000100 --team payments
	[ "$status" -eq 0 ]
	body=$(last_body /api/v2/dora/failure)
	[ "$(jq -c .data.attributes.services <<<"$body")" = null ]
	[ "$(jq -r .data.attributes.version <<<"$body")" = 1.2 ]
	n=$(fake_requests)
	DD_ENV=$'\xff' run --separate-stderr ddci-incident --started-at 1700000000 --service api
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"DD_ENV"*"UTF-8"* ]]
	[ "$(fake_requests)" -eq "$n" ]
}

@test "the same incident twice is stored once" {
	ddci-incident --service shop --started-at 1700000000 --name down
	ddci-incident --service shop --started-at 1700000000 --name down
	[ "$(fake_get /_fake/state | jq '.failures | length')" -eq 1 ]
	[ "$(fake_get /_fake/state | jq '.failures[0].received')" -eq 2 ]
}

@test "missing --started-at exits 2" {
	run --separate-stderr ddci-incident --service shop
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--started-at"* ]]
}

@test "outside a repository the incident is sent without git" {
	mkdir "$T/plain"
	cd "$T/plain"
	run ddci-incident --service shop --started-at 1700000000
	[ "$status" -eq 0 ]
	[ "$(last_body /api/v2/dora/failure | jq -c .data.attributes.git)" = null ]
}

@test "--no-git, --id and GITHUB_OUTPUT" {
	export GITHUB_OUTPUT="$T/gh"
	run ddci-incident --team core --started-at 1700000000 --no-git --id my-incident-0000000001
	[ "$status" -eq 0 ]
	[ "$output" = my-incident-0000000001 ]
	grep -qx "failure_id=my-incident-0000000001" "$GITHUB_OUTPUT"
	[ "$(last_body /api/v2/dora/failure | jq -c .data.attributes.git)" = null ]
}

@test "--no-fail turns an outage into exit 0 with a warning" {
	fake_stop
	run --separate-stderr ddci-incident --team core --started-at 1700000000 --timeout 1 --no-fail
	[ "$status" -eq 0 ]
	[[ "$stderr" == *warning* ]]
}

@test "--dry-run prints the request and sends nothing" {
	run ddci-incident --team core --started-at 1700000000 --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"POST $FAKE_URL/api/v2/dora/failure"* ]]
	[ "$(fake_requests)" -eq 0 ]
}
