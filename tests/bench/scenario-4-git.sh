# shellcheck shell=bash disable=SC2164,SC2086,SC2046,SC2154
# tests/bench/scenario-4-git.sh — sourced by run.sh inside the results block.
# Git metadata on a generated 50,000-commit repository: ddci's libgit2 path
# (tests/bench/gitops.c, one operation per process, linked with libddci)
# against the `git` command doing the same, per operation.
GIT_COMMITS="${BENCH_GIT_COMMITS:-50000}"
BIG="$CACHE/repo-$GIT_COMMITS-$(sha256sum tests/bench/genrepo.sh | cut -c1-8)"
if [ ! -d "$BIG/.git" ]; then
	echo "bench: 4. generating a $GIT_COMMITS-commit repository in $BIG" >&2
	tests/bench/genrepo.sh "$BIG.tmp" "$GIT_COMMITS" && mv "$BIG.tmp" "$BIG"
fi
cc -O2 -std=c11 -D_GNU_SOURCE -Ilib -o "$W/gitops" tests/bench/gitops.c "$ROOT/$BUILD/libddci.a" \
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
for op in "${git_ops[@]}"; do
	IFS='|' read -r name dargs gargs <<<"$op"
	# both print the same thing
	if [ "$("$W/gitops" . $dargs | sort)" != "$(git $gargs | sort)" ]; then
		echo "bench: gitops $dargs and git $gargs disagree" >&2
	fi
	compare "$RUNS" "git_d_$name" "$W/gitops . $dargs" "git_g_$name" "git $gargs"
done
cd "$ROOT"
echo "## 4. Git metadata on a $GIT_COMMITS-commit repository (one operation per process)"
echo
echo "| operation | ddci (libgit2) CPU ms | git CPU ms | ddci wall ms | git wall ms | ddci peak RSS MiB | git peak RSS MiB | CPU ddci / git |"
echo "|---|---|---|---|---|---|---|---|"

for op in "${git_ops[@]}"; do
	IFS='|' read -r name dargs gargs <<<"$op"
	dc=$(cpu_of "git_d_$name") gc=$(cpu_of "git_g_$name")
	echo "| $name: \`git $gargs\` | $dc | $gc | $(wall_of "git_d_$name") | $(wall_of "git_g_$name") | $(awk -v r="$(rss_of "git_d_$name")" 'BEGIN { printf "%.1f", r / 1024 }') | $(awk -v r="$(rss_of "git_g_$name")" 'BEGIN { printf "%.1f", r / 1024 }') | $(ratio "$dc" "$gc") |"
done
echo
for op in "${git_ops[@]}"; do
	IFS='|' read -r name _ gargs <<<"$op"
	target_line "$name no slower than git (wall)" "$(wall_of "git_d_$name") <= $(wall_of "git_g_$name")"
done
echo
