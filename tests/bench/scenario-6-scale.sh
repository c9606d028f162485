# shellcheck shell=bash disable=SC2164,SC2086,SC2046,SC2154
# tests/bench/scenario-6-scale.sh — sourced by run.sh inside the results
# block.  Issue 9's simulation: 200 ddci-deploy and 100 ddci-flaky-gate
# processes released at once against a fake allowing 20 requests per 2 s per
# endpoint family (tests/bench/scale.sh).  BENCH_SCALE="DEPLOYS GATES PAGES
# LIMIT PERIOD" changes the size.
read -r sc_d sc_g sc_p sc_l sc_s <<<"${BENCH_SCALE:-200 100 3 20 2}"
echo "bench: 6. scale: $sc_d deploys + $sc_g flaky gates ($sc_p pages each), limit $sc_l/${sc_s}s" >&2
tests/bench/scale.sh "$BIN" "$FAKE" "$W/scale" "$sc_d" "$sc_g" "$sc_p" "$sc_l" "$sc_s" 180 2>"$W/scale.log" ||
	echo "bench: scale.sh failed, see $W/scale.log" >&2
# shellcheck disable=SC1091
. "$W/scale/scale.env"
echo "## 6. Scale: $sc_d ddci-deploy + $sc_g ddci-flaky-gate processes at once, $sc_l requests per $sc_s s per endpoint family"
echo
echo "Plain HTTP on loopback; every process forked first and released at the same instant."
echo
echo "| figure | value |"
echo "|---|---|"
echo "| processes succeeded / failed | $ok / $failed (spooled $spooled, flushed later $flushed) |"
echo "| deployments stored / deploy POSTs answered 200 / gate pages answered 200 | $deploy_stored / $deploy_posts_ok / $gate_pages_ok |"
echo "| requests made / minimum needed | $requests / $needed = **${ratio_requests}×** |"
echo "| first-burst rejections (all $((sc_d + sc_g)) ask at once, $((2 * sc_l)) can be served) | $((sc_d + sc_g - 2 * sc_l)) |"
echo "| time to the last finish / least possible | $wall_ms ms / $min_ms ms = **${ratio_time}×** |"
echo "| least possible: windows the busiest family needs / the same crowd without a limit | $windows_ms ms / $unlimited_ms ms |"
echo "| peak requests in one family's $sc_s s window: any / after the first | $peak_window / $peak_after_first (limit $sc_l) |"
echo
target_line "all processes served, none twice" "$failed == 0 && $deploy_stored == $sc_d && $deploy_posts_ok == $sc_d && $gate_pages_ok == $sc_g * $sc_p"
target_line "requests ≤1.5× the minimum" "$ratio_requests <= 1.5"
target_line "time ≤1.3× the least possible" "$ratio_time <= 1.3"
echo
