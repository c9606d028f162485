#!/usr/bin/env bash
# The source checks catch what they claim to: tests/check/source.sh run on
# a small clean tree passes, and on copies that each break one rule fails
# with that rule's message.
here="$(cd "$(dirname "$0")" && pwd)"
tmp=$(mktemp -d /tmp/ddci-source-selftest-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }

# A tree with one module per layer, each including only what it may.
clean="$tmp/clean"
mkdir -p "$clean"/lib/{ddci,util,net,git,api} "$clean"/bin-src
mod() { # DIR NAME INCLUDES...: lib/DIR/NAME.c and lib/ddci/NAME.h
	local dir=$1 name=$2 guard
	shift 2
	guard=DDCI_$(tr a-z A-Z <<<"$name")_H
	printf '#ifndef %s\n#define %s\nint ddci_%s(void);\n#endif\n' "$guard" "$guard" "$name" >"$clean/lib/ddci/$name.h"
	{
		printf '#include "ddci/%s.h"\n' "$name" "$@"
		printf 'int ddci_%s(void)\n{\n\treturn 0;\n}\n' "$name"
	} >"$clean/lib/$dir/$name.c"
}
mod util buf
mod util json buf
mod . config buf
mod net http buf config
mod git gitmeta buf
mod api dora http json config
mod . gate dora gitmeta http json
# a header private to lib/git/, shared by its files
printf '#ifndef DDCI_GITREPO_H\n#define DDCI_GITREPO_H\n#include "ddci/buf.h"\n#endif\n' >"$clean/lib/git/gitrepo.h"
echo '#include "gitrepo.h"' >>"$clean/lib/git/gitmeta.c"
printf '#include "ddci/gate.h"\n#include "ddci/config.h"\nint main(void)\n{\n\treturn ddci_gate();\n}\n' \
	>"$clean/bin-src/ddci-x.c"
: >"$tmp/none"

run() { # TREE: the check's TAP output
	DDCI_SOURCE_EXCEPTIONS="${EXC:-$tmp/none}" bash "$here/source.sh" "$1" 2>&1
}

out=$(run "$clean")
if grep -q '^not ok' <<<"$out" || ! grep -q '^ok' <<<"$out"; then
	nok "a clean tree passes" "$out"
else
	ok "a clean tree passes"
fi

# breaks NAME MESSAGE: copy the clean tree, let the caller's stdin script
# change it, and expect "not ok ... MESSAGE" naming the file.
breaks() {
	local name=$1 msg=$2 file=$3 t="$tmp/$n"
	rm -rf "$t"
	cp -r "$clean" "$t"
	(cd "$t" && bash)
	out=$(run "$t")
	if grep -q "^not ok .*$msg" <<<"$out" && grep -q "$file" <<<"$out"; then
		ok "$name"
	else
		nok "$name" "$out"
	fi
}

breaks "util including a net header fails" "includes against the layers" lib/util/json.c <<<'
	echo "#include \"ddci/http.h\"" >>lib/util/json.c'
breaks "net including an api header fails" "includes against the layers" lib/net/http.c <<<'
	echo "#include \"ddci/dora.h\"" >>lib/net/http.c'
breaks "git including a net header fails" "includes against the layers" lib/git/gitmeta.c <<<'
	echo "#include \"ddci/http.h\"" >>lib/git/gitmeta.c'
breaks "api including a top-level header fails" "includes against the layers" lib/api/dora.c <<<'
	echo "#include \"ddci/gate.h\"" >>lib/api/dora.c'
breaks "a header including above its layer fails" "includes against the layers" lib/ddci/http.h <<<'
	echo "#include \"ddci/dora.h\"" >>lib/ddci/http.h'
breaks "a private header including above its folder's layer fails" "includes against the layers" lib/git/gitrepo.h <<<'
	sed -i "3a #include \"ddci/http.h\"" lib/git/gitrepo.h'
breaks "a private header included from another folder fails" "includes against the layers" lib/api/dora.c <<<'
	echo "#include \"../git/gitrepo.h\"" >>lib/api/dora.c'
breaks "a command including a private header fails" "includes against the layers" bin-src/ddci-x.c <<<'
	echo "#include \"../lib/git/gitrepo.h\"" >>bin-src/ddci-x.c'
breaks "a private header named bare from another folder fails" "includes against the layers" lib/api/dora.c <<<'
	echo "#include \"gitrepo.h\"" >>lib/api/dora.c'
breaks "a command including a net header fails" "includes against the layers" bin-src/ddci-x.c <<<'
	echo "#include \"ddci/http.h\"" >>bin-src/ddci-x.c'
breaks "a command reaching cJSON through ddci/json.h fails" "includes against the layers" bin-src/ddci-x.c <<<'
	echo "#include \"ddci/json.h\"" >>bin-src/ddci-x.c'
breaks "a command using a cJSON type fails" "libcurl/cJSON/libgit2 in bin-src" bin-src/ddci-x.c <<<'
	printf "static int f(const cJSON *v)\n{\n\treturn v != 0;\n}\n" >>bin-src/ddci-x.c'
breaks "a command including curl fails" "libcurl/cJSON/libgit2 in bin-src" bin-src/ddci-x.c <<<'
	sed -i "1i #include <curl/curl.h>" bin-src/ddci-x.c'
breaks "the library writing to stdout fails" "lib prints or exits" lib/gate.c <<<'
	printf "void g(const char *s);\nvoid g(const char *s)\n{\n\tfputs(s, stdout);\n}\n" >>lib/gate.c'
breaks "the library calling exit fails" "lib prints or exits" lib/api/dora.c <<<'
	printf "void e(void)\n{\n\texit(1);\n}\n" >>lib/api/dora.c'
breaks "an endpoint path in net/ fails" "endpoint paths below the API layer" lib/net/http.c <<<'
	printf "const char *p = \"/api/v2/dora/deployment\";\n" >>lib/net/http.c'
breaks "strcpy fails" "banned functions" lib/util/buf.c <<<'
	printf "void c(char *d)\n{\n\tstrcpy(d, \"x\");\n}\n" >>lib/util/buf.c'
breaks "a function over 100 lines fails" "functions longer than 100 lines" lib/api/dora.c <<<'
	{ echo "int long_one(void)"; echo "{"; for i in $(seq 101); do echo "	(void)0;"; done; echo "}"; } >>lib/api/dora.c'

# An exception excuses exactly its file; one that matches nothing fails.
echo 'bin-src/ddci-x.c ddci/http.h a reason' >"$tmp/exc"
EXC="$tmp/exc" breaks "an exception that matches nothing fails" "exceptions that match nothing" bin-src/ddci-x.c <<<':'
EXC="$tmp/exc" breaks "an exception excuses only its own file" "includes against the layers" lib/util/buf.c <<<'
	echo "#include \"ddci/http.h\"" >>bin-src/ddci-x.c
	echo "#include \"ddci/http.h\"" >>lib/util/buf.c'
echo "1..$n"
