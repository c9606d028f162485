#!/usr/bin/env bash
# actions/setup/run.sh plan|install — build and install ddci on the runner.
#
# plan:    work out the install directory and the cache key (the ddci version
#          plus a hash of the sources this action was checked out with).
# install: reuse the directory when the cache restored it with the same key,
#          else install the build packages with apt-get (sudo when not root) and
#          `make install` from this action's checkout. Then put it on PATH and
#          record when the job started, for the reporters' --started-at.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "${GITHUB_ACTION_PATH:-$(dirname "$0")}/../lib/common.sh"

src=$(cd "${GITHUB_ACTION_PATH:-$(dirname "$0")}/../.." && pwd)
pkgs=(gcc make pkg-config libcurl4-openssl-dev libcjson-dev libgit2-dev)

plan() {
	local version sum dir
	version=$(cat "$src/VERSION" 2>/dev/null || echo 0.0.0)
	sum=$(cd "$src" && find Makefile VERSION lib bin-src -type f \( -name '*.c' -o -name '*.h' -o -name Makefile -o -name VERSION \) -print0 |
		LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
	dir="${INPUT_PREFIX:-}"
	[ -n "$dir" ] || dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/ddci/$version-$sum"
	ddci_action_output version "$version"
	ddci_action_output dir "$dir"
	ddci_action_output key "ddci-${RUNNER_OS:-Linux}-$(uname -m)-$version-$sum"
}

missing_packages() {
	local p
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$p"
	done
}

install() {
	local dir="${INPUT_DIR:?INPUT_DIR is set by the plan step}" key="${INPUT_KEY:-}" hit=false
	local -a missing sudo=()
	if [ -x "$dir/bin/ddci-deploy" ] && [ "$(cat "$dir/.ddci-cache-key" 2>/dev/null)" = "$key" ]; then
		hit=true
		echo "ddci: using the cached build in $dir"
	else
		if command -v dpkg-query >/dev/null 2>&1; then
			mapfile -t missing < <(missing_packages)
			if [ "${#missing[@]}" -gt 0 ]; then
				ddci_action_bool install-deps "${INPUT_INSTALL_DEPS:-true}" ||
					ddci_action_error "missing build packages: ${missing[*]} (install-deps is false)"
				[ "$(id -u)" = 0 ] || sudo=(sudo -n)
				echo "ddci: installing ${missing[*]}"
				"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
				"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
			fi
		fi
		echo "ddci: building $(cat "$src/VERSION" 2>/dev/null) into $dir"
		make -C "$src" -j"$(nproc 2>/dev/null || echo 2)" install PREFIX="$dir" >"${RUNNER_TEMP:-/tmp}/ddci-build.log" 2>&1 || {
			tail -n 30 "${RUNNER_TEMP:-/tmp}/ddci-build.log"
			ddci_action_error "building ddci failed (log above)"
		}
		printf '%s\n' "$key" >"$dir/.ddci-cache-key"
	fi
	[ -n "${GITHUB_PATH:-}" ] && printf '%s\n' "$dir/bin" >>"$GITHUB_PATH"
	if [ -n "${GITHUB_ENV:-}" ]; then
		printf 'DDCI_BIN_DIR=%s\n' "$dir/bin" >>"$GITHUB_ENV"
		[ -n "${DDCI_JOB_STARTED_AT:-}" ] || printf 'DDCI_JOB_STARTED_AT=%s\n' "$(date +%s)" >>"$GITHUB_ENV"
	fi
	ddci_action_output cache-hit "$hit"
	"$dir/bin/ddci-deploy" --version | head -n 1
}

case "${1:-}" in
plan) plan ;;
install) install ;;
*) ddci_action_error "usage: run.sh plan|install" ;;
esac
