# shellcheck shell=bash disable=SC2164,SC2086,SC2046,SC2154
# tests/bench/scenario-2-flaky.sh — sourced by run.sh inside the results block
# (stdout is bench/results.md).  ddci-flaky-gate over 10k and 100k flaky tests
# (100 / 1,000 pages of 100) against a curl+jq loop computing the same count.
# BENCH_FLAKY_SIZES="SMALL BIG" changes the sizes.
# $LONG_RUNS repetitions (BENCH_RUNS_LONG).

cat >"$W/flaky-curl-jq.sh" <<'SH'
#!/bin/sh
# What a hand-written step does: one curl per page, jq for the count and the cursor.
set -eu
url=$1 query=$(cat "$2") ca=$3 max=$4
cursor="" n=0
while :; do
	page=$(printf '"cursor":"%s",' "$cursor")
	[ -n "$cursor" ] || page=""
	out=$(curl -sS --fail --cacert "$ca" -X POST -H "Content-Type: application/json" \
		-H "DD-API-KEY: $DD_API_KEY" -H "DD-APPLICATION-KEY: $DD_APP_KEY" \
		--data-binary "{\"data\":{\"type\":\"search_flaky_tests_request\",\"attributes\":{\"filter\":{\"query\":$query},\"page\":{${page}\"limit\":100}}}}" \
		"$url/api/v2/test/flaky-test-management/tests" |
		jq -r '"\(.meta.pagination.next_page // "") \([.data[] | select(.attributes.flaky_state == "active")] | length)"')
	cursor=${out% *}
	n=$((n + ${out##* }))
	[ -n "$cursor" ] || break
done
echo "$n active flaky tests"
[ "$n" -le "$max" ]
SH

FLAKY_SIZES="${BENCH_FLAKY_SIZES:-10000 100000}"
for n in $FLAKY_SIZES; do
	echo "bench: 2. flaky gate over $n tests, $LONG_RUNS runs each" >&2
	jq -nc --argjson n "$n" '[range($n) | {id: ("t\(.)"), repository_id: "github.com/acme/shop", branches: ["main"],
		attributes: {name: "test_\(.)", suite: "CartTest", module: "shop/unit", flaky_state: "active",
		first_flaked_branch: "main", services: ["shop"], envs: ["ci"], codeowners: ["@acme/shop"],
		pipeline_stats: {failed_pipelines: 3, total_lost_time_ms: 60000}, test_stats: {failure_rate_pct: 12.5}}}]' \
		>"$W/flaky-$n.json"
	start_fake "flaky$n"
	curl -sS --fail -o /dev/null --cacert "$W/ca.pem" -X POST --data-binary @"$W/flaky-$n.json" "$URL/_fake/flaky-tests"
	GATE_ARGS="--api-url $URL --all-branches --max-active 1000000"
	# The same query ddci sends, read from its --dry-run.
	(cd "$W/repo" && "$BIN/ddci-flaky-gate" $GATE_ARGS --dry-run 2>/dev/null) | tail -n +2 |
		jq -c '.data.attributes.filter.query' >"$W/flaky-query.json"
	cd "$W/repo"
	if [ "$n" -le 10000 ]; then
		compare "$LONG_RUNS" \
			"gate$n" "env SSL_CERT_DIR=$W/certs $BIN/ddci-flaky-gate $GATE_ARGS" \
			"gatejq$n" "sh $W/flaky-curl-jq.sh $URL $W/flaky-query.json $W/ca.pem 1000000"
	else
		# 1,000 curl and jq processes take minutes: one run of the loop.
		compare "$LONG_RUNS" "gate$n" "env SSL_CERT_DIR=$W/certs $BIN/ddci-flaky-gate $GATE_ARGS"
		WARMUP=0 compare 1 "gatejq$n" "sh $W/flaky-curl-jq.sh $URL $W/flaky-query.json $W/ca.pem 1000000"
	fi
	cd "$ROOT"
	stop_fakes
done
echo "## 2. Flaky-test gate: every page of the repository's active flaky tests, counted"
echo
echo "| client | tests (pages) | CPU ms | wall ms | peak RSS MiB | CPU / ddci |"
echo "|---|---|---|---|---|---|"
for n in $FLAKY_SIZES; do
	row "gate$n" "ddci-flaky-gate --max-active | $n ($((n / 100)))" "gate$n"
	row "gatejq$n" "curl + jq loop (one curl and one jq per page)$([ "$n" -gt 10000 ] && echo ", one run") | $n ($((n / 100)))" "gate$n"
done
echo
read -r n_small n_big <<<"$FLAKY_SIZES"
target_line "flaky gate ≥10× less CPU than curl+jq ($n_small)" "$(cpu_of "gatejq$n_small") / $(cpu_of "gate$n_small") >= 10"
target_line "flaky gate ≥10× less CPU than curl+jq ($n_big)" "$(cpu_of "gatejq$n_big") / $(cpu_of "gate$n_big") >= 10"
target_line "flaky gate peak RSS ≤32 MiB at $n_big" "$(rss_of "gate$n_big") <= 32 * 1024"
target_line "flaky gate peak RSS flat in N ($n_big within 1.25× of $n_small)" "$(rss_of "gate$n_big") <= 1.25 * $(rss_of "gate$n_small")"
echo
