#!/usr/bin/env bash
# tests/bench/scale.sh — hundreds of pipelines sharing one organisation's rate
# limits (issue 9): N concurrent ddci-deploy and M concurrent ddci-flaky-gate
# processes against a fake Datadog that allows LIMIT requests per PERIOD per
# endpoint family.  Used by `make bench` (scenario-scale.sh, full size) and by
# tests/integration/scale.bats (small size, asserting correctness only).
#
# scale.sh BIN_DIR FAKE WORK_DIR DEPLOYS GATES PAGES LIMIT PERIOD [TIMEOUT]
# SCALE_NO_BASELINE=1 skips the run without a limit (then min_ms = windows).
# Writes WORK_DIR/scale.env (KEY=VALUE lines) with the figures:
#   ok failed spooled flushed deploy_stored deploy_posts_ok gate_pages_ok
#   requests rejected needed ratio_requests wall_ms min_ms ratio_time
#   first_burst first_burst_rejected peak_window peak_after_first limit period
#   windows_ms unlimited_ms unlimited_first_ms demand_ms first_ms
# Windows are the server's: per family, one begins with the first request at
# least PERIOD after the previous window began (the fake's limiter); the
# peaks count every request sent in one, 429s included.  first_burst is the
# first window of every family together.  min_ms, the least time possible,
# is the largest of: windows_ms, the windows the busiest family needs;
# unlimited_ms, the same crowd run without a limit (process start-up on
# this machine); and demand_ms, the busiest family's requests cannot be sent
# before they exist (on 2 cores the crowd needs seconds to start): in the
# run without a limit its j-th request came a_j ms after the release, so no
# schedule sends the last one before a_j + (ceil((n - j + 1) / LIMIT) - 1) x
# PERIOD, for every j.  Start-up varies between the two runs, so demand_ms
# is at most first_ms + windows_ms, first_ms being this run's first request
# of that family (never held back: it finds the limit out).
# min_ms_windows_only is the first two alone (the yardstick before 2026-11,
# blind to that start-up).
set -euo pipefail

BIN=$1 FAKE=$2 W=$3 DEPLOYS=$4 GATES=$5 PAGES=$6 LIMIT=$7 PERIOD=$8 TIMEOUT=${9:-180}
PAGE_SIZE=20
mkdir -p "$W"
rm -rf "$W/spool" "$W/out" "$W/scale.env" "$W/scale.port"
mkdir -p "$W/spool" "$W/out"
export DD_API_KEY=${DD_API_KEY:-fakeapikey0000000000000000000000}
export DD_APP_KEY=${DD_APP_KEY:-fakeappkey000000000000000000000000000000}

