#!/bin/sh
# mk/requires.sh NAME:MINVERSION:DEBIAN-PACKAGE... — called by the Makefile
# before it compiles: each library must be known to pkg-config and new
# enough.  Names the missing one and how to get it; exits 1 then.  Without
# pkg-config it warns once and lets the build try the plain -l flags.
PKG_CONFIG="${PKG_CONFIG:-pkg-config}"
if ! command -v "$PKG_CONFIG" >/dev/null 2>&1; then
	echo "ddci: $PKG_CONFIG not found: library versions not checked, linking with -lcurl -lcjson -lgit2" \
		"(install pkg-config: tests/deps.sh build)" >&2
	exit 0
fi
bad=0
for r in "$@"; do
	name=${r%%:*}
	rest=${r#*:}
	min=${rest%%:*}
	deb=${rest#*:}
	if ! have=$("$PKG_CONFIG" --modversion "$name" 2>/dev/null); then
		echo "ddci: $name >= $min is needed and pkg-config does not know it: install $deb" \
			"(Debian/Ubuntu; 'make deps' does it as root), or add the directory of its $name.pc to PKG_CONFIG_PATH" >&2
		bad=1
	elif ! "$PKG_CONFIG" --atleast-version="$min" "$name"; then
		echo "ddci: $name $have is too old: ddci needs $name >= $min (see README, Supported platforms)" >&2
		bad=1
	fi
done
exit $bad
