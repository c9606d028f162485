#!/usr/bin/env bash
# tests/fresh/mkroot.sh — throw-away Debian chroots for tests that need a
# fresh machine (`make check-fresh`, the container test, fresh-runner tests).
# Needs root, chroot and mount; debootstrap only when no cache is given.
#
#   tests/fresh/mkroot.sh create DIR SUITE [PKG...]
#       DIR becomes a Debian SUITE (bookworm, trixie, ...) minbase root with
#       PKG... installed (apt-get --no-install-recommends).  The root comes
#       from $DDCI_FRESH_CACHE/minbase-SUITE.tar.gz when that exists, else
#       from `debootstrap --variant=minbase SUITE DIR $DDCI_MIRROR`
#       (default: the host's first Debian mirror, else deb.debian.org).
#   tests/fresh/mkroot.sh run DIR COMMAND [ARG...]
#       runs COMMAND as root inside DIR with /proc, /sys, /dev and /dev/pts
#       bound, a clean environment (HOME=/root, PATH, LANG=C.UTF-8, plus
#       every variable named in $DDCI_FRESH_PASS), the host's DNS and its
#       NODE_EXTRA_CA_CERTS (copied to /etc/ssl/host-extra-ca.pem); the
#       mounts are gone when it returns, whatever happened.  Exit status is
#       COMMAND's.
#   tests/fresh/mkroot.sh destroy DIR
#       unmounts whatever is still mounted under DIR and removes it.
#
# Example: a clean Debian 13 with git, then a command in it:
#   DDCI_FRESH_CACHE=/var/cache/ddci tests/fresh/mkroot.sh create /tmp/r trixie git
#   tests/fresh/mkroot.sh run /tmp/r sh -c 'git --version'
#   tests/fresh/mkroot.sh destroy /tmp/r
set -euo pipefail

die() { echo "mkroot: $*" >&2; exit 2; }

mirror() {
	if [ -n "${DDCI_MIRROR:-}" ]; then
		echo "$DDCI_MIRROR"
		return
	fi
	local m
	m=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -z "$m" ] && m=$(awk '$1 == "deb" && $2 ~ /^http/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
	echo "${m:-http://deb.debian.org/debian}"
}

# umount_all DIR: everything mounted at or under DIR, deepest first.
umount_all() {
	local dir m
	dir=$(realpath -m "$1")
	awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

create() {
	[ $# -ge 2 ] || die "usage: mkroot.sh create DIR SUITE [PKG...]"
	local dir="$1" suite="$2" tarball=""
	shift 2
	[ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ] && die "'$dir' exists and is not empty"
	mkdir -p "$dir"
	[ -n "${DDCI_FRESH_CACHE:-}" ] && tarball="$DDCI_FRESH_CACHE/minbase-$suite.tar.gz"
	if [ -n "$tarball" ] && [ -f "$tarball" ]; then
		tar -C "$dir" -xzf "$tarball"
	else
		command -v debootstrap >/dev/null || die "debootstrap is needed (apt-get install debootstrap) or set DDCI_FRESH_CACHE"
		debootstrap --variant=minbase "$suite" "$dir" "$(mirror)" >"$dir.debootstrap.log" 2>&1 ||
			{ tail -n 20 "$dir.debootstrap.log" >&2; die "debootstrap $suite failed"; }
		rm -f "$dir.debootstrap.log"
	fi
	# The suite's own sources, whatever the cache was made with.
	rm -f "$dir/etc/apt/sources.list.d/"*
	echo "deb $(mirror) $suite main" >"$dir/etc/apt/sources.list"
	rm -f "$dir/var/cache/apt/archives/"*.deb
	if [ $# -gt 0 ]; then
		run "$dir" sh -c 'export DEBIAN_FRONTEND=noninteractive
			apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "$@" >/dev/null &&
			apt-get clean' _ "$@" || die "cannot install $* in $dir"
	fi
}

run() {
	[ $# -ge 2 ] || die "usage: mkroot.sh run DIR COMMAND [ARG...]"
	local dir="$1" v
	shift
	[ -x "$dir/bin/sh" ] || die "'$dir' is not a root file system"
	local envs=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb)
	for v in ${DDCI_FRESH_PASS:-}; do
		[ -n "${!v+x}" ] && envs+=("$v=${!v}")
	done
	cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
	# A host behind a TLS-intercepting proxy trusts its CA through
	# NODE_EXTRA_CA_CERTS: node in the chroot (the tests' npm installs)
	# gets the same trust, as it gets the host's DNS.
	if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
		mkdir -p "$dir/etc/ssl" && cp "$NODE_EXTRA_CA_CERTS" "$dir/etc/ssl/host-extra-ca.pem" &&
			envs+=(NODE_EXTRA_CA_CERTS=/etc/ssl/host-extra-ca.pem)
	fi
	mkdir -p "$dir/proc" "$dir/sys" "$dir/dev"
	trap 'umount_all "$dir"' EXIT
	mount -t proc proc "$dir/proc"
	mount --bind /sys "$dir/sys"
	mount --bind /dev "$dir/dev"
	mount --bind /dev/pts "$dir/dev/pts" 2>/dev/null || true
	mount -t tmpfs -o size=50% tmpfs "$dir/dev/shm" 2>/dev/null || true
	local rc=0
	chroot "$dir" /usr/bin/env -i "${envs[@]}" "$@" || rc=$?
	umount_all "$dir"
	trap - EXIT
	return $rc
}

destroy() {
	[ $# -eq 1 ] || die "usage: mkroot.sh destroy DIR"
	[ -d "$1" ] || return 0
	umount_all "$1"
	grep -q " $(realpath -m "$1")[ /]" /proc/self/mounts && die "'$1' still has mounts"
	rm -rf --one-file-system "$1"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
create) create "$@" ;;
run) run "$@" ;;
destroy) destroy "$@" ;;
*) die "usage: mkroot.sh create DIR SUITE [PKG...] | run DIR COMMAND... | destroy DIR" ;;
esac
