#!/usr/bin/env bats
# ddci-deploy against the fake Datadog, in real temporary repositories.

load '../lib/common'

setup() {
	ddci_setup_repo
	HEAD=$(git rev-parse HEAD)
}
teardown() { ddci_teardown; }

@test "sends HEAD and the origin URL without credentials; prints the id" {
	run --separate-stderr ddci-deploy --service shop --env prod --started-at now-5m --service-version 1.2.3
	[ "$status" -eq 0 ]
	[[ "$output" == ddci-dep-* ]]
	body=$(last_body /api/v2/dora/deployment)
	[ "$(jq -r .data.attributes.git.commit_sha <<<"$body")" = "$HEAD" ]
	[ "$(jq -r .data.attributes.git.repository_url <<<"$body")" = "https://github.com/acme/shop.git" ]
	[ "$(jq -r .data.attributes.service <<<"$body")" = shop ]
	[ "$(jq -r .data.attributes.env <<<"$body")" = prod ]
	[ "$(jq -r .data.attributes.version <<<"$body")" = 1.2.3 ]
	[ "$(jq -r .data.attributes.id <<<"$body")" = "$output" ]
	# timestamps are JSON integers in nanoseconds, never floats
	grep -Eq '"started_at":[0-9]{19}[,}]' "$FAKE_LOG"
	grep -Eq '"finished_at":[0-9]{19}[,}]' "$FAKE_LOG"
	assert_no_secret "$output" "$stderr" "$(cat "$FAKE_LOG")"
}

@test "running the same deploy twice stores one deployment" {
	ddci-deploy --service shop --env prod --started-at 1700000000
	ddci-deploy --service shop --env prod --started-at 1700000000
	[ "$(fake_get /_fake/state | jq '.deployments | length')" -eq 1 ]
	[ "$(fake_requests /api/v2/dora/deployment)" -eq 2 ]
}

@test "a 503 then 200 is retried and stores one deployment" {
	fake_faults '[{"path":"/api/v2/dora/deployment","action":"status","status":503}]'
	run ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 0 ]
	[ "$(fake_requests /api/v2/dora/deployment)" -eq 2 ]
	[ "$(fake_get /_fake/state | jq '.deployments | length')" -eq 1 ]
}

@test "a 429 with Retry-After is waited for and retried" {
	fake_faults '[{"path":"/api/v2/dora/deployment","action":"status","status":429,"headers":{"Retry-After":"1"}}]'
	start=$(date +%s%N)
	run ddci-deploy --service shop --started-at 1700000000
	end=$(date +%s%N)
	[ "$status" -eq 0 ]
	[ $(( (end - start) / 1000000 )) -ge 900 ]
	[ "$(fake_get /_fake/state | jq '.deployments | length')" -eq 1 ]
}

@test "a 400 exits 4 with Datadog's message and request id, without retrying" {
	fake_faults '[{"path":"/api/v2/dora/deployment","action":"status","status":400,"body":"{\"errors\":[{\"status\":\"400\",\"title\":\"Bad Request\",\"detail\":\"service is not allowed\"}]}"}]'
	run --separate-stderr ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"service is not allowed"* ]]
	[[ "$stderr" == *"request id"* ]]
	[ "$(fake_requests /api/v2/dora/deployment)" -eq 1 ]
}

@test "a wrong API key exits 4 with the 403 text" {
	DD_API_KEY=wrongkeywrongkeywrongkey run --separate-stderr ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 4 ]
	[[ "$stderr" == *403* ]]
	[[ "$stderr" != *wrongkeywrongkeywrongkey* ]]
}

@test "an unreachable server exits 3 within --timeout" {
	fake_stop
	start=$(date +%s)
	run --separate-stderr ddci-deploy --service shop --started-at 1700000000 --timeout 3
	end=$(date +%s)
	[ "$status" -eq 3 ]
	[ $((end - start)) -le 4 ]
	[[ "$stderr" == *"cannot reach"* || "$stderr" == *"timed out"* || "$stderr" == *"unavailable"* ]]
}

@test "a server that never answers is bounded by --timeout" {
	fake_faults '[{"path":"/api/v2/dora/deployment","action":"hang","count":10,"ms":30000}]'
	start=$(date +%s)
	run ddci-deploy --service shop --started-at 1700000000 --timeout 2
	end=$(date +%s)
	[ "$status" -eq 3 ]
	[ $((end - start)) -le 4 ]
}

@test "--dry-run prints the body and sends nothing" {
	run --separate-stderr ddci-deploy --service shop --started-at 1700000000 --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"POST $FAKE_URL/api/v2/dora/deployment"* ]]
	grep -Eq '"commit_sha":[[:space:]]*"'"$HEAD"'"' <<<"$output"
	grep -Eq '"started_at":[[:space:]]*1700000000000000000([^0-9]|$)' <<<"$output"
	[ "$(fake_requests)" -eq 0 ]
	assert_no_secret "$output" "$stderr"
}

@test "--dry-run works without keys" {
	unset DD_API_KEY DD_APP_KEY
	run ddci-deploy --service shop --started-at 1700000000 --dry-run
	[ "$status" -eq 0 ]
}

@test "--no-git sends no git object" {
	ddci-deploy --service shop --started-at 1700000000 --no-git
	[ "$(last_body /api/v2/dora/deployment | jq -c .data.attributes.git)" = null ]
}

