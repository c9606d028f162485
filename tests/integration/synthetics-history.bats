#!/usr/bin/env bats
# ddci-synthetics-history against the fake Datadog.

load '../lib/common'
bats_require_minimum_version 1.5.0

setup() {
	ddci_setup --synthetics-generate 12
}
teardown() { fake_stop; }

ID=gen-abc-001
H=/api/v2/synthetics/tests/gen-abc-001/version_history

@test "every page, newest first, as JSON" {
	run --separate-stderr ddci-synthetics-history $ID --page-size 5 --output json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 12 ]
	[ "$(jq -c '[.[].attributes.version_number]' <<<"$output")" = "[12,11,10,9,8,7,6,5,4,3,2,1]" ]
	[ "$(fake_requests $H)" -eq 3 ]
	jq -r --arg p "$H" 'select(.path == $p) | .query' "$FAKE_LOG" | sed -n 2p | grep -q 'last_version_number=8'
}

@test "text shows each version and its changes" {
	run --separate-stderr ddci-synthetics-history $ID
	[ "$status" -eq 0 ]
	[ "$(grep -c '^version ' <<<"$output")" -eq 12 ]
	[[ "${lines[0]}" == "version 12"* ]]
	grep -Eq '^  [a-z_]+' <<<"$output"
}

@test "--since-version stops at the first older version" {
	run --separate-stderr ddci-synthetics-history $ID --since-version 9 --page-size 2 --output json
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.[].attributes.version_number]' <<<"$output")" = "[12,11,10]" ]
	[ "$(fake_requests $H)" -eq 2 ]
}

@test "--since TIME keeps versions created after it" {
	run --separate-stderr ddci-synthetics-history $ID --output json
	t=$(jq -r '.[3].attributes.version_payload_created_at' <<<"$output")
	run --separate-stderr ddci-synthetics-history $ID --since "$t" --output json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 3 ]
}

@test "an unknown test exits 4; an empty history prints no versions" {
	run --separate-stderr ddci-synthetics-history zzz-zzz-zzz
	[ "$status" -eq 4 ]
	fake_post /_fake/synthetics/emp-ty0-000/versions '[]' >/dev/null
	run --separate-stderr ddci-synthetics-history emp-ty0-000 --output json
	[ "$status" -eq 0 ]
	[ "$(jq -c . <<<"$output")" = "[]" ]
}

@test "bad flags exit 2 naming the flag, and send nothing" {
	for args in "" "$ID --limit 0" "$ID --page-size 0" "$ID --page-size 51" "$ID --since-version -2" "$ID --since someday" \
		"a/b" "$ID extra" "$ID --output table" "$ID --bogus"; do
		run --separate-stderr ddci-synthetics-history $args
		echo "args: $args -> $status: $stderr"
		[ "$status" -eq 2 ]
	done
	run --separate-stderr ddci-synthetics-history $ID --page-size 51
	[[ "$stderr" == *"--page-size"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "403, 429 and 5xx" {
	DD_APP_KEY=wrongappkeywrongappkey run --separate-stderr ddci-synthetics-history $ID
	[ "$status" -eq 4 ]
	[[ "$stderr" != *wrongappkeywrongappkey* ]]
	fake_faults '[{"path":"version_history","action":"status","status":429,"headers":{"Retry-After":"1"}},{"path":"version_history","action":"status","status":502}]'
	run --separate-stderr ddci-synthetics-history $ID --page-size 5 --output json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 12 ]
	fake_faults '[{"path":"version_history","action":"status","status":500,"count":-1}]'
	run --separate-stderr ddci-synthetics-history $ID --retries 1
	[ "$status" -eq 3 ]
}
