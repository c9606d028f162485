#!/usr/bin/env bash
# tests/fresh/run.sh [SUITE...] — `make check-fresh`: ddci on fresh machines.
# For each Debian suite (default: bookworm trixie, i.e. Debian 12 and 13):
#  1. a debootstrap minbase chroot with only `git make gcc ca-certificates`;
#  2. the repository cloned into it (the commit checked out here, HEAD);
#  3. exactly the README's two commands, as root: `make demo`, `make check`;
#  4. `make deb`, and the package installed with `apt-get install ./…deb`
#     into a second fresh chroot of the same suite, where `ddci --version`
#     and `ddci deploy` (against the fake Datadog, run from this tree's
#     build) must work.
# Prints one line per suite, e.g.
#   debian12: demo ok, check 612 passed 0 failed, deb ok
# and exits 1 if any step failed.  Logs and the chroots' files stay in
# $DDCI_FRESH_WORK/<suite>/ (default build/fresh/); the chroots are removed
# unless DDCI_FRESH_KEEP=1.  DDCI_FRESH_CACHE=DIR takes the minbase roots
# from DIR/minbase-<suite>.tar.gz instead of running debootstrap (see
# tests/fresh/mkroot.sh).  Needs root.  Slow: a chroot's `make check`
# installs the whole test tool set first.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
MKROOT="$ROOT/tests/fresh/mkroot.sh"
WORK="${DDCI_FRESH_WORK:-$ROOT/build/fresh}"
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(bookworm trixie)
[ "$(id -u)" = 0 ] || { echo "check-fresh: needs root (chroot, mount)" >&2; exit 2; }
commit=$(git rev-parse HEAD) || exit 2
[ -n "$(git status --porcelain --untracked-files=no)" ] &&
	echo "check-fresh: uncommitted changes are not tested (HEAD $commit is)" >&2

# The fake Datadog the installed package talks to (this machine's build;
# the chroots share the network).
make --no-print-directory build/rel/fake-datadog >/dev/null || exit 2
FAKE="$ROOT/build/rel/fake-datadog"

name_of() {
	case "$1" in
	bookworm) echo debian12 ;;
	trixie) echo debian13 ;;
	*) echo "$1" ;;
	esac
}

# fresh SUITE: one line, logs in $WORK/SUITE/.
fresh() {
	local suite="$1" name w b i demo=failed check="check not run" deb=failed line
	name=$(name_of "$suite")
	w="$WORK/$suite"
	b="$w/build-root"
	i="$w/install-root"
	"$MKROOT" destroy "$b" && "$MKROOT" destroy "$i"
	mkdir -p "$w"
	rm -f "$w"/*.log
	if ! "$MKROOT" create "$b" "$suite" git make gcc ca-certificates >"$w/create.log" 2>&1; then
		echo "$name: cannot create the chroot (see $w/create.log)"
		return 1
	fi
	git clone -q --no-hardlinks "$ROOT" "$b/root/ddci" && git -C "$b/root/ddci" checkout -q "$commit" ||
		{ echo "$name: cannot clone the repository"; return 1; }

	# The README's two commands, as a new user types them.
	"$MKROOT" run "$b" sh -c 'cd /root/ddci && make demo' >"$w/demo.log" 2>&1 && demo=ok
	"$MKROOT" run "$b" sh -c 'cd /root/ddci && make check' >"$w/check.log" 2>&1
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$w/check.log" | tail -n 1)
	[ -n "$line" ] && check="check ${line/,/}"
	local pkg=""
	if "$MKROOT" run "$b" sh -c 'cd /root/ddci && make deb' >"$w/deb.log" 2>&1; then
		pkg=$(grep -E '^build/deb/ddci_.*\.deb$' "$w/deb.log" | tail -n 1)
	fi
	if [ -n "$pkg" ] && deb_works "$suite" "$b/root/ddci/$pkg" "$i" >"$w/install.log" 2>&1; then
		deb=ok
		cp "$b/root/ddci/$pkg" "$w/"
	fi
	echo "$name: demo $demo, $check, deb $deb"
	if [ -z "${DDCI_FRESH_KEEP:-}" ]; then
		"$MKROOT" destroy "$b"
		"$MKROOT" destroy "$i"
	fi
	[ "$demo" = ok ] && [ "$deb" = ok ] && [[ "$check" == *" 0 failed" ]]
}

# deb_works SUITE DEB ROOT: a second fresh chroot, the package installed
# with apt-get (which pulls its Depends), then --version and a deploy.
deb_works() {
	local suite="$1" deb="$2" r="$3" t port rc
	"$MKROOT" create "$r" "$suite" || return 1
	cp "$deb" "$r/tmp/" || return 1
	t=$(mktemp -d)
	"$FAKE" --port 0 --port-file "$t/port" --log "$t/fake.log" >"$t/fake.out" 2>&1 &
	local pid=$!
	for _ in $(seq 1 200); do
		[ -s "$t/port" ] && break
		sleep 0.05
	done
	port=$(cat "$t/port" 2>/dev/null)
	DDCI_FRESH_PASS="DDCI_API_URL DD_API_KEY" DDCI_API_URL="http://127.0.0.1:$port" \
		DD_API_KEY=fakeapikey0000000000000000000000 "$MKROOT" run "$r" sh -exc '
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y --no-install-recommends ./tmp/'"$(basename "$deb")"'
		ddci --version
		ddci-deploy --version
		ddci deploy --service fresh --env check --started-at now-1m --no-git'
	rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "fake received:"
	cat "$t/fake.log"
	grep -q '/api/v2/dora/deployment' "$t/fake.log" || rc=1
	rm -rf "$t"
	return $rc
}

status=0
for s in "${suites[@]}"; do
	fresh "$s" || status=1
done
exit $status
