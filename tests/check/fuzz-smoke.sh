#!/usr/bin/env bash
# tests/check/fuzz-smoke.sh — TAP: builds every libFuzzer target and runs
# each ~10 s over its committed corpus (tests/fuzz/run.sh smoke).  Skipped
# (TAP skip) only when clang or its fuzzer runtime is missing.
set -u
cd "$(dirname "$0")/../.." || exit 2
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
cat >"$probe/p.c" <<'C'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
C
if ! command -v "${CC_FUZZ:-clang}" >/dev/null 2>&1 ||
	! "${CC_FUZZ:-clang}" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
	echo "1..1"
	echo "ok 1 - fuzz smoke # SKIP clang with the libFuzzer runtime is not installed (libclang-rt-14-dev)"
	exit 0
fi
targets=(tests/fuzz/fuzz_*.c)
echo "1..${#targets[@]}"
out=$(FUZZ_OUT="${FUZZ_OUT:-$PWD/build/fuzz}" tests/fuzz/run.sh smoke 2>&1)
rc=$?
i=0
for src in "${targets[@]}"; do
	i=$((i + 1))
	name=$(basename "$src" .c)
	line=$(grep -E "^$name: " <<<"$out" | tail -n 1)
	if [[ "$line" == *", 0 crashes" ]]; then
		echo "ok $i - $line"
	else
		echo "not ok $i - $name: ${line:-not run}"
		sed 's/^/# /' <<<"$out" | tail -n 30
	fi
done
[ $rc -eq 0 ] || [ $i -gt 0 ]
