#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS|smoke|build] — builds the libFuzzer targets
# (tests/fuzz/fuzz_<name>.c, clang -fsanitize=fuzzer,address,undefined,
# against lib/*.c directly) into build/fuzz/ and runs each one:
#
#   tests/fuzz/run.sh            each target 600 s (`make fuzz`)
#   tests/fuzz/run.sh 60         each target 60 s
#   tests/fuzz/run.sh smoke      each target ~10 s over its corpus (make check)
#   tests/fuzz/run.sh build      build only
#   FUZZ_TARGETS="time url" tests/fuzz/run.sh 30     only those targets
#   FUZZ_TIMEOUT=30 (s per input), FUZZ_OUT=build/fuzz (build and work dir)
#
# Seeds come from tests/fuzz/corpus/<name>/ (small, committed); new inputs
# go to build/fuzz/corpus/<name>/ and crashes to build/fuzz/crash/<name>/.
# Prints one line per target and exits 1 when any target crashed.
set -u
cd "$(dirname "$0")/../.." || exit 2
root="$PWD"
mode="${1:-${FUZZ_SECONDS:-600}}"
out="${FUZZ_OUT:-$root/build/fuzz}"
CC_FUZZ="${CC_FUZZ:-clang}"
flags=(-std=c11 -D_GNU_SOURCE -DDDCI_VERSION='"fuzz"' -Ilib -g -O1 -fno-omit-frame-pointer
	-Wall -Wextra -Werror -Wno-unused-parameter)
# shellcheck disable=SC2054
san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
# shellcheck disable=SC2207
pkg_cflags=($(pkg-config --cflags libcurl libcjson libgit2 2>/dev/null))
# shellcheck disable=SC2207
pkg_libs=($(pkg-config --libs libcurl libcjson libgit2 2>/dev/null || echo -lcurl -lcjson -lgit2))

case "$mode" in
smoke) seconds="${FUZZ_SMOKE_SECONDS:-10}" ;;
build) seconds=0 ;;
*[!0-9]* | '')
	echo "usage: tests/fuzz/run.sh [SECONDS|smoke|build]" >&2
	exit 2
	;;
*) seconds="$mode" ;;
esac

mkdir -p "$out/obj" "$out/bin"
# The library, instrumented for coverage; only what changed is rebuilt.
objs=()
for src in lib/*.c lib/*/*.c; do
	obj="$out/obj/$(basename "$src" .c).o"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find lib/ddci -newer "$obj" -name '*.h' 2>/dev/null | head -n 1)" ]; then
		if ! "$CC_FUZZ" "${flags[@]}" "${san[@]}" -fsanitize=fuzzer-no-link "${pkg_cflags[@]}" \
			-c -o "$obj" "$src" 2>"$out/obj/$(basename "$src" .c).err"; then
			echo "fuzz: cannot compile $src (skipped):" >&2
			head -n 5 "$out/obj/$(basename "$src" .c).err" >&2
			rm -f "$obj"
			continue
		fi
	fi
	objs+=("$obj")
done
rm -f "$out/libddci-fuzz.a"
ar rcs "$out/libddci-fuzz.a" "${objs[@]}"

targets=()
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $name "* ]]; then
		continue
	fi
	bin="$out/bin/fuzz_$name"
	if ! "$CC_FUZZ" "${flags[@]}" "${san[@]}" -fsanitize=fuzzer "${pkg_cflags[@]}" -o "$bin" "$src" \
		"$out/libddci-fuzz.a" "${pkg_libs[@]}" -lm 2>"$out/bin/fuzz_$name.err"; then
		echo "fuzz_$name: build failed" >&2
		cat "$out/bin/fuzz_$name.err" >&2
		exit 1
	fi
	targets+=("$name")
done
[ "$mode" = build ] && { echo "built ${#targets[@]} fuzz targets in $out/bin"; exit 0; }

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
crashed=0
for name in "${targets[@]}"; do
	seeds="tests/fuzz/corpus/$name"
	work="$out/corpus/$name"
	crash="$out/crash/$name"
	mkdir -p "$seeds" "$work" "$crash"
	log="$out/fuzz_$name.log"
	start=$(date +%s)
	args=(-max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048 -max_len=65536
		-artifact_prefix="$crash/" -print_final_stats=1)
	if [ "$mode" = smoke ]; then
		# A throw-away copy of the committed corpus: libFuzzer writes new
		# and reduced inputs into its first directory, never into tests/.
		rm -rf "$out/smoke/$name"
		mkdir -p "$out/smoke"
		cp -r "$seeds" "$out/smoke/$name"
		"$out/bin/fuzz_$name" "${args[@]}" "$out/smoke/$name" >"$log" 2>&1
	else
		"$out/bin/fuzz_$name" "${args[@]}" "$work" "$seeds" >"$log" 2>&1
	fi
	rc=$?
	end=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -ne 0 ]; then
		crashed=$((crashed + 1))
		echo "fuzz_$name: CRASH after $((end - start)) s (exit $rc); log $log, inputs in $crash/"
		grep -E 'ERROR|runtime error|SUMMARY' "$log" | head -n 5
	else
		echo "fuzz_$name: $((end - start)) s, ${execs:-0} runs, 0 crashes"
	fi
done
[ "$crashed" -eq 0 ]
