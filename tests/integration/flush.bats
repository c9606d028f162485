#!/usr/bin/env bats
# Spooling undeliverable events (--spool) and ddci-flush.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup_repo
	SPOOL="$T/spool"
}
teardown() { ddci_teardown; }

spooled() { find "$SPOOL" -maxdepth 1 -type f -name '*.json' | wc -l; }

@test "an unreachable server spools one private file without secrets; exit 3 says where" {
	fake_stop
	run --separate-stderr ddci-deploy --service shop --started-at 1700000000 --spool "$SPOOL" --timeout 2 --retries 0
	[ "$status" -eq 3 ]
	[ "$(spooled)" -eq 1 ]
	f=$(find "$SPOOL" -maxdepth 1 -type f -name '*.json')
	[[ "$stderr" == *"$f"* ]]
	[[ "$stderr" == *ddci-flush* ]]
	[ "$(stat -c %a "$SPOOL")" = 700 ]
	[ "$(stat -c %a "$f")" = 600 ]
	assert_no_secret "$(cat "$f")" "$f" "$stderr"
	grep -q '/api/v2/dora/deployment' "$f"
}

@test "ddci-flush delivers, deletes, and a re-run is a no-op" {
	fake_stop
	DDCI_SPOOL_DIR="$SPOOL" run ddci-deploy --service shop --started-at 1700000000 --timeout 2 --retries 0
	[ "$status" -eq 3 ]
	run ddci-incident --team core --started-at 1700000000 --spool "$SPOOL" --timeout 2 --retries 0
	[ "$status" -eq 3 ]
	[ "$(spooled)" -eq 2 ]
	fake_start
	run ddci-flush --spool "$SPOOL"
	[ "$status" -eq 0 ]
	[ "$output" = "2 delivered, 0 rejected, 0 left" ]
	[ "$(spooled)" -eq 0 ]
	[ "$(fake_get /_fake/state | jq '.deployments | length')" -eq 1 ]
	[ "$(fake_get /_fake/state | jq '.failures | length')" -eq 1 ]
	run ddci-flush --spool "$SPOOL"
	[ "$status" -eq 0 ]
	[ "$output" = "0 delivered, 0 rejected, 0 left" ]
	[ "$(fake_requests /api/v2/dora/)" -eq 2 ]
}

@test "ddci-flush while Datadog is still away exits 3 and keeps the events" {
	fake_stop
	ddci-deploy --service shop --started-at 1700000000 --spool "$SPOOL" --timeout 1 --retries 0 || true
	run ddci-flush --spool "$SPOOL" --timeout 1 --retries 0
	[ "$status" -eq 3 ]
	[[ "$output" == *"0 delivered, 0 rejected, 1 left"* ]]
	[ "$(spooled)" -eq 1 ]
}

@test "a rejected event is moved aside and does not block the queue" {
	fake_stop
	ddci-deploy --service shop --started-at 1700000000 --spool "$SPOOL" --timeout 1 --retries 0 || true
	ddci-deploy --service shop --started-at 1700000001 --spool "$SPOOL" --timeout 1 --retries 0 || true
	fake_start
	fake_faults '[{"path":"/api/v2/dora/deployment","action":"status","status":400}]'
	run --separate-stderr ddci-flush --spool "$SPOOL"
	[ "$status" -eq 4 ]
	[[ "$stderr" == *rejected* ]]
	[[ "$output" == "1 delivered, 1 rejected, 0 left" ]]
	[ "$(spooled)" -eq 0 ]
	[ "$(find "$SPOOL/rejected" -type f | wc -l)" -eq 1 ]
}

@test "concurrent flushes deliver each event exactly once" {
	fake_stop
	for i in $(seq 1 12); do
		ddci-deploy --service shop --started-at $((1700000000 + i)) --spool "$SPOOL" --timeout 1 --retries 0 || true
	done
	[ "$(spooled)" -eq 12 ]
	fake_start
	pids=()
	for j in 1 2 3 4; do
		ddci-flush --spool "$SPOOL" >"$T/flush.$j" 2>&1 3>&- &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	[ "$(spooled)" -eq 0 ]
	[ "$(fake_get /_fake/state | jq '.deployments | length')" -eq 12 ]
	[ "$(fake_get /_fake/state | jq '[.deployments[].received] | max')" -eq 1 ]
	[ "$(cat "$T"/flush.* | awk '/^[0-9]+ delivered/ { n += $1 } END { print n + 0 }')" -eq 12 ]
}

@test "ddci-flush without a spool directory exits 2" {
	run --separate-stderr ddci-flush
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--spool"* ]]
}

@test "ddci-flush --no-fail exits 0 while Datadog is away" {
	fake_stop
	ddci-deploy --service shop --started-at 1700000000 --spool "$SPOOL" --timeout 1 --retries 0 || true
	run --separate-stderr ddci-flush --spool "$SPOOL" --timeout 1 --retries 0 --no-fail
	[ "$status" -eq 0 ]
	[[ "$stderr" == *warning* ]]
}
