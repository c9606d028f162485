#!/usr/bin/env bats
# The fault soak: 200 deploy/incident calls, 8 at a time, against a fake
# Datadog answering 503, 429, closing connections and stalling at random;
# undeliverable events are spooled, then ddci-flush delivers them.  Datadog
# must end up with exactly one copy of each event.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup_repo
}
teardown() { ddci_teardown; }

@test "200 calls under random faults: nothing lost, nothing duplicated" {
	export DDCI_SPOOL_DIR="$T/spool" DDCI_TIMEOUT=2 DDCI_RETRIES=1
	fake_post /_fake/faults '{"random":{"rate":0.35,"actions":["status:503","status:429","close","delay:1500"],"seed":7,"path":"/api/v2/dora/"}}' >/dev/null
	one() { # N: even = deployment, odd = incident; each with its own start time
		local n=$1 t=$((1700000000 + $1))
		if [ $((n % 2)) -eq 0 ]; then
			ddci-deploy --service soak --env prod --started-at $t --finished-at $((t + 1))
		else
			ddci-incident --service soak --env prod --name "incident $n" --started-at $t
		fi
	}
	export -f one
	seq 1 200 | xargs -P 8 -I{} bash -c 'one {} >>"$0/out" 2>>"$0/err"; echo $? >>"$0/rc"' "$T" 3>&-
	sent=200
	failed_now=$(grep -cv '^0$' "$T/rc" || true)
	spooled=$(find "$T/spool" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l)
	# every call either delivered (exit 0) or spooled (exit 3)
	[ "$(grep -cv '^[03]$' "$T/rc" || true)" -eq 0 ]
	[ "$spooled" -eq "$failed_now" ]
	[ "$spooled" -gt 0 ]

	fake_post /_fake/faults '{"random":null}' >/dev/null
	for _ in 1 2 3; do
		[ "$(find "$T/spool" -maxdepth 1 -name '*.json' | wc -l)" -eq 0 ] && break
		ddci-flush || true
	done
	[ "$(find "$T/spool" -maxdepth 1 -name '*.json' | wc -l)" -eq 0 ]

	state=$(fake_get /_fake/state)
	deps=$(jq '[.deployments[] | select(.attributes.service == "soak")] | length' <<<"$state")
	fails=$(jq '[.failures[] | select(.attributes.services == ["soak"])] | length' <<<"$state")
	stored=$((deps + fails))
	lost=$((sent > stored ? sent - stored : 0))
	dup=$((stored > sent ? stored - sent : 0))
	echo "# $sent sent, $stored stored, $lost lost, $dup duplicated ($spooled spooled, $(jq '[.deployments[], .failures[] | .received] | add' <<<"$state") received)" >&3
	[ "$deps" -eq 100 ]
	[ "$fails" -eq 100 ]
	[ "$lost" -eq 0 ]
	[ "$dup" -eq 0 ]
	assert_no_secret "$(cat "$T/err")"
}
