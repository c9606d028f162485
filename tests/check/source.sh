#!/usr/bin/env bash
# Source checks (TAP): banned functions, layering, a library that never
# prints, function length, secrets in the tree.
#   tests/check/source.sh [ROOT]   checks another tree (source-selftest.sh
#                                  runs it on trees that break each rule)
root="${1:-$(dirname "$0")/../..}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$root" || exit 1
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }
shopt -s nullglob
lib_c=(lib/*.c lib/*/*.c)
bin_c=(bin-src/*.c)
private_h=()
for f in lib/*.h lib/*/*.h; do
	case "$f" in lib/ddci/*) ;; *) private_h+=("$f") ;; esac
done

hits=$(grep -nE '\b(strcpy|sprintf|strcat|atoi|atol|strtok|gets)\s*\(' "${lib_c[@]}" "${bin_c[@]}" tests/fake-datadog/*.c /dev/null | grep -v snprintf || true)
[ -z "$hits" ] && ok "no strcpy/sprintf/strcat/atoi/strtok/gets" || nok "banned functions used" "$hits"

# ---- layering ------------------------------------------------------------
#
#   bin-src/ddci-*.c         commands: top-level headers only
#   lib/*.c                  decisions, presentation, cli/output: anything below
#   lib/api/                 Datadog's API modules: util, settings, net
#   lib/net/  lib/git/       transport; git and CI: util, settings
#   lib/config.c             settings (flags > environment > defaults): util
#   lib/util/                base: util only
#
# A header (lib/ddci/NAME.h) belongs to the layer of its module NAME.c; it
# obeys its layer's rule too.  A header beside the sources (lib/git/
# git_repo.h) is private to its folder: only that folder's files include
# it, by its bare name, and it obeys the folder's rule.  Commands reach libcurl, cJSON and libgit2
# only through lib/: no include and no type of theirs, ddci/json.h included.

# layer FILE: the layer of a source or header file.
layer() {
	local f=$1 m l
	case "$f" in
	bin-src/*) echo bin; return ;;
	lib/ddci/*.h) m=$(basename "$f" .h) ;;
	lib/*/*.c | lib/*/*.h) l=${f#lib/}; echo "${l%%/*}"; return ;;
	lib/*.c) m=$(basename "$f" .c) ;;
	*) echo none; return ;;
	esac
	[ "$m" = config ] && { echo settings; return; }
	for l in util net git api; do
		[ -f "lib/$l/$m.c" ] && { echo "$l"; return; }
	done
	[ -f "lib/$m.c" ] && { echo top; return; }
	echo none
}

# may FROM TO: may a file of layer FROM include a header of layer TO.
may() {
	case "$1:$2" in
	*:none) return 1 ;;
	util:util) ;;
	settings:util | settings:settings) ;;
	net:util | net:settings | net:net) ;;
	git:util | git:settings | git:git) ;;
	api:util | api:settings | api:net | api:api) ;;
	top:util | top:settings | top:net | top:git | top:api | top:top) ;;
	bin:settings | bin:top) ;;
	*) return 1 ;;
	esac
}

# Known exceptions, each with its reason: "FILE-GLOB WHAT reason", WHAT
# being a header (ddci/x.h), "cJSON" (types in a command), "stdout" (the
# library printing), "endpoint" (an endpoint path below lib/api) or
# "long:FUNCTION" (over 100 lines).  Each must still be needed (one that matches nothing
# fails), so the list only shrinks.
exceptions="${DDCI_SOURCE_EXCEPTIONS:-$here/source-exceptions.txt}"
ex_glob=() ex_what=() ex_used=()
if [ -f "$exceptions" ]; then
	while read -r g w _; do
		case "$g" in '' | '#'*) continue ;; esac
		ex_glob+=("$g") ex_what+=("$w") ex_used+=(0)
	done <"$exceptions"
fi
excused() {
	local i
	for i in "${!ex_glob[@]}"; do
		# shellcheck disable=SC2053 # the glob is meant to match
		if [[ $1 == ${ex_glob[$i]} && $2 == "${ex_what[$i]}" ]]; then
			ex_used[$i]=1
			return 0
		fi
	done
	return 1
}

bad=()
for f in "${lib_c[@]}" "${bin_c[@]}" lib/ddci/*.h "${private_h[@]}"; do
	from=$(layer "$f")
	for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"ddci\/\([a-z0-9_]*\)\.h".*/\1/p' "$f"); do
		to=$(layer "lib/ddci/$h.h")
		may "$from" "$to" || excused "$f" "ddci/$h.h" || bad+=("$f ($from) includes ddci/$h.h ($to)")
	done
	# any other quoted include: a private header of the file's own folder
	for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | grep -v '^ddci/[a-z0-9_]*\.h$'); do
		case "$f:$h" in
		lib/ddci/* | bin-src/* | *:*/*) ;;
		*) [ -f "$(dirname "$f")/$h" ] && continue ;;
		esac
		excused "$f" "$h" || bad+=("$f ($from) includes \"$h\" (a private header is its own folder's only)")
	done
