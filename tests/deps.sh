#!/bin/sh
# tests/deps.sh build|test|bench — make sure the Debian packages a target
# needs are installed: installs them with apt-get when run as root, else
# prints the exact command to run.
set -eu
want="${1:-build}"
pkgs="gcc make pkg-config libcurl4-openssl-dev libcjson-dev libgit2-dev ca-certificates"
case "$want" in
test|bench|fuzz)
	pkgs="$pkgs libcmocka-dev bats libmicrohttpd-dev libgnutls28-dev git openssl jq curl clang libclang-rt-14-dev"
	pkgs="$pkgs scdoc mandoc shellcheck rsync valgrind cppcheck time libxml2-utils nodejs npm zsh groovy default-jre-headless"
	;;
esac
case "$want" in
test) pkgs="$pkgs chromium fonts-dejavu-core" ;; # renders the HTML reports (html-report.bats)
bench) pkgs="$pkgs hyperfine time nodejs npm" ;;
fuzz) ;;
esac

missing=""
for p in $pkgs; do
	case "$p" in
	nodejs|npm) command -v "$p" >/dev/null 2>&1 && [ "$p" != nodejs ] && continue
		[ "$p" = nodejs ] && command -v node >/dev/null 2>&1 && continue ;;
	esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "ddci: missing packages:$missing (install them with your package manager)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "ddci: missing packages; run:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "ddci: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 || apt-get install -y --no-install-recommends $missing
