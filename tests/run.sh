#!/usr/bin/env bash
# tests/run.sh — runs every test (unit, integration, checks) and prints the
# tally; the last line is "N passed, N failed".  Called by `make check`.
#   TESTS=deploy make check    run only integration files matching "deploy"
set -u
cd "$(dirname "$0")/.."
BUILD="${BUILD:-build/asan}"
export DDCI_BIN="$PWD/$BUILD/bin" DDCI_FAKE="$PWD/$BUILD/fake-datadog" DDCI_ROOT="$PWD"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}"
log="$PWD/$BUILD/test-log"
mkdir -p "$log"

# VALGRIND=1: unit tests under memcheck, and every ddci-* the bats tests run
# goes through a wrapper (first on PATH via DDCI_BIN) that runs it under
# memcheck; an error or a definite leak makes it exit 99.
vg=()
if [ -n "${VALGRIND:-}" ] && [ "${VALGRIND}" != 0 ]; then
	vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
		--show-leak-kinds=definite --track-origins=yes)
	wrap="$PWD/$BUILD/valgrind-bin"
	rm -rf "$wrap"
	mkdir -p "$wrap"
	for exe in "$DDCI_BIN"/ddci*; do
		[ -x "$exe" ] || continue
		printf '#!/bin/sh\nexec %s "%s" "$@"\n' "${vg[*]}" "$exe" >"$wrap/$(basename "$exe")"
		chmod +x "$wrap/$(basename "$exe")"
	done
	export DDCI_BIN="$wrap" VALGRIND=1
fi
pass=0 fail=0
failed=()

# count_tap NAME FILE: add the file's TAP results to the tally.
count_tap() {
	local name="$1" file="$2" p f
	p=$(grep -cE '^ok ' "$file" || true)
	f=$(grep -cE '^not ok ' "$file" || true)
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		failed+=("$name")
		grep -E '^not ok ' "$file" | sed "s|^|  $name: |"
	fi
}

filter="${TESTS:-}"
if [ -z "$filter" ] || [ "$filter" = unit ]; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		out="$log/$name.tap"
		CMOCKA_MESSAGE_OUTPUT=TAP timeout 900 "${vg[@]}" "$t" >"$out" 2>"$log/$name.err"
		rc=$?
		if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
			echo "not ok - $name exited with status $rc" >>"$out"
			tail -n 20 "$log/$name.err" | sed "s|^|  $name: |"
		fi
		count_tap "$name" "$out"
		printf '%-28s %s\n' "$name" "$(grep -c '^ok ' "$out") ok, $(grep -c '^not ok' "$out") not ok"
	done
fi

for t in tests/integration/*.bats; do
	[ -f "$t" ] || continue
	[ -n "$filter" ] && [[ "$t" != *"$filter"* ]] && continue
	name=$(basename "$t" .bats)
	out="$log/$name.tap"
	timeout 1200 bats --tap "$t" >"$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
		echo "not ok - $name.bats exited with status $rc" >>"$out"
		tail -n 20 "$out" | sed "s|^|  $name: |"
	fi
	count_tap "$name" "$out"
	printf '%-28s %s\n' "$name.bats" "$(grep -c '^ok ' "$out") ok, $(grep -c '^not ok' "$out") not ok"
done

for t in tests/check/*.sh; do
	[ -f "$t" ] || continue
	[ -n "$filter" ] && [[ "$t" != *"$filter"* ]] && continue
	name=$(basename "$t" .sh)
	out="$log/check-$name.tap"
	timeout 1200 bash "$t" >"$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
		echo "not ok - check $name exited with status $rc" >>"$out"
		tail -n 20 "$out" | sed "s|^|  $name: |"
	fi
	count_tap "check-$name" "$out"
	printf '%-28s %s\n' "check $name" "$(grep -c '^ok ' "$out") ok, $(grep -c '^not ok' "$out") not ok"
done

[ ${#failed[@]} -gt 0 ] && echo "failing: ${failed[*]} (logs in $log)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
