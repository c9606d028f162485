# shellcheck shell=bash disable=SC2164,SC2086,SC2046,SC2154
# tests/bench/scenario-3-failrate.sh — sourced by run.sh inside the results
# block.  ddci-failrate-gate against curl+jq sending the same aggregate query
# (taken from ddci's --dry-run) and computing the same rate.
echo "bench: 3. failure-rate gate, $RUNS runs each" >&2
start_fake events --events-generate 50000
# shellcheck disable=SC2034 # used by scenario 5
EVENTS_URL=$URL
cat >"$W/failrate-curl-jq.sh" <<'SH'
#!/bin/sh
# One aggregate request, jq for failed / (passed + failed), awk for the threshold.
set -eu
url=$1 body=$2 ca=$3 max=$4
rate=$(curl -sS --fail --cacert "$ca" -X POST -H "Content-Type: application/json" \
	-H "DD-API-KEY: $DD_API_KEY" -H "DD-APPLICATION-KEY: $DD_APP_KEY" --data-binary @"$body" \
	"$url/api/v2/ci/tests/analytics/aggregate" |
	jq -r '[.data.buckets[] | {(.by["@test.status"]): .computes.c0}] | add | (.fail // 0) as $f | (.pass // 0) as $p
		| if $f + $p == 0 then 0 else 100 * $f / ($f + $p) end')
echo "failure rate $rate%"
awk -v r="$rate" -v m="$max" 'BEGIN { exit !(r <= m) }'
SH
FR_ARGS="--api-url $URL --repository-id github.com/acme/shopist --max-failure-rate 50"
(cd "$W/repo" && "$BIN/ddci-failrate-gate" $FR_ARGS --dry-run 2>/dev/null) | tail -n +2 >"$W/failrate-body.json"
cd "$W/repo"
compare "$RUNS" \
	failrate "env SSL_CERT_DIR=$W/certs $BIN/ddci-failrate-gate $FR_ARGS" \
	failrate_jq "sh $W/failrate-curl-jq.sh $URL $W/failrate-body.json $W/ca.pem 50"
cd "$ROOT"
echo "## 3. Failure-rate gate: one aggregate query over 7 days of a repository's test runs"
echo
echo "| client | CPU ms | wall ms | peak RSS MiB | CPU / ddci |"
echo "|---|---|---|---|---|"
row failrate "ddci-failrate-gate --max-failure-rate 50" failrate
row failrate_jq "curl + jq (+ awk for the threshold), same query" failrate
echo
target_line "failure-rate gate less CPU than curl+jq" "$(cpu_of failrate) < $(cpu_of failrate_jq)"
echo
