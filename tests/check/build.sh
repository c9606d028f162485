#!/usr/bin/env bash
# tests/check/build.sh — the portable build (TAP), cheap: dry runs and one
# small object in a temporary build directory.
#  - the user's CFLAGS/CPPFLAGS add to the flags ddci needs, never replace them;
#  - -Werror only with DEVELOPER=1;
#  - new flags rebuild everything, a new version only version.o; nothing new
#    rebuilds nothing; a build of an unreleased commit says so (+g<commit>);
#  - pkg-config is asked per library: a missing or too old one is named, and
#    the others' flags stay;
#  - the mbedTLS override is on only for a dynamically linked mbedTLS libgit2;
#  - man pages install without scdoc (pre-generated ones, else a warning);
#  - the source uses nothing a supported platform lacks.
cd "$(dirname "$0")/../.." || exit 1
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
b="$tmp/b"
obj="$b/lib/util/wipe.o"
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE -u DEVELOPER -u CFLAGS -u CPPFLAGS -u LDFLAGS \
	make --no-print-directory BUILD="$b" "$@"; }
# the compile command make would run for one object
cc_line() { mk -n "$@" "$obj" 2>&1 | grep -E -- "-c -o $obj"; }
has_all() {
	local line="$1" w
	shift
	for w in "$@"; do
		[[ " $line " == *" $w "* ]] || return 1
	done
}

l=$(cc_line CFLAGS=-O0)
has_all "$l" -std=c11 -Wall -Wextra -MMD -MP -O0 && ok "make CFLAGS=-O0 keeps -std=c11, the warnings, -MMD" ||
	nok "make CFLAGS=-O0" "$l"
l=$(cc_line CPPFLAGS=-DDDCI_X=1)
has_all "$l" -Ilib -D_GNU_SOURCE -DDDCI_X=1 && ok "make CPPFLAGS=-DX keeps -Ilib -D_GNU_SOURCE" ||
	nok "make CPPFLAGS=-DX" "$l"
l=$(cc_line)
l1=$(cc_line DEVELOPER=1)
! has_all "$l" -Werror && has_all "$l1" -Werror && ok "-Werror only with DEVELOPER=1" ||
	nok "-Werror only with DEVELOPER=1" "default: $l" "DEVELOPER=1: $l1"

vobj="$b/lib/util/version.o"
if mk "$obj" "$vobj" >"$tmp/1" 2>&1 && mk "$obj" "$vobj" >"$tmp/2" 2>&1 &&
	mk VERSION=9.9.9 "$obj" "$vobj" >"$tmp/3" 2>&1; then
	if ! grep -q -- "-c -o " "$tmp/2" && grep -q -- "-c -o $vobj" "$tmp/3" && ! grep -q -- "-c -o $obj" "$tmp/3" &&
		[ "$(cat "$b/VERSION-FILE")" = 9.9.9 ] && ! grep -q 9.9.9 "$b/FLAGS"; then
		ok "a new version rebuilds version.o only ($b/VERSION-FILE), an unchanged one nothing"
	else
		nok "version rebuilds" "second run: $(cat "$tmp/2")" "new VERSION: $(cat "$tmp/3")"
	fi
else
	nok "building $obj" "$(cat "$tmp/1" "$tmp/2" "$tmp/3" 2>/dev/null | tail -n 10)"
fi

