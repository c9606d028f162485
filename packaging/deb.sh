#!/bin/sh
# packaging/deb.sh STAGE OUTDIR VERSION — `make deb`: turns a `make install
# PREFIX=/usr DESTDIR=STAGE` tree into OUTDIR/ddci_VERSION_ARCH.deb and
# prints its path.  No debian/ directory and no debhelper: what dh would do
# for this package is done here in a few lines —
#  - executables stripped (the debug info is not shipped), man pages and the
#    changelog gzipped, copyright and changelog in /usr/share/doc/ddci;
#  - Depends: computed by dpkg-shlibdeps from the executables' shared
#    libraries (e.g. libcurl4, libgit2-1.5, libcjson1, libc6), so
#    `apt-get install ./ddci_*.deb` pulls them on a fresh machine of the
#    release it was built on;
#  - md5sums, Installed-Size, files owned by root (dpkg-deb --root-owner-group).
# Needs dpkg-dev (tests/deps.sh deb).
set -eu
stage="$1" out="$2" version="$3"
arch=$(dpkg --print-architecture)
deb="$out/ddci_${version}_${arch}.deb"
doc="$stage/usr/share/doc/ddci"

command -v dpkg-shlibdeps >/dev/null 2>&1 || {
	echo "ddci: make deb needs dpkg-shlibdeps: apt-get install -y dpkg-dev (tests/deps.sh deb)" >&2
	exit 1
}
for f in "$stage"/usr/bin/ddci*; do
	strip --remove-section=.comment --remove-section=.note --strip-unneeded "$f"
done
find "$stage/usr/share/man" -type f ! -name '*.gz' -exec gzip -9nf {} + 2>/dev/null || true
install -d "$doc"
install -m 0644 packaging/copyright "$doc/copyright"
{
	printf 'ddci (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Release %s; see /usr/share/doc/ddci/changelog.gz.\n\n' "$version"
	printf ' -- ddci maintainers <maintainers@ddci.invalid>  %s\n' \
		"$(LC_ALL=C date -R -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")"
} | gzip -9n >"$doc/changelog.Debian.gz"
gzip -9nc CHANGELOG.md >"$doc/changelog.gz"

# dpkg-shlibdeps reads debian/control: give it a minimal one, away from the tree.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debian"
printf 'Source: ddci\n\nPackage: ddci\nArchitecture: any\n' >"$work/debian/control"
bins=$(ls -d "$(cd "$stage" && pwd)"/usr/bin/ddci*)
# shellcheck disable=SC2086
depends=$(cd "$work" && dpkg-shlibdeps -O $bins 2>"$work/shlibdeps.err" | sed -n 's/^shlibs:Depends=//p') || true
[ -n "$depends" ] || { cat "$work/shlibdeps.err" >&2; echo "ddci: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

install -d -m 0755 "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: ddci
Version: $version
Architecture: $arch
Maintainer: ddci maintainers <maintainers@ddci.invalid>
Installed-Size: $size
Depends: $depends
Section: devel
Priority: optional
Description: Datadog for CI pipelines, in small fast C executables
 ddci reports DORA deployments, incidents and change failures to Datadog
 from git metadata (read with libgit2), and gates CI jobs on what Datadog
 knows: flaky tests, test failure rates, open cases.  Each call is one
 small process: no Node, no Python and no git binary are needed.
 .
 This package holds the executables (ddci-deploy, ddci-flaky-gate, ...
 and the ddci dispatcher), their man pages and bash/zsh completions.
EOF
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort |
	xargs md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"
find "$stage" -type d -exec chmod 0755 {} +
mkdir -p "$out"
rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
