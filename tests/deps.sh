#!/bin/sh
# tests/deps.sh build|demo|test|bench|fuzz|deb|image|fresh — make sure the
# Debian packages a target needs are installed: installs them with apt-get
# when run as root, else prints the exact command to run.
#
# One list per target, each exactly what that target runs.  Names must exist
# on Debian 12 and 13 (and Ubuntu): no version-pinned names (libclang-rt-dev
# is the runtime of the distribution's default clang, the one `clang` is).
# Adding a tool for a test: one word on the line of the target that runs it.
set -eu
want="${1:-build}"

# make, make install: compiler and the three libraries (see README)
build="gcc libc6-dev make pkg-config libcurl4-openssl-dev libcjson-dev libgit2-dev ca-certificates"
# make demo (tests/demo*.sh): the fake Datadog's library, git, jq, curl
demo="$build libmicrohttpd-dev git jq curl"
# make check (tests/run.sh): unit, integration and source checks
test="$demo libcmocka-dev bats openssl python3"               # python3: XML/PNG checks in bats
test="$test clang libclang-rt-dev"                        # fuzz smoke (libFuzzer)
test="$test scdoc mandoc man-db"                          # man pages (check man, install)
test="$test shellcheck cppcheck libxml2-utils zsh rsync"  # lint, JUnit XML, completions, gitlab-ci-local
test="$test valgrind time nodejs npm groovy default-jre-headless"  # make check VALGRIND=1, CI templates, Jenkins
test="$test chromium fonts-dejavu-core"                   # renders the HTML reports (html-report.bats)
test="$test python3-jsonschema"                          # --output json against docs/schemas/ (json-contract.bats)
# make bench, make fuzz
bench="$demo hyperfine time nodejs npm"
fuzz="$build clang libclang-rt-dev"
# make deb: dpkg-shlibdeps; scdoc for the man pages
deb="$build dpkg-dev scdoc"
# make check-image: the container builder and a base made with debootstrap
image="buildah debootstrap"
# make check-fresh: debootstrap chroots
fresh="debootstrap"

case "$want" in
build) pkgs="$build" ;;
demo) pkgs="$demo" ;;
test) pkgs="$test" ;;
bench) pkgs="$bench" ;;
fuzz) pkgs="$fuzz" ;;
deb) pkgs="$deb" ;;
image) pkgs="$image" ;;
fresh) pkgs="$fresh" ;;
*)
	echo "usage: tests/deps.sh build|demo|test|bench|fuzz|deb|image|fresh" >&2
	exit 2
	;;
esac

missing=""
for p in $pkgs; do
	case " $missing " in *" $p "*) continue ;; esac
	# node/npm from elsewhere (nvm, NodeSource) will do
	case "$p" in
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -qE 'install ok (installed|triggers-)'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "ddci: missing packages:$missing (Debian names; install them with your package manager)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "ddci: missing packages; run:" >&2
	echo "  sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "ddci: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 || apt-get install -y --no-install-recommends $missing
