#!/bin/sh
# tests/fresh-runner/inroot.sh ROOT CMD... — run CMD in the chroot ROOT with
# /proc, /dev and /sys mounted in a private mount namespace (nothing stays
# mounted when CMD ends). RUNAS=USER runs CMD as that user of the chroot.
# The network is the host's (the fake Datadog listens on the host's loopback).
set -eu
root="$1"
shift
# shellcheck disable=SC2016 # expanded by the inner sh
exec unshare -m --propagation private sh -c '
	root="$1"; shift
	mount -t proc proc "$root/proc"
	mount --rbind /dev "$root/dev"
	mount --rbind /sys "$root/sys"
	if [ -n "${RUNAS:-}" ]; then
		exec chroot --userspec="$RUNAS:$RUNAS" "$root" "$@"
	fi
	exec chroot "$root" "$@"' sh "$root" "$@"
