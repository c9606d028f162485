#!/usr/bin/env bash
# tests/fresh-runner/run.sh [SUITE...] — actions/setup on fresh runners, for
# `make check-fresh-runner` (part of `make check-fresh`; needs root).
#
# For each Debian suite (default: bookworm trixie — Debian 12 and 13, the
# nearest to ubuntu-22.04/24.04 reachable here) it builds a minbase chroot
# with only what a hosted runner image has that matters (bash, sudo, curl,
# git, ca-certificates, a `runner` user with passwordless sudo; no libgit2,
# libcjson or scdoc), and then, as `runner`, through tests/ci/gh-sim.js:
#   1. the setup action, cache empty: a miss (builds, saves the cache);
#   2. a NEW fresh chroot with only the cache directory carried over: the
#      setup action again, which must be a hit;
#   3. there, the deploy and flaky-gate actions against the fake Datadog
#      (on the host's loopback), and README.md's GitHub Actions snippet;
#   4. there, nodejs and npm from Debian, then `npm install
#      @datadog/datadog-ci` in an empty directory, what a datadog-ci user pays
#      per job without a cache.
# It prints one line per suite with the wall times, e.g.
#   debian12: setup miss 150.2s, hit 6.1s (cache hit); npm install @datadog/datadog-ci 38.0s; deploy ok, flaky-gate ok, README snippet ok
#
# Root file systems: DDCI_FRESH_CACHE=DIR (as `make check-fresh`; or
# DDCI_ROOTFS_CACHE) holding minbase-<suite>.tar.gz
# (a `debootstrap --variant=minbase` tree, tarred); without it, or when the
# file is missing, debootstrap makes one from the Debian mirror (and keeps it
# in the work directory, DDCI_FRESH_DIR, default $TMPDIR/ddci-fresh-runner).
# DDCI_FRESH_KEEP=1 keeps the chroots.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
here="$top/tests/fresh-runner"
# outside build/: the Makefile reads every build/**/*.d, and a root file system has /etc/rc2.d
work="${DDCI_FRESH_DIR:-${TMPDIR:-/tmp}/ddci-fresh-runner}"
mirror="${DDCI_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[ "$(id -u)" = 0 ] || { echo "fresh-runner: needs root (chroot, mount)" >&2; exit 2; }
for t in unshare chroot tar node; do
	command -v "$t" >/dev/null || { echo "fresh-runner: $t is not installed" >&2; exit 2; }
done
tests/ci/install.sh || exit 2
make --no-print-directory build/rel/fake-datadog >/dev/null
mkdir -p "$work"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
in_root() { "$here/inroot.sh" "$@"; }
# drop DIR — remove a chroot, never while something is mounted under it
drop() {
	if grep -q " $1/" /proc/mounts; then
		echo "fresh-runner: $1 still has mounts; not removing it" >&2
		return 1
	fi
	rm -rf "$1"
}

# rootfs SUITE — the path of a minbase tarball of SUITE.
rootfs() {
	local from="${DDCI_FRESH_CACHE:-${DDCI_ROOTFS_CACHE:-}}"
	local suite="$1" t="$from/minbase-$1.tar.gz"
	if [ -n "$from" ] && [ -s "$t" ]; then
		printf '%s\n' "$t"
		return
	fi
	t="$work/minbase-$suite.tar.gz"
	if [ ! -s "$t" ]; then
		command -v debootstrap >/dev/null || { echo "fresh-runner: debootstrap is not installed" >&2; exit 2; }
		rm -rf "$work/debootstrap-$suite"
		debootstrap --variant=minbase "$suite" "$work/debootstrap-$suite" "$mirror" >"$work/debootstrap-$suite.log" 2>&1
		tar -C "$work/debootstrap-$suite" -czf "$t.part" . && mv "$t.part" "$t"
		rm -rf "$work/debootstrap-$suite"
	fi
	printf '%s\n' "$t"
}

