#!/usr/bin/env bash
# tests/check/install.sh — packaging (TAP):
#  - `make install PREFIX=/usr DESTDIR=$tmp` puts the executables, the
#    dispatcher, man pages and completions where Debian expects them, and the
#    installed dispatcher, man pages and bash completion work;
#  - `make uninstall` with the same variables removes all of it;
#  - `make install NOMAN=1` installs no man pages;
#  - `make dist` writes a tarball that unpacks and builds with `make` alone,
#    and carries the generated man pages, which its `make install` uses
#    when scdoc is missing.
# Uses the build `make check` made (BUILD, default build/asan), so install
# does not rebuild.
cd "$(dirname "$0")/../.." || exit 1
BUILD="${BUILD:-build/asan}"
san=
[ "$BUILD" = build/asan ] && san=1
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A make of our own, not a sub-make of `make check`; with the flags of the
# build it reuses (DEVELOPER), so that nothing is rebuilt.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory DEVELOPER="${DEVELOPER:-}" "$@"; }

dest="$tmp/root"
exes=()
for f in bin-src/ddci*.c; do
	exes+=("$(basename "$f" .c)")
done

if out=$(mk SANITIZE=$san install PREFIX=/usr DESTDIR="$dest" 2>&1); then
	ok "make install PREFIX=/usr DESTDIR=..."
else
	nok "make install PREFIX=/usr DESTDIR=..." "$(tail -n 20 <<<"$out")"
fi

miss=()
for e in "${exes[@]}"; do
	[ -x "$dest/usr/bin/$e" ] || miss+=("usr/bin/$e")
