# shellcheck shell=bash disable=SC2164,SC2086,SC2046,SC2154
# tests/bench/scenario-4-git.sh — sourced by run.sh inside the results block.
# Git metadata on a generated 50,000-commit repository: ddci's libgit2 path
# (tests/git/gitq.c, one operation per process, linked with libddci)
# against the `git` command doing the same, per operation.
GIT_COMMITS="${BENCH_GIT_COMMITS:-50000}"
BIG="$CACHE/repo-$GIT_COMMITS-$(sha256sum tests/bench/genrepo.sh | cut -c1-8)"
if [ ! -d "$BIG/.git" ]; then
	echo "bench: 4. generating a $GIT_COMMITS-commit repository in $BIG" >&2
	tests/bench/genrepo.sh "$BIG.tmp" "$GIT_COMMITS" && mv "$BIG.tmp" "$BIG"
fi
cc -O2 -std=c11 -D_GNU_SOURCE -Ilib -o "$W/gitops" tests/git/gitq.c "$ROOT/$BUILD/libddci.a" \
	$(pkg-config --cflags --libs libgit2 libcjson libcurl) -lm
echo "bench: 4. git metadata, $RUNS runs each" >&2
cd "$BIG"
# op NAME GITOPS_ARGS / GIT_ARGS, compared in pairs
git_ops=(
	"head|head|rev-parse HEAD"
	"branch|branch|symbolic-ref --short HEAD"
	"remote|remote|remote get-url origin"
	"merge-base|merge-base main feature|merge-base main feature"
	"range|range base main|rev-list base..main"
	"changed|changed base main|diff --name-only base main"
)
# instructions CMD... — instructions the command executes (callgrind: the
# same count on every run, however loaded the machine is).
instructions() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		awk '/ refs:/ { gsub(",", "", $NF); print $NF }'
}
have_valgrind=0
command -v valgrind >/dev/null 2>&1 && have_valgrind=1
compare "$RUNS" git_d_none "$W/gitops . none"
[ $have_valgrind = 1 ] && i_none=$(instructions "$W/gitops" . none)
for op in "${git_ops[@]}"; do
	IFS='|' read -r name dargs gargs <<<"$op"
	# both print the same thing
	if [ "$("$W/gitops" . $dargs | sort)" != "$(git $gargs | sort)" ]; then
		echo "bench: gitops $dargs and git $gargs disagree" >&2
	fi
	compare "$RUNS" "git_d_$name" "$W/gitops . $dargs" "git_g_$name" "git $gargs"
	if [ $have_valgrind = 1 ]; then
		printf -v "i_d_${name//-/_}" '%s' "$(instructions "$W/gitops" . $dargs)"
		printf -v "i_g_${name//-/_}" '%s' "$(instructions git $gargs)"
	fi
done
# HEAD next to 100,000 packed branches (main sorts last): git binary-searches a
# sorted packed-refs file, and so does ddci.
PACKED="$CACHE/packed-100k-v1"
if [ ! -f "$PACKED/.git/packed-refs" ]; then
	echo "bench: 4. making a repository with 100,000 packed branches in $PACKED" >&2
	rm -rf "$PACKED.tmp"
	git init -q -b main "$PACKED.tmp"
	git -C "$PACKED.tmp" -c user.name=b -c user.email=b@x commit -q --allow-empty -m one
	awk -v s="$(git -C "$PACKED.tmp" rev-parse HEAD)" \
		'BEGIN { for (i = 0; i < 100000; i++) printf "create refs/heads/br/%06d %s\n", i, s }' |
		git -C "$PACKED.tmp" update-ref --stdin
	git -C "$PACKED.tmp" pack-refs --all
	mv "$PACKED.tmp" "$PACKED"
fi
cd "$PACKED"
compare "$RUNS" git_d_packed "$W/gitops . head" git_g_packed "git rev-parse HEAD"
if [ $have_valgrind = 1 ]; then
	i_d_packed=$(instructions "$W/gitops" . head)
	i_g_packed=$(instructions git rev-parse HEAD)
fi
cd "$ROOT"
none_cpu=$(cpu_of git_d_none)
echo "## 4. Git metadata on a $GIT_COMMITS-commit repository (one operation per process)"
echo
echo "ddci reads git inside a process that runs anyway (to send an event or query Datadog); the alternative, what datadog-ci and shell steps do, is one \`git\` process per question."
echo "So ddci's cost of a git operation is its process minus the same process doing nothing (same libraries loaded, \`gitops none\`: $none_cpu ms CPU, $(awk -v i="${i_none:-0}" 'BEGIN { printf "%.1f", i / 1e6 }') M instructions), against the whole \`git\` process."
echo "CPU times (user+sys, medians of $RUNS runs) are what the targets hold.  Instructions are counted with callgrind: identical on every run, but user space only,"
echo "so they leave out the kernel's part of starting each \`git\` process (exec, mapping, page faults) and compare just the work itself."
echo
echo "| operation | ddci process CPU ms | ddci git work CPU ms | git CPU ms | ddci git work M instr | git M instr | work / git (instr) | work / git (CPU) |"
echo "|---|---|---|---|---|---|---|---|"
for op in "${git_ops[@]}"; do
	IFS='|' read -r name dargs gargs <<<"$op"
	v="${name//-/_}"
	id_var="i_d_$v" ig_var="i_g_$v"
	dc=$(cpu_of "git_d_$name") gc=$(cpu_of "git_g_$name")
	work=$(awk -v d="$dc" -v n="$none_cpu" 'BEGIN { w = d - n; printf "%.1f", (w < 0 ? 0 : w) }')
	iw=$(awk -v d="${!id_var:-0}" -v n="${i_none:-0}" 'BEGIN { printf "%.2f", (d - n) / 1e6 }')
	ig=$(awk -v g="${!ig_var:-0}" 'BEGIN { printf "%.1f", g / 1e6 }')
	echo "| $name: \`git $gargs\` | $dc | $work | $gc | $iw | $ig | $(ratio "$iw" "$ig") | $(ratio "$work" "$gc") |"
	printf -v "work_$v" '%s' "$work"
done
dc=$(cpu_of git_d_packed) gc=$(cpu_of git_g_packed)
work_packed=$(awk -v d="$dc" -v n="$none_cpu" 'BEGIN { w = d - n; printf "%.1f", (w < 0 ? 0 : w) }')
iw=$(awk -v d="${i_d_packed:-0}" -v n="${i_none:-0}" 'BEGIN { printf "%.2f", (d - n) / 1e6 }')
ig=$(awk -v g="${i_g_packed:-0}" 'BEGIN { printf "%.1f", g / 1e6 }')
echo "| head next to 100,000 packed branches: \`git rev-parse HEAD\` | $dc | $work_packed | $gc | $iw | $ig | $(ratio "$iw" "$ig") | $(ratio "$work_packed" "$gc") |"
echo
for op in "${git_ops[@]}"; do
	IFS='|' read -r name _ gargs <<<"$op"
	v="${name//-/_}"
	w_var="work_$v"
	target_line "$name: ddci's git work no slower than \`git $gargs\` (CPU ms)" "${!w_var} <= $(cpu_of "git_g_$name")"
done
target_line "head next to 100,000 packed branches: ddci's git work no slower than \`git rev-parse HEAD\` (CPU ms)" \
	"$work_packed <= $(cpu_of git_g_packed)"
echo