done
[ ${#bad[@]} -eq 0 ] && ok "includes follow the layers (util < settings < net, git < api < top < commands)" ||
	nok "includes against the layers" "${bad[@]}"

bad=()
while IFS=: read -r f l rest; do
	excused "$f" cJSON || bad+=("$f:$l:$rest")
done < <(grep -nE '#include *<(curl/curl|cjson/cJSON|cJSON|git2)\.h>|\bcJSON\b|\bCURL[A-Z]*\b|\bcurl_[a-z_]+\s*\(|\bgit_[a-z_]+\s*\(' "${bin_c[@]}" /dev/null)
[ ${#bad[@]} -eq 0 ] && ok "commands use no libcurl/cJSON/libgit2 include or type" || nok "libcurl/cJSON/libgit2 in bin-src" "${bad[@]}"

# The transport and the base know no endpoint: the API module that makes
# a call names its rate-limit family and keys on struct ddci_call.
bad=()
while IFS=: read -r f l rest; do
	excused "$f" endpoint || bad+=("$f:$l:$rest")
done < <(grep -nE '"/api/v[0-9]|/dora/|flaky-test-management|/ci/tests|/synthetics/|/cases' lib/util/*.c lib/net/*.c lib/ddci/http.h lib/ddci/client.h lib/ddci/ratelimit.h lib/ddci/spool.h lib/ddci/flush.h /dev/null | grep -vE ':[0-9]+:\s*(/?\*|//)')
[ ${#bad[@]} -eq 0 ] && ok "lib/net and lib/util hold no endpoint path" || nok "endpoint paths below the API layer" "${bad[@]}"

# The library writes only to streams its caller hands it (trace, report),
# never to stdout/stderr of its own accord, and never exits; cli.c and
# output.c are the command-line side of the library.
bad=()
while IFS=: read -r f l rest; do
	excused "$f" stdout || bad+=("$f:$l:$rest")
done < <(grep -nE '(\b(printf|puts|putchar|exit|abort)\s*\(|\b(stdout|stderr)\b)' "${lib_c[@]}" /dev/null | grep -vE '^lib/(cli|output)\.c:')
[ ${#bad[@]} -eq 0 ] && ok "the library never prints or exits (outside cli/output)" || nok "lib prints or exits" "${bad[@]}"

# No function longer than 100 lines (a body between a "{" and a "}" that
# open and close a line, the way every function here is written).
bad=()
while read -r where fn len; do
	excused "${where%%:*}" "long:$fn" || bad+=("$where $fn() is $len lines")
done < <(awk -v max=100 '
	FNR == 1 { prev = ""; start = 0 }
	/^\{/ && start == 0 { start = FNR; name = prev; next }
	/^\}/ && start > 0 {
		if (FNR - start - 1 > max) {
			n = name; sub(/\(.*/, "", n); sub(/.*[ *]/, "", n)
			print FILENAME ":" start, n, FNR - start - 1
		}
		start = 0
		next
	}
	start == 0 && /\(/ { prev = $0 }' "${lib_c[@]}" "${bin_c[@]}" /dev/null)
[ ${#bad[@]} -eq 0 ] && ok "no function longer than 100 lines in lib/ or bin-src/" || nok "functions longer than 100 lines" "${bad[@]}"

stale=()
for i in "${!ex_glob[@]}"; do
	[ "${ex_used[$i]}" = 1 ] || stale+=("${ex_glob[$i]} ${ex_what[$i]}")
done
[ ${#stale[@]} -eq 0 ] && ok "every layering exception is still needed" ||
	nok "layering exceptions that match nothing (remove them)" "${stale[@]}"

hits=$(git grep -nE '(DD-API-KEY: *|DD-APPLICATION-KEY: *|(API|APP)_KEY=["'"'"']?)[0-9a-f]{32}' -- . ':!tests/fixtures' 2>/dev/null || true)
[ -z "$hits" ] && ok "no key-like literals in the tree" || nok "key-like literal" "$hits"

for h in lib/ddci/*.h; do
	g=$(basename "$h" .h | tr a-z A-Z)
	grep -q "DDCI_${g}_H" "$h" || { nok "header guard DDCI_${g}_H in $h"; continue; }
done
ok "every header has its DDCI_<MODULE>_H guard"
echo "1..$n"
