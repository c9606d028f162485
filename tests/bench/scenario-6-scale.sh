# shellcheck shell=bash disable=SC2164,SC2086,SC2046,SC2154
# tests/bench/scenario-6-scale.sh — sourced by run.sh inside the results
# block.  Issue 9's simulation: 200 ddci-deploy and 100 ddci-flaky-gate
# processes released at once against a fake allowing 20 requests per 2 s per
# endpoint family (tests/bench/scale.sh, which explains every figure).
# BENCH_SCALE="DEPLOYS GATES PAGES LIMIT PERIOD" changes the size.
read -r sc_d sc_g sc_p sc_l sc_s <<<"${BENCH_SCALE:-200 100 3 20 2}"
echo "bench: 6. scale: $sc_d deploys + $sc_g flaky gates ($sc_p pages each), limit $sc_l/${sc_s}s" >&2
tests/bench/scale.sh "$BIN" "$FAKE" "$W/scale" "$sc_d" "$sc_g" "$sc_p" "$sc_l" "$sc_s" 180 \
	2>"$W/scale.log" || echo "bench: scale.sh failed, see $W/scale.log" >&2
# shellcheck disable=SC1091
. "$W/scale/scale.env"
echo "## 6. Scale: $sc_d ddci-deploy + $sc_g ddci-flaky-gate processes at once, $sc_l requests per $sc_s s per endpoint family"
echo
echo "Plain HTTP on loopback; every process forked first and released at the same instant. The processes share"
echo "the rate limit through a state file per endpoint family (lib/net/ratelimit.c): one request finds the limit out,"
echo "then each takes a turn in the current or a later window. Windows are the fake's (a window begins with the"
echo "first request $sc_s s after the previous one began); every request sent counts, 429s included."
echo
echo "| figure | value |"
echo "|---|---|"
echo "| processes succeeded / failed | $ok / $failed (spooled $spooled, flushed later $flushed) |"
echo "| deployments stored / deploy POSTs answered 200 / gate pages answered 200 | $deploy_stored / $deploy_posts_ok / $gate_pages_ok |"
echo "| requests made / minimum needed (429s among them) | $requests / $needed = **${ratio_requests}×** ($rejected) |"
echo "| first burst: requests in each family's first window, together (429s among them) | $first_burst ($first_burst_rejected); the limit serves $((2 * sc_l)) |"
echo "| peak requests in one family's window: any / after the first | $peak_window / $peak_after_first (limit $sc_l) |"
sc_busiest=$((sc_g * sc_p > sc_d ? sc_g * sc_p : sc_d))
echo "| windows the busiest family used / needs | $windows_used / $(((sc_busiest + sc_l - 1) / sc_l)) |"
echo "| time to the last finish / least possible | $wall_ms ms / $min_ms ms = **${ratio_time}×** |"
echo "| least possible, the largest of: windows the busiest family needs / the crowd without a limit / its requests' arrival plus the windows after each (tests/bench/scale.sh) | $windows_ms ms / $unlimited_ms ms / $demand_ms ms |"
echo "| the busiest family's first request after the release: without a limit / with | $unlimited_first_ms ms / $first_ms ms |"
echo
echo "The earlier yardstick, the larger of the first two alone ($min_ms_windows_only ms), gives ${ratio_time_windows_only}×."
echo "It ignores that the crowd takes seconds to start on $(nproc) cores and that the busiest family's windows"
echo "cannot begin before its requests exist: by it, no schedule could do better than $(ratio "$demand_ms" "$min_ms_windows_only")× in this run."
echo
target_line "all processes served, none twice (spooled ones flushed)" "$failed == $flushed && $deploy_stored == $sc_d && $deploy_posts_ok == $sc_d && $gate_pages_ok == $sc_g * $sc_p"
target_line "requests ≤1.5× the minimum" "$ratio_requests <= 1.5"
target_line "time ≤1.3× the least possible" "$ratio_time <= 1.3"
target_line "no window above the limit by more than the first burst" "$peak_window <= $sc_l + $first_burst"
echo
