#!/usr/bin/env bash
# tests/fresh/image.sh [SUITE] — `make check-image`: builds the Dockerfile
# with buildah and runs the image against the fake Datadog.
#
# No registry is reachable from the machines this runs on, so the base
# image is made here: a minbase root of SUITE (default bookworm; from
# $DDCI_FRESH_CACHE or debootstrap, see tests/fresh/mkroot.sh), slimmed the
# way Debian's -slim images are (no docs, man pages, locales or apt lists,
# and a dpkg path-exclude so packages installed later leave them out too),
# imported with buildah as localhost/ddci-base:SUITE and passed to the
# Dockerfile as BASE.  buildah runs as root with vfs storage and chroot
# isolation (no daemon, no user namespaces needed).
#
# Checks (TAP): the image builds; its size is under 150 MB (printed); it
# runs as a non-root user with `ddci` as entrypoint; `ddci deploy` inside
# it, against the fake Datadog on this machine, reads a mounted git
# repository and is received.  Test images are removed afterwards unless
# DDCI_IMAGE_KEEP=1.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

suite="${1:-bookworm}"
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
base="localhost/ddci-base:$suite"
image="localhost/ddci:check-$suite"
max_mb=150
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }
done_() {
	echo "1..$n"
	[ -z "$fails" ]
	exit
}
fails=""
fail() { fails="$fails$1"$'\n'; nok "$@"; }
[ "$(id -u)" = 0 ] || { echo "check-image: needs root" >&2; exit 2; }
command -v buildah >/dev/null || { echo "check-image: buildah is needed (tests/deps.sh image)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/ddci-image.XXXXXX)
ctrs=()
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	local c
	for c in "${ctrs[@]}"; do buildah rm "$c" >/dev/null 2>&1; done
	[ -n "${fake_pid:-}" ] && kill "$fake_pid" 2>/dev/null
	if [ -z "${DDCI_IMAGE_KEEP:-}" ]; then
		buildah rmi -f "$image" "$base" >/dev/null 2>&1
		buildah rmi --prune >/dev/null 2>&1
	fi
	tests/fresh/mkroot.sh destroy "$tmp/root" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- the base: a slim minbase root -------------------------------------------
if ! tests/fresh/mkroot.sh create "$tmp/root" "$suite" >"$tmp/root.log" 2>&1; then
	fail "base root for $suite" "$(tail -n 5 "$tmp/root.log")"
	done_
fi
r="$tmp/root"
rm -rf "$r"/usr/share/doc/* "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/locale/* \
	"$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb "$r"/var/log/*.log
mkdir -p "$r/etc/dpkg/dpkg.cfg.d"
cat >"$r/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
# as in Debian's -slim images
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
c=$(buildah from scratch) && ctrs+=("$c") && m=$(buildah mount "$c") &&
	tar -C "$r" --exclude=./proc --exclude=./sys --exclude=./dev -cf - . | tar -C "$m" -xf - &&
	buildah umount "$c" >/dev/null && buildah commit -q "$c" "$base" >/dev/null
if [ $? -eq 0 ]; then
	ok "base image $base from a $suite minbase root"
else
	fail "base image $base"
	done_
fi

# --- the image ----------------------------------------------------------------
# The committed tree (what a `docker build` of a clone sees).
mkdir -p "$tmp/ctx"
git archive HEAD | tar -C "$tmp/ctx" -xf -
version=$(make -s --no-print-directory version)
if buildah bud --isolation chroot --layers=false -q --build-arg BASE="$base" --build-arg VERSION="$version" \
	-t "$image" -f "$tmp/ctx/Dockerfile" "$tmp/ctx" >"$tmp/bud.log" 2>&1; then
	ok "the Dockerfile builds (buildah bud, BASE=$base)"
else
	fail "the Dockerfile builds" "$(tail -n 20 "$tmp/bud.log")"
	done_
fi
# The size `docker images` shows: the image's unpacked file system.
c=$(buildah from "$image") && ctrs+=("$c")
m=$(buildah mount "$c")
bytes=$(du -sb "$m" 2>/dev/null | cut -f1)
buildah umount "$c" >/dev/null 2>&1
mb=$(( (${bytes:-0} + 999999) / 1000000 ))
if [ "${bytes:-0}" -gt 0 ] && [ "$mb" -lt "$max_mb" ]; then
	ok "image size $mb MB (< $max_mb MB)"
else
	fail "image size ${mb} MB (< $max_mb MB)" "bytes: ${bytes:-unknown}"
fi
cfg=$(buildah inspect --type image --format '{{.OCIv1.Config.User}} {{.OCIv1.Config.Entrypoint}} {{index .OCIv1.Config.Labels "org.opencontainers.image.version"}}' "$image")
[ "$cfg" = "ddci [ddci] $version" ] && ok "non-root user, ENTRYPOINT ddci, version label ($cfg)" ||
	fail "user, entrypoint, labels" "got: $cfg"

# --- ddci deploy inside it, against the fake Datadog --------------------------
make --no-print-directory build/rel/fake-datadog >"$tmp/fake-build.log" 2>&1 ||
	{ fail "fake-datadog builds" "$(tail -n 5 "$tmp/fake-build.log")"; done_; }
build/rel/fake-datadog --port 0 --port-file "$tmp/port" --log "$tmp/fake.log" >"$tmp/fake.out" 2>&1 &
fake_pid=$!
for _ in $(seq 1 200); do
	[ -s "$tmp/port" ] && break
	sleep 0.05
done
port=$(cat "$tmp/port")
repo="$tmp/repo"
git init -q -b main "$repo" && git -C "$repo" -c user.name=T -c user.email=t@example.com commit -q --allow-empty -m one &&
	git -C "$repo" remote add origin https://user:secret@github.com/acme/shop.git
head=$(git -C "$repo" rev-parse HEAD)
chown -R 10001:10001 "$repo"
out=$(buildah run --isolation chroot -v "$repo:/work" --env DDCI_API_URL="http://127.0.0.1:$port" \
	--env DD_API_KEY=fakeapikey0000000000000000000000 "$c" -- \
	ddci deploy --service shop --env check --started-at now-1m 2>&1)
rc=$?
who=$(buildah run --isolation chroot "$c" -- id -un 2>&1)
if [ $rc -eq 0 ] && grep -q "$head" "$tmp/fake.log" && grep -q 'github.com/acme/shop' "$tmp/fake.log" &&
	! grep -q secret "$tmp/fake.log" && [ "$who" = ddci ]; then
	ok "ddci deploy in the image (as $who) sent HEAD $head and the scrubbed remote"
else
	fail "ddci deploy in the image" "exit $rc, user $who: $out" "$(head -c 600 "$tmp/fake.log")"
fi
ver=$(buildah run --isolation chroot "$c" -- ddci-deploy --version 2>&1 | tr '\n' ' ')
grep -q "(ddci) $version" <<<"$ver" && ok "ddci-deploy --version: $ver" || fail "ddci-deploy --version" "$ver"
done_