# mk/version.sh in a repository of its own: the release commit (tag
# v<VERSION>) says VERSION; any other commit +g<commit>; uncommitted changes
# .dirty; a tree without .git (a tarball), or one unpacked inside another
# repository's checkout, says VERSION.
vr="$tmp/vrepo"
mkdir -p "$vr/mk" && cp mk/version.sh "$vr/mk/" && echo 1.2.3 >"$vr/VERSION"
g() { git -C "$vr" -c user.name=t -c user.email=t@e -c commit.gpgsign=false "$@" >/dev/null 2>&1; }
v() { (cd "$1" && sh mk/version.sh); }
g init -q && g add -A && g commit -qm one && g tag v1.2.3
v1=$(v "$vr")
echo x >>"$vr/VERSION.txt" && g add -A && g commit -qm two
sha=$(git -C "$vr" rev-parse --short=12 HEAD)
v2=$(v "$vr")
echo y >>"$vr/VERSION.txt"
v3=$(v "$vr")
mkdir -p "$vr/sub/mk" && cp mk/version.sh "$vr/sub/mk/" && echo 4.5.6 >"$vr/sub/VERSION"
v4=$(v "$vr/sub")
rm -rf "$vr/.git"
v5=$(v "$vr")
[ "$v1" = 1.2.3 ] && [ "$v2" = "1.2.3+g$sha" ] && [ "$v3" = "1.2.3+g$sha.dirty" ] && [ "$v4" = 4.5.6 ] &&
	[ "$v5" = 1.2.3 ] && ok "mk/version.sh: release 1.2.3, then 1.2.3+g<commit>, .dirty; tarballs say VERSION" ||
	nok "mk/version.sh" "tagged: $v1" "next commit: $v2 (want 1.2.3+g$sha)" "dirty: $v3" "nested: $v4" "no .git: $v5"
# and what this tree's build says
want=$(cat VERSION)
got=$(mk -s version)
if [ "$(git rev-parse -q --verify "refs/tags/v$want^{commit}" 2>/dev/null)" = "$(git rev-parse HEAD 2>/dev/null)" ]; then
	[[ "$got" == "$want" || "$got" == "$want+g"*.dirty ]]
else
	[[ "$got" =~ ^"$want"\+g[0-9a-f]{12}(\.dirty)?$ ]] || ! git rev-parse --git-dir >/dev/null 2>&1
fi && ok "make version: $got" || nok "make version" "got '$got' for VERSION $want"

# A pkg-config that knows libcurl and libcjson (the real answers) and
# answers libgit2 as given by $FAKE_GIT2: "" unknown, else its version.
cat >"$tmp/pkg-config" <<'EOF'
#!/bin/sh
for a; do last=$a; done
case "$last" in
libgit2)
	[ -n "$FAKE_GIT2" ] || exit 1
	case "$1" in
	--modversion) echo "$FAKE_GIT2" ;;
	--atleast-version=*) [ "$FAKE_GIT2" != 1.1.0 ] ;;
	--cflags) echo -I/fake/git2 ;;
	--libs) echo -lgit2 ;;
	esac ;;
