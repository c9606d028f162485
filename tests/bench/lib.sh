# shellcheck shell=bash
# tests/bench/lib.sh — measuring whole processes with public tools.
#
# compare RUNS NAME CMD ... runs each CMD RUNS times (after one warm-up),
# measured by tests/bench/measure.c (wait4); stats sets M_CPU (median
# user+sys ms of the process and every child it waited for: curl and jq in a
# loop, datadog-ci's git), M_WALL (median wall ms) and M_RSS (median peak
# RSS, KiB).  Commands are interleaved run by run, so ratios hold when the
# machine drifts.

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run_once OUTFILE CMD... — one timed run; appends "cpu_ms wall_ms rss_kib rc"
# ($MEASURE: tests/bench/measure.c, wait4 of the child, microsecond CPU;
# /usr/bin/time when it is not built, hundredths only).
run_once() {
	local out="$1" tf
	shift
	if [ -n "${MEASURE:-}" ]; then
		"$MEASURE" "$out" "$@" 2>>"$BENCH_WORK/stderr.log" || true
		return
	fi
	tf=$(mktemp)
	/usr/bin/time -f '%U %S %e %M %x' -o "$tf" "$@" >/dev/null 2>>"$BENCH_WORK/stderr.log" || true
	awk '{ printf "%.1f %.1f %d %d\n", ($1 + $2) * 1000, $3 * 1000, $4, $5 }' "$tf" >>"$out"
	rm -f "$tf"
}

# stats FILE — sets M_CPU M_WALL M_RSS M_FAILS from a run_once file
stats() {
	M_CPU=$(awk '{ print $1 }' "$1" | median)
	M_WALL=$(awk '{ print $2 }' "$1" | median)
	M_RSS=$(awk '{ print $3 }' "$1" | median)
	M_FAILS=$(awk '$4 != 0' "$1" | wc -l)
}

# compare RUNS NAME1 CMD1 NAME2 CMD2 ...  (each CMD one string, split on spaces)
# WARMUP=0 skips the warm-up run.
# Interleaves the commands run by run; writes $BENCH_WORK/<NAME>.runs.
compare() {
	local runs="$1" i j
	shift
	local -a names=() cmds=()
	while [ $# -gt 1 ]; do
		names+=("$1")
		cmds+=("$2")
		shift 2
	done
	for j in "${!names[@]}"; do
		: >"$BENCH_WORK/${names[$j]}.runs"
		[ "${WARMUP:-1}" = 0 ] && continue
		# shellcheck disable=SC2086
		run_once /dev/null ${cmds[$j]} # warm-up
	done
	for ((i = 0; i < runs; i++)); do
		for j in "${!names[@]}"; do
			# shellcheck disable=SC2086
			run_once "$BENCH_WORK/${names[$j]}.runs" ${cmds[$j]}
		done
	done
}

# row NAME LABEL BASE_NAME — a Markdown table row with ratios to BASE_NAME
row() {
	local name="$1" label="$2" base="$3" bcpu
	stats "$BENCH_WORK/$base.runs"
	bcpu=$M_CPU
	stats "$BENCH_WORK/$name.runs"
	awk -v l="$label" -v c="$M_CPU" -v w="$M_WALL" -v r="$M_RSS" -v b="$bcpu" -v f="$M_FAILS" 'BEGIN {
		ratio = (b > 0) ? sprintf("%.2f", c / b) : "-";
		printf "| %s | %.1f | %.1f | %.1f | %s |%s\n", l, c, w, r / 1024, ratio, (f > 0 ? " " f " runs failed" : "")
	}'
}

# cpu_of NAME / rss_of NAME / wall_of NAME — medians from $BENCH_WORK/NAME.runs
cpu_of() { stats "$BENCH_WORK/$1.runs"; printf '%.1f\n' "$M_CPU"; }
rss_of() { stats "$BENCH_WORK/$1.runs"; printf '%.0f\n' "$M_RSS"; }
wall_of() { stats "$BENCH_WORK/$1.runs"; printf '%.1f\n' "$M_WALL"; }

# target_line TEXT EXPR — "- met: TEXT" or "- MISSED: TEXT" (EXPR in awk syntax)
target_line() {
	if awk "BEGIN { exit !($2) }"; then
		echo "- met: $1 ($2)"
	else
		echo "- **MISSED**: $1 ($2)"
	fi
}

# ratio A B — A / B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