# runner_root SUITE DIR — a fresh runner: minbase + bash sudo curl git
# ca-certificates, user `runner` (uid 1001) with passwordless sudo, and this
# checkout as the action (in _actions/acme/ddci/v0, as the runner fetches it).
runner_root() {
	local suite="$1" root="$2" a
	drop "$root"
	mkdir -p "$root"
	tar -C "$root" -xzf "$(rootfs "$suite")"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# shellcheck disable=SC2016 # run in the chroot
	in_root "$root" sh -c 'export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq --no-install-recommends bash sudo curl git ca-certificates >/dev/null
		useradd -m -u 1001 -s /bin/bash runner
		echo "runner ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/runner
		mkdir -p /opt/hostedtoolcache /home/runner/work/_temp /home/runner/work/_actions
		chown -R runner:runner /opt/hostedtoolcache /home/runner/work' >"$root.log" 2>&1
	if in_root "$root" sh -c 'dpkg -l libgit2-dev libcjson1 scdoc 2>/dev/null | grep -q ^ii'; then
		echo "fresh-runner: $suite: the fresh root already has libgit2/libcjson/scdoc" >&2
		exit 1
	fi
	a="$root/home/runner/work/_actions/acme/ddci/v0"
	mkdir -p "$a"
	git ls-files -co --exclude-standard -z | grep -zv '^tests/ci/node_modules/' | tar --null -T - -cf - | tar -C "$a" -xf -
	chown -R 1001:1001 "$a"
	# the workspace: a repository of acme/shop, two commits, a deploy script
	# shellcheck disable=SC2016 # run in the chroot
	in_root "$root" runuser -u runner -- sh -c 'set -e
		cd /home/runner/work && mkdir -p shop && cd shop && git init -q -b main
		git config user.name ci && git config user.email ci@example.com
		mkdir scripts && printf "#!/bin/sh\necho deploying to \$1\n" >scripts/deploy.sh && chmod +x scripts/deploy.sh
		git add -A && git commit -qm one && echo 2 >b && git add b && git commit -qm two
		git remote add origin https://github.com/acme/shop.git' >>"$root.log" 2>&1
}

# sim ROOT ARGS... — tests/ci/gh-sim.js as the runner user in ROOT, with a
# runner's environment (nothing of the host's).
sim() {
	local root="$1"
	shift
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/home/runner USER=runner LANG=C.UTF-8 \
		RUNAS=runner GH_SIM_ROOT="$root" GH_SIM_WRAP="[\"$here/inroot.sh\",\"$root\"]" GH_SIM_CACHE="$cache" \
		GH_SIM_WORKDIR=/home/runner/work/shop GH_SIM_ACTIONS="$root/home/runner/work/_actions/acme/ddci/v0/actions" \
		GH_SIM_SECRETS="{\"DD_API_KEY\":\"$key\",\"DD_APP_KEY\":\"$appkey\"}" \
		CI=true GITHUB_ACTIONS=true RUNNER_OS=Linux RUNNER_TEMP=/home/runner/work/_temp RUNNER_TOOL_CACHE=/opt/hostedtoolcache \
		GITHUB_WORKSPACE=/home/runner/work/shop GITHUB_REPOSITORY=acme/shop GITHUB_SERVER_URL=https://github.com \
		GITHUB_RUN_ID=77 GITHUB_RUN_ATTEMPT=1 GITHUB_JOB=deploy GITHUB_REF=refs/heads/main GITHUB_REF_NAME=main \
		GITHUB_EVENT_NAME=push GITHUB_SHA="$(git -c safe.directory='*' -C "$root/home/runner/work/shop" rev-parse HEAD)" \
		DDCI_API_URL="$url" "$@" node "$top/tests/ci/gh-sim.js" "${sim_args[@]}"
}

