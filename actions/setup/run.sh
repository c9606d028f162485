#!/usr/bin/env bash
# actions/setup/run.sh plan|install — install ddci on a GitHub runner.
#
# plan:    record when the job started (DDCI_JOB_STARTED_AT, for ddci-deploy),
#          check the runner is one setup supports (Linux with dpkg/apt:
#          Ubuntu, Debian), and work out the version, the install directory
#          and the cache key: ddci-<ID><VERSION_ID>-<arch>-<version>-<source>,
#          from /etc/os-release, so a build never lands on another release.
# install: a cache hit (the directory restored with the same key) installs
#          only the runtime libraries the executables load that the runner
#          lacks (from the .debs cached with them, else apt-get). A miss
#          installs the build packages, builds with `make install NOMAN=1`
#          (man pages only when scdoc is there), and keeps in the directory
#          the list of runtime packages and the .debs of those the runner did
#          not have, for the next hit. Then PATH, DDCI_BIN_DIR, outputs.
#
# Bash 3.2 compatible, like ../lib/common.sh, so that macOS runners get the
# "not supported" message instead of a syntax error.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "${GITHUB_ACTION_PATH:-$(dirname "$0")}/../lib/common.sh"

here=$(cd "${GITHUB_ACTION_PATH:-$(dirname "$0")}" && pwd)
checkout=$(cd "$here/../.." && pwd)
build_pkgs="gcc libc6-dev make pkg-config libcurl4-openssl-dev libcjson-dev libgit2-dev"
SUDO=""

# platform — fail with a clear message on runners setup cannot install on.
platform() {
	local os="${RUNNER_OS:-}"
	[ -n "$os" ] || case "$(uname -s)" in
	Linux) os=Linux ;;
	Darwin) os=macOS ;;
	MINGW* | MSYS* | CYGWIN* | Windows*) os=Windows ;;
	*) os=$(uname -s) ;;
	esac
	case "$os" in
	Linux) ;;
	Windows)
		ddci_action_error "ddci setup does not support Windows runners (no make, no apt): run this job on ubuntu-latest (or ubuntu-22.04/24.04), or inside WSL"
		return 2
		;;
	macOS)
		ddci_action_error "ddci setup does not support macOS runners yet: run this job on ubuntu-latest, or build ddci yourself (brew install libgit2 cjson curl pkg-config; make install PREFIX=...) and put its bin directory on PATH"
		return 2
		;;
	*)
		ddci_action_error "ddci setup does not support $os runners: use ubuntu-latest"
		return 2
		;;
	esac
	if [ ! -r /etc/os-release ] || ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
		ddci_action_error "ddci setup supports Debian and Ubuntu runners (dpkg, apt-get, /etc/os-release); on this Linux install ddci yourself (make install) and put it on PATH: the other ddci actions use it from there"
		return 2
	fi
}

# os_release FIELD — a field of /etc/os-release (ID, VERSION_ID, ID_LIKE).
os_release() {
	(
		# shellcheck disable=SC1091
		. /etc/os-release
		eval "printf '%s\n' \"\${$1:-}\""
	)
}

