# shellcheck shell=bash disable=SC2164,SC2086,SC2046,SC2154
# tests/bench/scenario-5-tests.sh — sourced by run.sh inside the results
# block, after scenario 3 started the fake with 50,000 test events
# ($EVENTS_URL).  ddci-tests list streams every page: peak RSS must not grow
# with the number of events.
echo "bench: 5. ddci-tests list, 5k and 50k events, $LONG_RUNS runs each" >&2
TL_ARGS="list --api-url $EVENTS_URL --from now-8d --page-size 100 --output ndjson"
compare "$LONG_RUNS" \
	tests5k "env SSL_CERT_DIR=$W/certs $BIN/ddci-tests $TL_ARGS --max-events 5000" \
	tests50k "env SSL_CERT_DIR=$W/certs $BIN/ddci-tests $TL_ARGS"
n50=$(SSL_CERT_DIR=$W/certs "$BIN/ddci-tests" $TL_ARGS | wc -l)
echo "## 5. Test events streaming: ddci-tests list, pages of 100, NDJSON to stdout"
echo
echo "| events (pages) | CPU ms | wall ms | peak RSS MiB | CPU / 5k |"
echo "|---|---|---|---|---|"
row tests5k "5,000 (50)" tests5k
row tests50k "$n50 ($(((n50 + 99) / 100)))" tests5k
echo
target_line "ddci-tests peak RSS flat in N (50k within 1.1× of 5k)" "$(rss_of tests50k) <= 1.1 * $(rss_of tests5k)"
target_line "all 50,000 events streamed" "$n50 == 50000"
echo
stop_fakes