# crowd RATE_ARGS — runs the whole crowd once; sets ok failed wall_ms and
# leaves the request log and state in $W.
crowd() {
local rate="$1"
rm -f "$W/scale.port" "$W/out"/* "$W/spool"/*
# Each crowd shares rate limits in a state directory of its own (lib/net/ratelimit.c).
rm -rf "$W/scale-state"
mkdir -p "$W/scale-state"
export DDCI_STATE_DIR="$W/scale-state/crowd"
# shellcheck disable=SC2086
"$FAKE" --port 0 --port-file "$W/scale.port" $rate >"$W/scale-fake.out" 2>&1 &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null || true' EXIT
for _ in $(seq 200); do [ -s "$W/scale.port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$W/scale.port")"

# The flaky tests every gate reads: PAGES pages of PAGE_SIZE.
jq -nc --argjson n $((PAGES * PAGE_SIZE)) '[range($n) | {id: ("t\(.)"), repository_id: "github.com/acme/shop",
	branches: ["main"], attributes: {name: "test_\(.)", suite: "S", module: "shop/unit", flaky_state: "active",
	first_flaked_branch: "main", services: ["shop"], envs: ["ci"],
	pipeline_stats: {failed_pipelines: 1, total_lost_time_ms: 1000}, test_stats: {failure_rate_pct: 5}}}]' \
	>"$W/scale-flaky.json"
curl -sS -o /dev/null -X POST --data-binary @"$W/scale-flaky.json" "$url/_fake/flaky-tests"
curl -sS -o /dev/null -X POST "$url/_fake/reset"

if [ ! -d "$W/scale-repo/.git" ]; then
	git init -q -b main "$W/scale-repo"
	git -C "$W/scale-repo" -c user.name=b -c user.email=b@x commit -q --allow-empty -m one
	git -C "$W/scale-repo" remote add origin https://github.com/acme/shop.git
fi
cd "$W/scale-repo"

# Every process is forked first and held at a barrier (a FIFO), then all are
# released at the same instant: a crowd, as when an organisation's pipelines
# start together.  Forking 300 processes takes seconds on a busy machine.
rm -f "$W/go"
mkfifo "$W/go"
pids=()
# Interleaved, as pipelines would start: two deploys per gate.
i=0 g=0
while [ $i -lt "$DEPLOYS" ] || [ $g -lt "$GATES" ]; do
	for _ in 1 2; do
		if [ $i -lt "$DEPLOYS" ]; then
			{
				read -r _ <"$W/go" || true
				exec "$BIN/ddci-deploy" --api-url "$url" --timeout "$TIMEOUT" --spool "$W/spool" \
					--service "svc-$i" --env prod --started-at now
			} >"$W/out/d$i.out" 2>"$W/out/d$i.err" &
			pids+=("$!:d$i")
			i=$((i + 1))
		fi
	done
	if [ $g -lt "$GATES" ]; then
		{
			read -r _ <"$W/go" || true
			exec "$BIN/ddci-flaky-gate" --api-url "$url" --timeout "$TIMEOUT" --all-branches ${SCALE_VERBOSE:+-v} \
				--repository-id github.com/acme/shop --page-size $PAGE_SIZE --max-active 1000000
		} >"$W/out/g$g.out" 2>"$W/out/g$g.err" &
		pids+=("$!:g$g")
		g=$((g + 1))
	fi
done
exec 3>"$W/go"   # readers blocked in open() go on to read(), which waits ...
sleep 2          # ... until (nearly) every fork has reached it
t0=$(date +%s%N)
release_ns=$t0
exec 3>&-        # EOF: all released at once
# A fork that reaches the FIFO only now is let through at once.
(while :; do : >"$W/go"; sleep 0.05; done) &
doorman=$!
ok=0 failed=0
for p in "${pids[@]}"; do
	if wait "${p%%:*}"; then
		ok=$((ok + 1))
	else
		failed=$((failed + 1))
		echo "scale: ${p#*:} failed: $(tail -n 1 "$W/out/${p#*:}.err")" >&2
	fi
done
t1=$(date +%s%N)
kill $doorman 2>/dev/null || true
wait $doorman 2>/dev/null || true
wall_ms=$(((t1 - t0) / 1000000))

# Anything spooled (a deadline hit) is flushed after the crowd.
spooled=$(find "$W/spool" -type f -name '*.json' 2>/dev/null | wc -l)
flushed=0
if [ "$spooled" -gt 0 ] && "$BIN/ddci-flush" --api-url "$url" --spool "$W/spool" --timeout 120 >/dev/null 2>&1; then
	flushed=$spooled
fi

curl -sS "$url/_fake/requests" >"$W/scale-requests.json"
curl -sS "$url/_fake/state" >"$W/scale-state.json"
kill $fake_pid 2>/dev/null || true
wait $fake_pid 2>/dev/null || true
trap - EXIT

}

# The same crowd without a rate limit first: what starting and running 300
# processes costs on this machine, a floor for the time with the limit.
# first_ms FAMILY_PREFIX — ms from the release to that family's first request
first_ms() {
	jq --arg p "$1" --argjson r "$release_ns" '[.[] | select(.path | startswith($p)) | .t] | if length == 0 then 0 else ((min - $r) / 1e6 | floor) end' \
		"$W/scale-requests.json"
}
busiest_prefix=/api/v2/test/flaky-test-management
[ "$DEPLOYS" -gt $((GATES * PAGES)) ] && busiest_prefix=/api/v2/dora
base_ms=0 base_failed=0 base_first_ms=0 base_demand_ms=0
if [ -z "${SCALE_NO_BASELINE:-}" ]; then
	crowd ""
	base_ms=$wall_ms base_failed=$failed base_first_ms=$(first_ms "$busiest_prefix")
	base_demand_ms=$(jq --arg p "$busiest_prefix" --argjson r "$release_ns" --argjson l "$LIMIT" --argjson per "$PERIOD" '
		[.[] | select(.path | startswith($p)) | (.t - $r) / 1e6] | sort | length as $n
		| [to_entries[] | .value + ((((($n - .key) + $l - 1) / $l) | floor) - 1) * $per * 1000] | max // 0 | floor' \
		"$W/scale-requests.json")
fi
crowd "--rate-limit $LIMIT/$PERIOD"

needed=$((DEPLOYS + GATES * PAGES))
jq -r --argjson period "$PERIOD" '
	def fam: if (.path | startswith("/api/v2/dora")) then "dora" else "flaky" end;
	# The fake limiter: a window begins with the first request >= PERIOD
	# after the previous one began; [requests, 429s] per window.
	def windows: sort_by(.t) | reduce .[] as $r ({s: null, w: []};
		if .s == null or $r.t - .s >= $period * 1e9 then .s = $r.t | .w += [[0, 0]] else . end
		| .w[-1][0] += 1 | .w[-1][1] += (if $r.status == 429 then 1 else 0 end)) | .w;
	(map(select(.status == 200 and .method == "POST" and .path == "/api/v2/dora/deployment")) | length) as $dep_ok
	| (map(select(.status == 200 and (.path | contains("flaky")))) | length) as $gate_ok
	| (map(select(.path | startswith("/api/v2/")) | . + {f: fam}) | group_by(.f) | map(windows)) as $fams
	| "requests=\(length)\nrejected=\(map(select(.status == 429)) | length)"
	+ "\ndeploy_posts_ok=\($dep_ok)\ngate_pages_ok=\($gate_ok)"
	+ "\nfirst_burst=\($fams | map(.[0][0] // 0) | add // 0)"
	+ "\nfirst_burst_rejected=\($fams | map(.[0][1] // 0) | add // 0)"
	+ "\npeak_window=\($fams | map(.[][0]) | max // 0)"
	+ "\npeak_after_first=\($fams | map(.[1:][][0]) | max // 0)"
	+ "\nwindows_used=\($fams | map(length) | max // 0)"' \
	"$W/scale-requests.json" >"$W/scale.env"
{
	echo "ok=$ok"
	echo "failed=$failed"
	echo "spooled=$spooled"
	echo "flushed=$flushed"
	echo "deploy_stored=$(jq '.deployments | length' "$W/scale-state.json")"
	echo "needed=$needed"
	echo "limit=$LIMIT"
	echo "period=$PERIOD"
	echo "wall_ms=$wall_ms"
	# The least time the busiest family needs: its first window opens at the
	# start, each later one PERIOD after the previous.
	busiest=$((DEPLOYS > GATES * PAGES ? DEPLOYS : GATES * PAGES))
	# shellcheck disable=SC2017 # whole windows, rounded up on purpose
	windows_ms=$(((busiest + LIMIT - 1) / LIMIT * PERIOD * 1000 - PERIOD * 1000))
	echo "windows_ms=$windows_ms"
	echo "unlimited_ms=$base_ms"
	echo "unlimited_failed=$base_failed"
	echo "unlimited_first_ms=$base_first_ms"
	first=$(first_ms "$busiest_prefix")
	[ "$base_demand_ms" -gt $((first + windows_ms)) ] && base_demand_ms=$((first + windows_ms))
	echo "demand_ms=$base_demand_ms"
	echo "first_ms=$first"
	old_min=$((windows_ms > base_ms ? windows_ms : base_ms))
	echo "min_ms_windows_only=$old_min"
	echo "min_ms=$((base_demand_ms > old_min ? base_demand_ms : old_min))"
} >>"$W/scale.env"
# shellcheck disable=SC1091,SC2154
. "$W/scale.env"
# shellcheck disable=SC2154
awk -v r="$requests" -v n="$needed" -v w="$wall_ms" -v m="$min_ms" -v o="$min_ms_windows_only" 'BEGIN {
	printf "ratio_requests=%.2f\nratio_time=%.2f\nratio_time_windows_only=%.2f\n", r / n, (m > 0 ? w / m : 0), (o > 0 ? w / o : 0) }' >>"$W/scale.env"
cat "$W/scale.env" >&2