# source_sum DIR — a short hash of the sources a build is made from.
source_sum() {
	(cd "$1" && find Makefile VERSION mk lib bin-src -type f \( -name '*.c' -o -name '*.h' -o -name '*.mk' -o -name Makefile -o -name VERSION \) -print0 2>/dev/null |
		LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

# action_repository — owner/name of the repository this action comes from.
action_repository() {
	if [ -n "${GITHUB_ACTION_REPOSITORY:-}" ]; then
		printf '%s\n' "$GITHUB_ACTION_REPOSITORY"
		return 0
	fi
	# .../_actions/OWNER/NAME/REF/actions/setup
	case "$here" in
	*/_actions/*/*/*/actions/setup)
		printf '%s\n' "$here" | awk -F/ '{ print $(NF-4) "/" $(NF-3) }'
		;;
	esac
}

plan() {
	local version own id vid arch sum dir
	# the job's start, for ddci-deploy's --started-at (--started-at wins)
	if [ -n "${GITHUB_ENV:-}" ] && [ -z "${DDCI_JOB_STARTED_AT:-}" ]; then
		printf 'DDCI_JOB_STARTED_AT=%s\n' "$(date +%s)" >>"$GITHUB_ENV"
	fi
	platform
	own=$(cat "$checkout/VERSION" 2>/dev/null || echo 0.0.0)
	version="${INPUT_VERSION:-$own}"
	version="${version#v}"
	case "$version" in
	[0-9]*.[0-9]*.[0-9]*) ;;
	*)
		ddci_action_error "input 'version' must be a ddci version such as $own, not '${INPUT_VERSION:-}'"
		return 2
		;;
	esac
	case "$version" in
	*[!0-9A-Za-z.+~-]*)
		ddci_action_error "input 'version' must be a ddci version such as $own, not '${INPUT_VERSION:-}'"
		return 2
		;;
	esac
	id=$(os_release ID)
	vid=$(os_release VERSION_ID)
	case " $id $(os_release ID_LIKE) " in
	*" debian "* | *" ubuntu "*) ;;
	*)
		ddci_action_error "ddci setup supports Debian and Ubuntu runners, not '$id': install ddci yourself and put it on PATH"
		return 2
		;;
	esac
	arch=$(uname -m)
	# the action's own checkout may be a branch: key on its sources; a
	# released version (a tag) is the same everywhere
	if [ "$version" = "$own" ]; then sum=$(source_sum "$checkout"); else sum=release; fi
	dir="${INPUT_PREFIX:-}"
	[ -n "$dir" ] || dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/ddci/$version-$sum/$id$vid-$arch"
	ddci_action_output version "$version"
	ddci_action_output dir "$dir"
	ddci_action_output key "ddci-$id$vid-$arch-$version-$sum"
}

# as_root CMD... — CMD as root: directly, or through sudo -n (need_root).
as_root() {
	if [ -n "$SUDO" ]; then sudo -n "$@"; else "$@"; fi
}

# need_root WHAT — set SUDO, or fail saying what needed root.
need_root() {
	if [ "$(id -u)" = 0 ]; then
		SUDO=""
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO=sudo
	else
		ddci_action_error "installing $1 needs root or passwordless sudo; install them first"
		return 2
	fi
}

# missing PKG... — the packages among PKG that are not installed, one a line.
missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$p"
	done
	return 0
}

# apt_install PKG... — apt-get install, refreshing the package lists when
# they are missing or stale.
apt_install() {
	if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
	fi
}

# runtime_packages BIN — the packages holding the shared libraries BIN
# loads, as pkg:arch, one a line.
runtime_packages() {
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while IFS= read -r lib; do
		dpkg -S "*/${lib##*/}" 2>/dev/null | awk -F': ' '$2 ~ /^\// && $1 !~ /[, ]/ { print $1 }'
	done | sort -u
}

# install_runtime DIR — install what the cached executables need and the
# runner lacks: the .debs kept in DIR/debs, else through apt-get.
install_runtime() {
	local dir="$1" p f need="" debs="" all=true
	[ -f "$dir/.ddci-runtime-packages" ] || return 0
	while IFS= read -r p; do
		[ -n "$p" ] || continue
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' && continue
		need="$need $p"
		f=""
		for f in "$dir/debs/${p%%:*}"_*.deb; do break; done
		if [ -f "$f" ]; then debs="$debs $f"; else all=false; fi
	done <"$dir/.ddci-runtime-packages"
	[ -n "$need" ] || return 0
	need_root "the runtime libraries$need"
	echo "ddci: installing the runtime libraries$need"
	# shellcheck disable=SC2086 # package and file names have no blanks
	if [ "$all" = true ] && as_root dpkg -i $debs >"${RUNNER_TEMP:-/tmp}/ddci-dpkg.log" 2>&1; then
		return 0
	fi
	# shellcheck disable=SC2086
	apt_install $need
}

