#!/usr/bin/env bash
# Source checks (TAP): banned functions, layering, secrets in the tree.
cd "$(dirname "$0")/../.."
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }

hits=$(grep -nE '\b(strcpy|sprintf|strcat|atoi|atol|strtok|gets)\s*\(' lib/*.c lib/*/*.c bin-src/*.c tests/fake-datadog/*.c 2>/dev/null | grep -v snprintf || true)
[ -z "$hits" ] && ok "no strcpy/sprintf/strcat/atoi/strtok/gets" || nok "banned functions used" "$hits"

hits=$(grep -lE '#include *<(curl/curl|cjson/cJSON|cJSON|git2)\.h>' bin-src/*.c 2>/dev/null || true)
[ -z "$hits" ] && ok "executables call libcurl/cJSON/libgit2 only through lib/" || nok "direct library use in bin-src" "$hits"

# The library writes only to streams its caller hands it (trace, report),
# never to stdout/stderr of its own accord, and never exits.
hits=$(grep -nE '(\b(printf|puts|exit|abort)\s*\(|fprintf\s*\(\s*(stdout|stderr))' lib/*.c lib/*/*.c | grep -vE '^lib/(cli|output)\.c' || true)
[ -z "$hits" ] && ok "the library never prints or exits (outside cli/output)" || nok "lib prints or exits" "$hits"

hits=$(git grep -nE '(DD-API-KEY: *|DD-APPLICATION-KEY: *|(API|APP)_KEY=["'"'"']?)[0-9a-f]{32}' -- . ':!tests/fixtures' 2>/dev/null || true)
[ -z "$hits" ] && ok "no key-like literals in the tree" || nok "key-like literal" "$hits"

for h in lib/ddci/*.h; do
	g=$(basename "$h" .h | tr a-z A-Z)
	grep -q "DDCI_${g}_H" "$h" || { nok "header guard DDCI_${g}_H in $h"; continue; }
done
ok "every header has its DDCI_<MODULE>_H guard"
echo "1..$n"