@test "--commit-sha and --repository-url override git" {
	sha=0123456789abcdef0123456789abcdef01234567
	ddci-deploy --service shop --started-at 1700000000 --commit-sha $sha --repository-url https://tok:secret@gitlab.com/g/p.git
	body=$(last_body /api/v2/dora/deployment)
	[ "$(jq -r .data.attributes.git.commit_sha <<<"$body")" = $sha ]
	[ "$(jq -r .data.attributes.git.repository_url <<<"$body")" = https://gitlab.com/g/p.git ]
}

@test "a detached HEAD still deploys its commit" {
	git checkout -q --detach HEAD~1
	ddci-deploy --service shop --started-at 1700000000
	[ "$(last_body /api/v2/dora/deployment | jq -r .data.attributes.git.commit_sha)" = "$(git rev-parse HEAD)" ]
}

@test "a shallow clone deploys its HEAD" {
	git clone -q --depth 1 "file://$T/repo" "$T/shallow"
	cd "$T/shallow"
	ddci-deploy --service shop --started-at 1700000000
	[ "$(last_body /api/v2/dora/deployment | jq -r .data.attributes.git.commit_sha)" = "$HEAD" ]
}

@test "outside a repository, GitHub Actions variables are used" {
	mkdir "$T/plain"
	cd "$T/plain"
	GITHUB_ACTIONS=true GITHUB_SHA=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa GITHUB_SERVER_URL=https://github.com \
		GITHUB_REPOSITORY=acme/web GITHUB_REF=refs/heads/main \
		run ddci-deploy --service web --started-at 1700000000
	[ "$status" -eq 0 ]
	body=$(last_body /api/v2/dora/deployment)
	[ "$(jq -r .data.attributes.git.commit_sha <<<"$body")" = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ]
	[ "$(jq -r .data.attributes.git.repository_url <<<"$body")" = https://github.com/acme/web.git ]
}

@test "outside a repository and CI, it says to pass --no-git" {
	mkdir "$T/plain"
	cd "$T/plain"
	run --separate-stderr ddci-deploy --service web --started-at 1700000000
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--no-git"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "writes deployment_id to GITHUB_OUTPUT" {
	export GITHUB_OUTPUT="$T/gh_output"
	run ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 0 ]
	grep -qx "deployment_id=$output" "$GITHUB_OUTPUT"
}

@test "--output json describes what was sent" {
	run ddci-deploy --service shop --env prod --started-at 1700000000 --output json
	[ "$status" -eq 0 ]
	[ "$(jq -r .commit_sha <<<"$output")" = "$HEAD" ]
	# jq reads numbers as doubles: check the exact integer text
	grep -Eq '"started_at":[[:space:]]*1700000000000000000([^0-9]|$)' <<<"$output"
}

@test "the API key can come from DD_API_KEY_FILE" {
	printf '%s\n' "$FAKE_API_KEY" >"$T/key"
	unset DD_API_KEY
	DD_API_KEY_FILE="$T/key" run ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 0 ]
}

@test "--no-fail turns an outage into exit 0 with a warning" {
	fake_stop
	run --separate-stderr ddci-deploy --service shop --started-at 1700000000 --timeout 1 --no-fail
	[ "$status" -eq 0 ]
	[[ "$stderr" == *warning* ]]
}

@test "custom tags are sent" {
	ddci-deploy --service shop --started-at 1700000000 --tag team:core --tag region:eu
	[ "$(last_body /api/v2/dora/deployment | jq -c .data.attributes.custom_tags)" = '["team:core","region:eu"]' ]
}

bad_input() { # EXPECTED_SUBSTRING ARGS...
	local want="$1"
	shift
	run --separate-stderr ddci-deploy "$@"
	echo "status=$status stderr=$stderr"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$want"* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[ "$(fake_requests)" -eq 0 ]
}

@test "bad input: --started-at garbage" { bad_input --started-at --service s --started-at yesterday; }
@test "bad input: --finished-at before --started-at" { bad_input --finished-at --service s --started-at 1700000000 --finished-at 1600000000; }
@test "bad input: tag without a colon" { bad_input "--tag 'nocolon'" --service s --started-at now --tag nocolon; }
@test "bad input: 101 tags" {
	args=()
	for i in $(seq 1 101); do args+=(--tag "k$i:v"); done
	bad_input --tag --service s --started-at now "${args[@]}"
}
@test "bad input: id too short" { bad_input "--id" --service s --started-at now --id short; }
@test "bad input: id with a slash" { bad_input "--id" --service s --started-at now --id "aaaaaaaaaaaaaaaa/b"; }
@test "bad input: unknown site" { bad_input "--site 'datadoghq.co'" --service s --started-at now --site datadoghq.co; }
@test "bad input: plain http to a remote host" { bad_input "--api-url" --service s --started-at now --api-url http://example.com; }
@test "bad input: missing service" { bad_input "--service" --started-at now; }
@test "bad input: missing API key" { unset DD_API_KEY; bad_input DD_API_KEY --service s --started-at now; }
@test "bad input: --timeout 0" { bad_input "--timeout" --service s --started-at now --timeout 0; }
@test "bad input: --retries -1" { bad_input "--retries" --service s --started-at now --retries -1; }
@test "bad input: --commit-sha not a sha" { bad_input "--commit-sha" --service s --started-at now --commit-sha xyz; }
@test "bad input: unknown flag" { bad_input "--frobnicate" --service s --frobnicate; }
@test "bad input: stray argument" { bad_input "unexpected argument" --service s --started-at now extra; }