# get_source VERSION — print the directory holding VERSION's sources: this
# action's checkout, else a clone of tag vVERSION of its repository.
get_source() {
	local version="$1" repo dest
	if [ "$version" = "$(cat "$checkout/VERSION" 2>/dev/null)" ]; then
		printf '%s\n' "$checkout"
		return 0
	fi
	repo=$(action_repository)
	if [ -z "$repo" ]; then
		ddci_action_error "input 'version' ($version) differs from this action's ($(cat "$checkout/VERSION")), and the action's repository is unknown: use the action at tag v$version instead"
		return 2
	fi
	dest="${RUNNER_TEMP:-/tmp}/ddci-src-$version"
	rm -rf "$dest"
	git clone -q --depth 1 --branch "v$version" "${GITHUB_SERVER_URL:-https://github.com}/$repo" "$dest" >&2 || {
		ddci_action_error "input 'version': cannot fetch tag v$version of $repo"
		return 2
	}
	printf '%s\n' "$dest"
}

# build DIR VERSION — build and install into DIR; keep what a hit needs.
build() {
	local dir="$1" version="$2" src need log noman=1 p
	log="${RUNNER_TEMP:-/tmp}/ddci-build.log"
	src=$(get_source "$version")
	# what the runner had before we added anything: the .debs a hit needs
	dpkg-query -W -f='${Package}:${Architecture}\n${Package}\n' >"$log.before" 2>/dev/null || :
	# shellcheck disable=SC2086
	need=$(missing $build_pkgs | tr '\n' ' ')
	if [ -n "$need" ]; then
		ddci_action_bool install-deps "${INPUT_INSTALL_DEPS:-true}" || {
			ddci_action_error "missing build packages: $need(install-deps is false)"
			return 2
		}
		need_root "the build packages $need"
		echo "ddci: installing the build packages $need"
		# shellcheck disable=SC2086
		apt_install $need
	fi
	command -v "${SCDOC:-scdoc}" >/dev/null 2>&1 && noman=
	echo "ddci: building $version into $dir${noman:+ (no man pages: scdoc is not installed)}"
	mkdir -p "$dir"
	make -C "$src" -j"$(nproc 2>/dev/null || echo 2)" install PREFIX="$dir" NOMAN="$noman" >"$log" 2>&1 || {
		tail -n 30 "$log"
		ddci_action_error "building ddci $version failed (the log's end is above; all of it in $log)"
		return 2
	}
	runtime_packages "$dir/bin/ddci-deploy" >"$dir/.ddci-runtime-packages"
	rm -rf "$dir/debs"
	mkdir -p "$dir/debs"
	while IFS= read -r p; do
		grep -qxF "$p" "$log.before" && continue
		# the version installed now, so a hit installs the same
		(cd "$dir/debs" && apt-get download -qq "$p=$(dpkg-query -W -f='${Version}' "$p")" >/dev/null 2>&1) ||
			echo "ddci: could not keep the .deb of $p; a cache hit installs it with apt-get"
	done <"$dir/.ddci-runtime-packages"
}

install() {
	local dir="${INPUT_DIR:?INPUT_DIR is set by the plan step}" key="${INPUT_KEY:-}" version="${INPUT_VERSION:-}" hit=false
	if [ -x "$dir/bin/ddci-deploy" ] && [ "$(cat "$dir/.ddci-cache-key" 2>/dev/null)" = "$key" ]; then
		hit=true
		echo "ddci: using the cached build in $dir"
		install_runtime "$dir"
	else
		build "$dir" "${version:-$(cat "$checkout/VERSION")}"
		printf '%s\n' "$key" >"$dir/.ddci-cache-key"
	fi
	"$dir/bin/ddci" --version >"${RUNNER_TEMP:-/tmp}/ddci-version.txt" 2>&1 || {
		cat "${RUNNER_TEMP:-/tmp}/ddci-version.txt"
		ddci_action_error "the installed ddci does not run on this runner (see above)"
		return 2
	}
	head -n 1 "${RUNNER_TEMP:-/tmp}/ddci-version.txt"
	[ -z "${GITHUB_PATH:-}" ] || printf '%s\n' "$dir/bin" >>"$GITHUB_PATH"
	[ -z "${GITHUB_ENV:-}" ] || printf 'DDCI_BIN_DIR=%s\n' "$dir/bin" >>"$GITHUB_ENV"
	ddci_action_output cache-hit "$hit"
	ddci_action_output bin-dir "$dir/bin"
}

case "${1:-}" in
plan) plan ;;
install) install ;;
*) ddci_action_error "usage: run.sh plan|install" ;;
esac
