#!/usr/bin/env bash
# tests/soak.sh — `make soak`: the long fault matrix, then DORA events sent
# through random faults with --spool and flushed until delivered.  Prints
#   "N sent, N stored, 0 lost, 0 duplicated"
# and exits 1 when an event was lost or stored twice, or fewer than
# SOAK_MIN_FAULTS faulty calls were made.
#   SOAK_EVENTS=1500 (events)  SOAK_JOBS=4 (parallel calls)  SOAK_SEED=1
#   SOAK_MATRIX=0 skips the fault matrix; SOAK_GIT=0 the git differential
#   (SOAK_GIT_DAGS=1000 random commit graphs with skewed dates).
#   SOAK_RACE_ROUNDS=1000: the spool race (a flush while the same event is
#   spooled again).
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD="${BUILD:-build/asan}"
export DDCI_BIN="$PWD/$BUILD/bin" DDCI_FAKE="$PWD/$BUILD/fake-datadog" DDCI_ROOT="$PWD"
export PATH="$DDCI_BIN:$PATH"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}"
events="${SOAK_EVENTS:-1500}"
jobs="${SOAK_JOBS:-4}"
seed="${SOAK_SEED:-1}"
min_faults="${SOAK_MIN_FAULTS:-1000}"
fail=0

if [ "${SOAK_MATRIX:-1}" != 0 ]; then
	echo "== fault matrix (tests/integration/faults.bats), twice"
	for round in 1 2; do
		if ! DDCI_FAULT_JOBS=2 bats --tap tests/integration/faults.bats >"$BUILD/soak-matrix-$round.tap" 2>&1; then
			grep -A8 '^not ok' "$BUILD/soak-matrix-$round.tap"
			fail=1
		fi
		echo "round $round: $(grep -c '^ok' "$BUILD/soak-matrix-$round.tap") ok, $(grep -c '^not ok' "$BUILD/soak-matrix-$round.tap") not ok"
	done
fi

if [ "${SOAK_GIT:-1}" != 0 ]; then
	echo "== git differential: ${SOAK_GIT_DAGS:-1000} random graphs with skewed dates against git"
	GITDIFF_DAGS="${SOAK_GIT_DAGS:-1000}" GITDIFF_SEED=1000 BUILD="$BUILD" \
		bash tests/check/git-differential.sh >"$BUILD/soak-git.tap" 2>&1 || fail=1
	grep -A12 '^not ok' "$BUILD/soak-git.tap" | head -n 60
	tail -n 1 "$BUILD/soak-git.tap"
fi

echo "== $events DORA events through random faults, with --spool"
T=$(mktemp -d)
trap 'kill "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; [ -n "${SOAK_KEEP:-}" ] || rm -rf "$T"' EXIT
"$DDCI_FAKE" --port 0 --port-file "$T/port" >"$T/fake.out" 2>&1 &
fake_pid=$!
for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || { cat "$T/fake.out"; exit 1; }
url="http://127.0.0.1:$(cat "$T/port")"
export DDCI_API_URL="$url" DD_API_KEY=fakeapikey0000000000000000000000 DD_APP_KEY=fakeappkey000000000000000000000000000000
unset DDCI_SPOOL_DIR DDCI_DRY_RUN GITHUB_ACTIONS GITLAB_CI CI
spool="$T/spool"
random='{"random":{"rate":0.5,"seed":'"$seed"',"path":"/api/v2/dora/","actions":["status:500","status:502","status:503","status:504","status:429","close","close","delay:300","truncate","content_type","shape","hang:4000","trickle:400"]}}'
curl -sS -X POST -H 'Content-Type: application/json' --data-binary "$random" "$url/_fake/faults" >/dev/null

# One event per line: kind and start time (unique per event).
base=1700000000
seq 1 "$events" | while read -r i; do
	if [ $((i % 5)) -eq 0 ]; then echo "incident $((base + i))"; else echo "deploy $((base + i))"; fi
done >"$T/events"

send() {
	local kind="$1" t="$2"
	if [ "$kind" = deploy ]; then
		ddci-deploy --service soak --env prod --started-at "$t" --no-git --spool "$spool" --retries 1 --timeout 3
	else
		ddci-incident --service soak --name "soak $t" --started-at "$t" --no-git --spool "$spool" --retries 1 --timeout 3
	fi >/dev/null 2>>"$T/errors"
	echo "$?" >>"$T/rcs"
}
export -f send
export spool T
xargs -P "$jobs" -L 1 bash -c 'send "$0" "$1"' <"$T/events"

echo "calls: $(wc -l <"$T/rcs"), exit codes: $(sort "$T/rcs" | uniq -c | tr -s ' ' | tr '\n' ',' | sed 's/,$//')"
if grep -vqxE '0|3' "$T/rcs"; then
	echo "unexpected exit codes:"; grep -vE 'spooled|unavailable|timed out|unexpected response|cannot reach|Empty|closed' "$T/errors" | sort | uniq -c | head
	fail=1
fi
# Flush through the same faults until the spool is empty (bounded rounds).
rounds=0
while [ -n "$(find "$spool" -maxdepth 1 -type f -name "[!.]*" 2>/dev/null | head -n 1)" ] && [ $rounds -lt 200 ]; do
	rounds=$((rounds + 1))
	ddci-flush --spool "$spool" --retries 2 --timeout 10 >/dev/null 2>>"$T/flush-errors" || true
done
left=$(find "$spool" -maxdepth 1 -type f -name "[!.]*" 2>/dev/null | wc -l)
rejected=$(find "$spool/rejected" -type f 2>/dev/null | wc -l)
stats=$(curl -sS "$url/_fake/stats")
faults=$(jq .faults <<<"$stats")
requests=$(jq .requests <<<"$stats")
state=$(curl -sS "$url/_fake/state")
stored_dep=$(jq '[.deployments[] | select(.attributes.service == "soak")] | length' <<<"$state")
stored_inc=$(jq '[.failures[]] | length' <<<"$state")
uniq_times=$(jq '[(.deployments[] | select(.attributes.service == "soak")), .failures[] | .attributes.started_at | tostring] | unique | length' <<<"$state")
stored=$((stored_dep + stored_inc))
lost=$((events - uniq_times))
dup=$((stored - uniq_times))
echo "flush rounds: $rounds, left in spool: $left, rejected: $rejected"
echo "requests: $requests, faulty calls (faults injected): $faults"
echo "$events sent, $stored stored, $lost lost, $dup duplicated"
[ "$lost" -eq 0 ] && [ "$dup" -eq 0 ] && [ "$left" -eq 0 ] && [ "$rejected" -eq 0 ] || fail=1
[ "$faults" -ge "$min_faults" ] || { echo "only $faults faulty calls (want >= $min_faults)"; fail=1; }

# Issue 17: flush while the same event is spooled again, longer than in
# `make check`: SOAK_RACE_ROUNDS rounds with real processes, ten times as
# many in the deterministic unit test.
race="${SOAK_RACE_ROUNDS:-1000}"
echo "== spool race: $race rounds"
if ! DDCI_RACE_ROUNDS=$((race * 10)) "$BUILD/tests/test_spool_race" >"$BUILD/soak-race-unit.log" 2>&1; then
	tail -n 20 "$BUILD/soak-race-unit.log"
	fail=1
fi
if ! DDCI_RACE_ROUNDS="$race" bats --tap tests/integration/spool-race.bats >"$BUILD/soak-race.tap" 2>&1; then
	grep -A8 '^not ok' "$BUILD/soak-race.tap"
	fail=1
fi
exit $fail