done
[ ${#miss[@]} -eq 0 ] && ok "executables and the dispatcher in /usr/bin (${#exes[@]})" ||
	nok "executables in /usr/bin" "missing: ${miss[*]}"

miss=()
for src in man/*.scd; do
	p=$(basename "$src" .scd)
	[ -f "$dest/usr/share/man/man${p##*.}/$p" ] || miss+=("usr/share/man/man${p##*.}/$p")
done
for e in "${exes[@]}"; do
	[ -f "$dest/usr/share/man/man1/$e.1" ] || miss+=("usr/share/man/man1/$e.1")
done
[ -f "$dest/usr/share/man/man7/ddci.7" ] || miss+=("usr/share/man/man7/ddci.7")
[ ${#miss[@]} -eq 0 ] && ok "man pages in /usr/share/man/man1 and man7" || nok "man pages" "missing: ${miss[*]}"

if command -v man >/dev/null 2>&1; then
	out=$(MANPATH="$dest/usr/share/man" MANWIDTH=80 man 1 ddci-deploy 2>&1)
	grep -q -- '--started-at' <<<"$out" && ok "man ddci-deploy finds the installed page" ||
		nok "man ddci-deploy" "$(head -n 5 <<<"$out")"
	out=$(MANPATH="$dest/usr/share/man" MANWIDTH=80 man 7 ddci 2>&1)
	grep -q 'EXIT STATUS' <<<"$out" && ok "man 7 ddci finds the installed page" || nok "man 7 ddci" "$(head -n 5 <<<"$out")"
else
	skip "man ddci-deploy finds the installed page" "man not installed"
fi

bc="$dest/usr/share/bash-completion/completions"
miss=()
[ -f "$bc/ddci" ] || miss+=(ddci)
for e in "${exes[@]}"; do
	[ -e "$bc/$e" ] || miss+=("$e")
done
[ -f "$dest/usr/share/zsh/site-functions/_ddci" ] || miss+=(zsh/_ddci)
[ ${#miss[@]} -eq 0 ] && ok "bash completion (a name per executable) and zsh completion installed" ||
	nok "completions installed" "missing: ${miss[*]}"

# The installed dispatcher runs the installed command next to it.
out=$("$dest/usr/bin/ddci" deploy --help 2>&1)
grep -q '^Usage: ddci-deploy' <<<"$out" && ok "installed ddci deploy --help runs ddci-deploy" ||
	nok "installed dispatcher" "$(head -n 3 <<<"$out")"

# The installed bash completion completes options, values and subcommands.
out=$(PATH="$dest/usr/bin:$PATH" bash -c '
	source "$1"
	t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _ddci; echo "${COMPREPLY[*]}"; }
	t ddci-deploy --servi
	t ddci dep
	t ddci-deploy --output ""
	t ddci-dora ""
	t ddci dora list ""
' _ "$bc/ddci-deploy" 2>&1)
expect=$'--service --service-version\ndeploy\ntext json\nlist get delete report\ndeployments failures'
[ "$out" = "$expect" ] && ok "bash completion: options, commands, --output values, subcommands" ||
	nok "bash completion" "got: $out" "want: $expect"

if command -v zsh >/dev/null 2>&1; then
	zsh -n "$dest/usr/share/zsh/site-functions/_ddci" && ok "zsh completion parses" || nok "zsh completion parses"
else
	skip "zsh completion parses" "zsh not installed"
fi

if out=$(mk SANITIZE=$san uninstall PREFIX=/usr DESTDIR="$dest" 2>&1); then
	left=$(find "$dest" -type f -o -type l)
	[ -z "$left" ] && ok "make uninstall removes everything install put there" ||
		nok "make uninstall leaves files" "$left"
else
	nok "make uninstall" "$(tail -n 20 <<<"$out")"
fi

if out=$(mk SANITIZE=$san install NOMAN=1 PREFIX=/usr DESTDIR="$tmp/noman" 2>&1); then
	[ -x "$tmp/noman/usr/bin/ddci-deploy" ] && [ ! -d "$tmp/noman/usr/share/man" ] &&
		ok "make install NOMAN=1: executables, no man pages" || nok "make install NOMAN=1" "$(find "$tmp/noman" | head)"
else
	nok "make install NOMAN=1" "$(tail -n 20 <<<"$out")"
fi

# dist: the committed tree, unpacked elsewhere, builds with `make` alone.
version=$(mk -s version)
if out=$(mk dist 2>&1) && [ -f "build/ddci-$version.tar.gz" ]; then
	ok "make dist writes build/ddci-$version.tar.gz"
	mkdir -p "$tmp/dist"
	if tar -xzf "build/ddci-$version.tar.gz" -C "$tmp/dist"; then
		d="$tmp/dist/ddci-$version"
		miss=()
		for f in Makefile VERSION README.md CHANGELOG.md mk/docs.mk man/ddci.7.scd completions/ddci.bash \
			completions/_ddci lib/cli.c bin-src/ddci.c man/ddci.7 man/ddci-deploy.1; do
			[ -f "$d/$f" ] || miss+=("$f")
		done
		[ ${#miss[@]} -eq 0 ] && ok "the tarball unpacks into ddci-$version/ with sources, docs and completions" ||
			nok "tarball contents" "missing (commit them): ${miss[*]}"
		if out=$(cd "$d" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE -u VALGRIND -u BUILD timeout 900 make -j2 2>&1) &&
			"$d/build/rel/bin/ddci-deploy" --version | grep -q "(ddci) $version"; then
			ok "the unpacked tarball builds with make alone"
		else
			nok "the unpacked tarball builds with make alone" "$(tail -n 20 <<<"$out")"
		fi
		if out=$(cd "$d" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make install-man SCDOC=no-such-scdoc \
			PREFIX=/usr DESTDIR="$tmp/distman" 2>&1) && [ -f "$tmp/distman/usr/share/man/man1/ddci-deploy.1" ] &&
			cmp -s "$tmp/distman/usr/share/man/man1/ddci-deploy.1" "$d/man/ddci-deploy.1"; then
			ok "without scdoc, the tarball's make install uses its pre-generated man pages"
		else
			nok "tarball man pages without scdoc" "$(tail -n 5 <<<"$out")"
		fi
	else
		nok "the tarball unpacks"
	fi
else
	nok "make dist" "$(tail -n 20 <<<"$out")"
fi
echo "1..$n"