one_suite() {
	local suite="$1" name a b t0 t1 miss hit npm_t out hitflag deploy=failed gate=failed snippet=failed
	case "$suite" in
	bookworm) name=debian12 ;;
	trixie) name=debian13 ;;
	*) name="$suite" ;;
	esac
	a="$work/$name-a"
	b="$work/$name-b"
	cache="$work/$name-cache"
	rm -rf "$cache"
	mkdir -p "$cache"
	out="$work/$name.out"
	: >"$out"

	runner_root "$suite" "$a"
	sim_args=("$a/home/runner/work/_actions/acme/ddci/v0/actions/setup" '{}' "$work/$name-setup-a.json")
	t0=$(now)
	sim "$a" >>"$out" 2>&1 || { tail -n 40 "$out"; echo "$name: setup (cache miss) failed" >&2; return 1; }
	t1=$(now)
	miss=$(secs "$t0" "$t1")
	[ "$(jq -r '."cache-hit"' "$work/$name-setup-a.json")" = false ] || { echo "$name: the first setup was not a miss" >&2; return 1; }
	[ -n "$(ls "$cache")" ] || { echo "$name: the miss saved no cache" >&2; return 1; }
	[ -n "${DDCI_FRESH_KEEP:-}" ] || drop "$a"

	runner_root "$suite" "$b"
	sim_args=("$b/home/runner/work/_actions/acme/ddci/v0/actions/setup" '{}' "$work/$name-setup-b.json")
	t0=$(now)
	sim "$b" >>"$out" 2>&1 || { tail -n 40 "$out"; echo "$name: setup (cache hit) failed" >&2; return 1; }
	t1=$(now)
	hit=$(secs "$t0" "$t1")
	hitflag=$(jq -r '."cache-hit"' "$work/$name-setup-b.json")
	[ "$hitflag" = true ] || { echo "$name: the second setup was not a cache hit" >&2; return 1; }

	# the other actions run in later steps of the same job: setup's PATH and
	# DDCI_BIN_DIR come from GITHUB_ENV/GITHUB_PATH, emulated by a workflow
	printf '%s\n' "jobs:" "  deploy:" "    steps:" \
		"      - uses: acme/ddci/actions/setup@v0" \
		"      - id: deploy" "        uses: acme/ddci/actions/deploy@v0" "        with:" \
		"          api-key: \${{ secrets.DD_API_KEY }}" "          service: shop" "          env: prod" \
		"      - id: gate" "        uses: acme/ddci/actions/flaky-gate@v0" "        with:" \
		"          api-key: \${{ secrets.DD_API_KEY }}" "          app-key: \${{ secrets.DD_APP_KEY }}" \
		"          max-active: 5" "          max-new: 0" "          fail-on-changed: true" \
		>"$b/home/runner/work/_temp/actions.yml"
	sim_args=(--workflow "$b/home/runner/work/_temp/actions.yml" deploy "$work/$name-actions.json")
	if sim "$b" >>"$out" 2>&1; then
		[ "$(jq -r .steps.deploy.outputs.\"deployment-id\" "$work/$name-actions.json")" != "" ] &&
			[ "$(curl -fsS "$url/_fake/state" | jq '.deployments | length')" -ge 1 ] && deploy=ok
		[ "$(jq -r .steps.gate.outputs.\"gate-result\" "$work/$name-actions.json")" = passed ] && gate=ok
	fi
	node "$top/tests/ci/readme-blocks.js" README.md "GitHub Actions" 0 >"$b/home/runner/work/_temp/readme.yml"
	sim_args=(--workflow "$b/home/runner/work/_temp/readme.yml" deploy "$work/$name-readme.json")
	if sim "$b" >>"$out" 2>&1 && [ "$(jq -r .steps.dora.outcome "$work/$name-readme.json")" = success ] &&
		[ -n "$(jq -r '.steps.dora.outputs."deployment-id"' "$work/$name-readme.json")" ]; then
		snippet=ok
	fi

	# what a datadog-ci user pays per job without a cache (Node from Debian;
	# hosted runners have Node, so installing it is not counted)
	in_root "$b" sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null 2>&1' || true
	# a host behind a TLS-intercepting proxy trusts its CA through
	# NODE_EXTRA_CA_CERTS: the chroot gets the same trust
	local ca=
	if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
		cp "$NODE_EXTRA_CA_CERTS" "$b/etc/ssl/certs/host-extra-ca.pem"
		ca=/etc/ssl/certs/host-extra-ca.pem
	fi
	t0=$(now)
	# shellcheck disable=SC2016 # run in the chroot
	if RUNAS=runner in_root "$b" env HOME=/home/runner ${ca:+NODE_EXTRA_CA_CERTS=$ca} sh -c 'mkdir -p /home/runner/work/_temp/npm &&
		cd /home/runner/work/_temp/npm && npm install --no-audit --no-fund --loglevel=error @datadog/datadog-ci >/dev/null' >>"$out" 2>&1; then
		t1=$(now)
		npm_t="$(secs "$t0" "$t1")s"
	else
		npm_t="failed (see $out)"
	fi
	[ -n "${DDCI_FRESH_KEEP:-}" ] || drop "$b"
	echo "$name: setup miss ${miss}s, hit ${hit}s (cache hit); npm install @datadog/datadog-ci $npm_t; deploy $deploy, flaky-gate $gate, README snippet $snippet"
	if [ "$deploy" != ok ] || [ "$gate" != ok ] || [ "$snippet" != ok ]; then
		tail -n 60 "$out"
		return 1
	fi
}

key=fakeapikey0000000000000000000000
appkey=fakeappkey000000000000000000000000000000
rm -f "$work/fake.port"
"$top/build/rel/fake-datadog" --port 0 --port-file "$work/fake.port" --log "$work/fake.log" >"$work/fake.out" 2>&1 &
fake=$!
trap 'kill "$fake" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$work/fake.port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$work/fake.port")"
# flaky tests of acme/shop, none new in the pushed commit
curl -fsS -X POST -H 'Content-Type: application/json' "$url/_fake/flaky-tests" -d '[{"id":"t1","repository_id":"github.com/acme/shop","branches":["main"],
  "attributes":{"name":"test_a","suite":"S","module":"m","flaky_state":"active","first_flaked_sha":"0c6be03165b7f7ffe96e076ffb29afb2825616c3",
  "first_flaked_branch":"main","codeowners":[],"services":["shop"],"envs":["ci"],"pipeline_stats":{"failed_pipelines":1,"total_lost_time_ms":1000},
  "test_run_metadata":{"source_file":"tests/a.py","source_start":1,"source_end":2},"test_stats":{"failure_rate_pct":10}}}]' >/dev/null

rc=0
for suite in "${@:-bookworm trixie}"; do
	for s in $suite; do one_suite "$s" || rc=1; done
done
exit "$rc"
