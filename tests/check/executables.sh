#!/usr/bin/env bash
# Every executable: --help to stdout exit 0, --version exit 0, a bogus flag
# exit 2 with one line naming it, nothing on stdout.
cd "$(dirname "$0")/../.."
BIN="${DDCI_BIN:-build/asan/bin}"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }
for exe in "$BIN"/ddci-*; do
	name=$(basename "$exe")
	out=$("$exe" --help 2>/dev/null); rc=$?
	# The first line comes from the command table (lib/commands.c), which
	# the dispatcher lists too.
	line=$(head -n 1 <<<"$out")
	if [[ $line == "$name - "?* ]] && grep -qxF "  $(printf '%-20s %s' "${name#ddci-}" "${line#"$name - "}")" <<<"$("$BIN"/ddci --help)"; then
		ok "$name --help opens with its line of the command table, which ddci --help lists"
	else
		nok "$name in the command table" "$line"
	fi
	if [ $rc -eq 0 ] && grep -q "^Usage: $name" <<<"$out" && grep -q 'Exit status' <<<"$out"; then
		ok "$name --help"
	else
		nok "$name --help" "rc=$rc"
	fi
	out=$("$exe" --version 2>&1); rc=$?
	[ $rc -eq 0 ] && grep -q libcurl <<<"$out" && ok "$name --version" || nok "$name --version" "rc=$rc $out"
	err=$("$exe" --bogus-flag 2>&1 >/dev/null); rc=$?
	lines=$(printf '%s\n' "$err" | wc -l)
	if [ $rc -eq 2 ] && grep -q -- "--bogus-flag" <<<"$err" && [ "$lines" -eq 1 ]; then
		ok "$name rejects a bogus flag with exit 2 and one line"
	else
		nok "$name bogus flag" "rc=$rc lines=$lines: $err"
	fi
done
out=$("$BIN"/ddci --help); rc=$?
[ $rc -eq 0 ] && grep -q deploy <<<"$out" && ok "ddci --help lists commands" || nok "ddci --help" "$out"
"$BIN"/ddci nosuchcommand >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "ddci with an unknown command exits 2" || nok "ddci unknown command" "rc=$rc"
out=$("$BIN"/ddci deploy --help); rc=$?
[ $rc -eq 0 ] && grep -q '^Usage: ddci-deploy' <<<"$out" && ok "ddci deploy runs ddci-deploy" || nok "dispatch" "$out"
echo "1..$n"
