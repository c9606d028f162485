#!/usr/bin/env bash
# tests/check/man.sh — the man pages (TAP).
#  - every man/*.scd builds with scdoc (and man/tidy.awk, as `make man` does);
#  - `mandoc -T lint` reports nothing but two STYLE messages, allowed:
#      "input text line longer than 80 bytes": scdoc writes a paragraph's
#        lines as they are in the source plus font escapes (\fB...\fR);
#        the rendered width is set by the pager, not the source;
#      "lower case character in document title": the title is the command's
#        name, which is lower case (as in git(1), curl(1));
#  - groff (`man --warnings -l`) renders each page without a warning;
#  - every executable has a page, every page an executable (ddci(7) aside);
#  - every long option from `<exe> --list-options` appears in `<exe> --help`
#    and in the rendered man page, and every option the page defines is one
#    the executable takes;
#  - the dispatcher's commands each have a page and appear in ddci(1), ddci(7).
cd "$(dirname "$0")/../.." || exit 1
BIN="${DDCI_BIN:-build/asan/bin}"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# has TEXT OPTION: does TEXT contain OPTION as a whole word ("--env", not "--envx")?
has() { grep -qE -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|\$)" <<<"$1"; }
# render PAGE: plain text of a built page.
render() { mandoc -T ascii -O width=200 "$1" 2>/dev/null | sed 's/.\x08//g'; }

for tool in scdoc mandoc; do
	if ! command -v $tool >/dev/null 2>&1; then
		nok "$tool is installed" "sudo apt-get install -y scdoc mandoc (tests/deps.sh test)"
		echo "1..$n"
		exit 1
	fi
done

for src in man/*.scd; do
	page="$tmp/$(basename "$src" .scd)"
	if err=$(scdoc <"$src" 2>&1 >"$page.raw") && awk -v version=test -f man/tidy.awk "$page.raw" >"$page"; then
		ok "$src builds with scdoc"
	else
		nok "$src builds with scdoc" "$err"
		continue
	fi
	lint=$(mandoc -T lint "$page" 2>&1 | grep -vE 'STYLE: (input text line longer than 80 bytes|lower case character in document title)')
	[ -z "$lint" ] && ok "$src: mandoc -T lint clean" || nok "$src: mandoc -T lint clean" "$lint"
	if command -v man >/dev/null 2>&1; then
		warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		[ -z "$warn" ] && ok "$src: groff renders without warnings" || nok "$src: groff warnings" "$warn"
	fi
	# Pages name their section; NAME and SYNOPSIS/DESCRIPTION are there.
	name=$(basename "$src" .scd)
	if head -n1 "$src" | grep -qx "${name%.*}(${name##*.})" && grep -q '^# NAME' "$src" &&
		grep -q '^# DESCRIPTION' "$src"; then
		ok "$src has its title, NAME and DESCRIPTION"
	else
		nok "$src title/sections" "$(head -n1 "$src")"
	fi
done

exes=()
for exe in "$BIN"/ddci*; do
	[ -x "$exe" ] && exes+=("$exe")
done
[ ${#exes[@]} -gt 0 ] && ok "executables found in $BIN" || nok "executables found in $BIN" "build them first (make SANITIZE=1 build-tests)"

for exe in "${exes[@]}"; do
	name=$(basename "$exe")
	src="man/$name.1.scd"
	if [ ! -f "$src" ]; then
		nok "$name has a man page" "missing $src"
		continue
	fi
	ok "$name has a man page"
	[ "$name" = ddci ] && continue
	opts=$("$exe" --list-options 2>&1); rc=$?
	if [ $rc -ne 0 ] || ! grep -q -- '^--help$' <<<"$opts"; then
		nok "$name --list-options" "rc=$rc: $opts"
		continue
	fi
	help=$("$exe" --help 2>&1)
	text=$(render "$tmp/$name.1")
	miss_help=() miss_man=()
	while read -r o; do
		has "$help" "$o" || miss_help+=("$o")
		has "$text" "$o" || miss_man+=("$o")
	done <<<"$opts"
	[ ${#miss_help[@]} -eq 0 ] && ok "$name: every option is in --help ($(wc -l <<<"$opts"))" ||
		nok "$name: options missing from --help" "${miss_help[*]}"
	[ ${#miss_man[@]} -eq 0 ] && ok "$name: every option is in the man page ($(wc -l <<<"$opts"))" ||
		nok "$name: options missing from $src" "${miss_man[*]}"
	stale=()
	for o in $(grep -oE '^\*(-[A-Za-z]\*, \*)?--[a-z0-9-]+' "$src" | grep -oE -- '--[a-z0-9-]+'); do
		grep -qx -- "$o" <<<"$opts" || stale+=("$o")
	done
	[ ${#stale[@]} -eq 0 ] && ok "$name: the man page defines no option the executable lacks" ||
		nok "$name: $src defines options $name does not take" "${stale[*]}"
done

for src in man/*.1.scd; do
	name=$(basename "$src" .1.scd)
	[ -x "$BIN/$name" ] && ok "$src documents an executable" || nok "$src documents an executable" "no $BIN/$name"
done

if [ -x "$BIN/ddci" ]; then
	cmds=$("$BIN/ddci" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
	[ -n "$cmds" ] && ok "ddci --help lists commands" || nok "ddci --help lists commands"
	t1=$(render "$tmp/ddci.1") t7=$(render "$tmp/ddci.7")
	for c in $cmds; do
		if [ -f "man/ddci-$c.1.scd" ] && has "$t1" "ddci-$c" && has "$t7" "ddci-$c"; then
			ok "ddci $c: man page, listed in ddci(1) and ddci(7)"
		else
			nok "ddci $c: man page, listed in ddci(1) and ddci(7)"
		fi
	done
	has "$t1" --help && has "$t1" --version && ok "ddci(1) documents --help and --version" ||
		nok "ddci(1) documents --help and --version"
fi
echo "1..$n"