*) exec pkg-config "$@" ;;
esac
EOF
chmod +x "$tmp/pkg-config"
out=$(FAKE_GIT2='' mk PKG_CONFIG="$tmp/pkg-config" "$b/FLAGS" 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -q 'libgit2 >= 1.5.0 is needed' <<<"$out" && grep -q 'libgit2-dev' <<<"$out" &&
	! grep -qE 'libcurl|libcjson' <<<"$out" && ok "a missing libgit2 is named, with its package" ||
	nok "missing libgit2" "exit $rc: $out"
out=$(FAKE_GIT2=1.1.0 mk PKG_CONFIG="$tmp/pkg-config" "$b/FLAGS" 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -q 'libgit2 1.1.0 is too old: ddci needs libgit2 >= 1.5.0' <<<"$out" &&
	ok "a too old libgit2 is named with the minimum" || nok "too old libgit2" "exit $rc: $out"
l=$(FAKE_GIT2='' cc_line PKG_CONFIG="$tmp/pkg-config")
cj=$(pkg-config --cflags libcjson)
has_all "$l" $cj && ok "the other libraries' flags stay when one is missing (per-package pkg-config)" ||
	nok "per-package pkg-config" "$l"

g="$b/lib/git/git.o"
mb=$(pkg-config --libs --static libgit2 2>/dev/null | grep -c -- -lmbedtls)
l=$(mk -n "$g" 2>&1 | grep -- "-c -o $g")
l0=$(mk -n GIT_MBEDTLS_OVERRIDE=0 "$g" 2>&1 | grep -- "-c -o $g")
ls=$(mk -n LDFLAGS=-static "$g" 2>&1 | grep -- "-c -o $g")
if [ "$mb" -gt 0 ]; then
	has_all "$l" -DDDCI_GIT_MBEDTLS_OVERRIDE && ! has_all "$l0" -DDDCI_GIT_MBEDTLS_OVERRIDE &&
		! has_all "$ls" -DDDCI_GIT_MBEDTLS_OVERRIDE &&
		ok "mbedTLS override: on for this mbedTLS libgit2, off with GIT_MBEDTLS_OVERRIDE=0 and -static" ||
		nok "mbedTLS override switch" "default: $l" "=0: $l0" "-static: $ls"
else
	! has_all "$l" -DDDCI_GIT_MBEDTLS_OVERRIDE && ok "mbedTLS override off: this libgit2 does not use mbedTLS" ||
		nok "mbedTLS override on without mbedTLS" "$l"
fi
if mk GIT_MBEDTLS_OVERRIDE=0 "$g" >"$tmp/g.log" 2>&1; then
	nm "$g" | grep -q ' T mbedtls_x509_crt_parse' && nok "GIT_MBEDTLS_OVERRIDE=0 still defines mbedTLS symbols" ||
		ok "GIT_MBEDTLS_OVERRIDE=0: git.o defines no mbedTLS symbol (a static link cannot clash)"
else
	nok "git.o with GIT_MBEDTLS_OVERRIDE=0" "$(tail -n 5 "$tmp/g.log")"
fi

# Man pages without scdoc: a tree with the sources only, then with the
# pre-generated pages a release tarball carries.
src="$tmp/src"
mkdir -p "$src"
cp -r Makefile VERSION mk man "$src/"
mkm() { (cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory SCDOC=no-such-scdoc "$@"); }
out=$(mkm install-man PREFIX=/usr DESTDIR="$tmp/d1" 2>&1)
rc=$?
pages=$(find "$tmp/d1" -type f 2>/dev/null | wc -l)
[ $rc -eq 0 ] && [ "$pages" -eq 0 ] && grep -q 'warning: scdoc not found' <<<"$out" &&
	ok "without scdoc or pre-generated pages, install warns and goes on" || nok "install-man without scdoc" "exit $rc: $out"
nsrc=$(ls man/*.scd | wc -l)
for f in man/*.scd; do
	printf '.TH %s\n' "$(basename "$f" .scd)" >"$src/man/$(basename "$f" .scd)"
done
out=$(mkm install-man PREFIX=/usr DESTDIR="$tmp/d2" 2>&1)
rc=$?
pages=$(find "$tmp/d2" -type f | wc -l)
[ $rc -eq 0 ] && [ "$pages" -eq "$nsrc" ] && [ -f "$tmp/d2/usr/share/man/man7/ddci.7" ] &&
	ok "without scdoc, install uses the pre-generated pages ($pages)" || nok "pre-generated pages" "exit $rc, $pages pages: $out"

# Source portability.
hits=$(grep -rn 'explicit_bzero' lib bin-src | grep -v '^lib/util/wipe.c:' || true)
[ -z "$hits" ] && ok "secrets are wiped through ddci_wipe() only (explicit_bzero is not everywhere)" ||
	nok "explicit_bzero outside lib/util/wipe.c" "$hits"
hits=$(grep -rnE 'LIBGIT2_VER_|LIBGIT2_VERSION_|git2/version\.h' lib bin-src || true)
[ -z "$hits" ] && ok "no libgit2 version macros (renamed in 1.9)" || nok "libgit2 version macros" "$hits"
hits=$(grep -rn --include='*.c' 'CURLOPT_PROTOCOLS_STR\|CURLINFO_CAINFO' lib bin-src | grep -v '^lib/net/http.c:' || true)
guard=$(grep -B3 'CURLOPT_PROTOCOLS_STR' lib/net/http.c | grep -c 'LIBCURL_VERSION_NUM >= 0x075500')
[ -z "$hits" ] && [ "$guard" -ge 1 ] && ok "libcurl >= 7.85 options only under a version check" ||
	nok "libcurl version guards" "$hits" "guard lines: $guard"
echo "1..$n"
