#!/usr/bin/env bats
# The spool never loses the newer version of an event (issue 17 finding 8):
# ddci-flush sends to a slow server while a retried job spools the same
# event again.  Whatever the interleaving (the test assumes none), after
# each round the newest version is either delivered or still queued, and a
# last flush delivers it.  DDCI_RACE_ROUNDS rounds (100; `make soak` more).

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup
	SPOOL="$T/spool"
}
teardown() { ddci_teardown; }

ID=race-0000000000000001
BASE=1700000000

# spool_version N — the event with finished_at BASE + N, spooled: the job
# cannot reach Datadog (nothing listens on port 1).
spool_version() {
	local rc=0
	ddci-deploy --service shop --no-git --id "$ID" --started-at $((BASE - 100)) --finished-at $((BASE + $1)) \
		--spool "$SPOOL" --api-url http://127.0.0.1:1 --retries 0 --timeout 10 >/dev/null 2>"$T/deploy.err" || rc=$?
	[ "$rc" -eq 3 ] || { cat "$T/deploy.err"; return 1; }
}

# The finished_at (s) Datadog holds for the event, or -1.
delivered() {
	fake_get /_fake/state | jq --arg id "$ID" '[.deployments[] | select(.id == $id) |
		.attributes.finished_at / 1e9 | round] | first // -1'
}

# The finished_at (s) of the queued versions, one a line.
queued() {
	for f in "$SPOOL"/ev-*.json "$SPOOL"/.claimed-*; do
		[ -f "$f" ] && jq -r '.body | fromjson | .data.attributes.finished_at / 1e9 | round' "$f"
	done
	return 0
}

@test "flush against a slow server while the same event is spooled again: the newest version always arrives" {
	rounds=${DDCI_RACE_ROUNDS:-100}
	fake_faults '[{"path":"/api/v2/dora/deployment","action":"delay","ms":150,"count":-1}]'
	for i in $(seq 0 $((rounds - 1))); do
		spool_version $((2 * i))
		ddci-flush --spool "$SPOOL" --timeout 30 >/dev/null 2>&1 &
		flush=$!
		spool_version $((2 * i + 1))
		wait "$flush" || true
		newest=$((BASE + 2 * i + 1))
		got=$(delivered)
		if [ "$got" != "$newest" ] && ! queued | grep -qx "$newest"; then
			echo "round $i: version $newest lost (delivered $got, queued: $(queued | tr '\n' ' '))"
			return 1
		fi
	done
	run ddci-flush --spool "$SPOOL" --timeout 30
	[ "$status" -eq 0 ]
	[ "$(delivered)" = $((BASE + 2 * rounds - 1)) ]
	[ -z "$(find "$SPOOL" -maxdepth 1 -name 'ev-*' -o -maxdepth 1 -name '.claimed-*')" ]
}
