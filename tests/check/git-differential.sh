#!/usr/bin/env bash
# tests/check/git-differential.sh — ddci's git answers against git's own.
#
# Generated repositories and layouts, each question asked of libddci (through
# tests/git/gitq.c) and of the `git` command, answers compared:
#   - random commit graphs (tests/git/dag.awk), dates skewed: merge base,
#     range (git rev-list A..B, order included), changed files, ancestry;
#   - layouts: subdirectories, worktrees, separate git dirs, .git files
#     (valid, dangling, malformed), bare repositories, GIT_DIR,
#     GIT_CEILING_DIRECTORIES, packed refs (sorted or not), symbolic-ref
#     chains, detached HEAD, ownership and safe.directory, remote URLs
#     (first url, insteadOf, credentials and token parameters, which must
#     never come out) and the repository id.
# Prints TAP (one line per repository) and "# N repositories, N questions,
# N mismatches".  GITDIFF_DAGS (default 125) sets the number of graphs,
# GITDIFF_SEED the first seed (GITDIFF_KEEP=1 keeps the work directory);
# `make soak` runs it with 1000 graphs.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
BUILD="${BUILD:-build/asan}"
DAGS="${GITDIFF_DAGS:-125}"
SEED="${GITDIFF_SEED:-1}"
T=$(mktemp -d)
[ -n "${GITDIFF_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
command -v git >/dev/null || { echo "not ok - git-differential: git is missing (tests/deps.sh test)"; exit 1; }

san=()
[[ "$BUILD" == *asan* ]] && san=(-fsanitize=address,undefined)
# shellcheck disable=SC2046
cc -O1 -g -std=c11 -D_GNU_SOURCE -Ilib "${san[@]}" -o "$T/gitq" tests/git/gitq.c "$BUILD/libddci.a" \
	$(pkg-config --cflags --libs libgit2 libcjson libcurl) -lm || { echo "not ok - cannot build gitq"; exit 1; }
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}"

export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/home/.config"
export GIT_AUTHOR_NAME=Dev GIT_AUTHOR_EMAIL=dev@example.com GIT_COMMITTER_NAME=Dev GIT_COMMITTER_EMAIL=dev@example.com
unset GIT_DIR GIT_WORK_TREE GIT_CEILING_DIRECTORIES GIT_DISCOVERY_ACROSS_FILESYSTEM GIT_CONFIG_GLOBAL \
	GIT_CONFIG_COUNT GIT_TEST_ASSUME_DIFFERENT_OWNER SUDO_UID
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global protocol.file.allow always

n=0 questions=0 mismatches=0
# ok_or_not NAME: one TAP line for a repository whose answers were compared
# in $T/want and $T/got.
ok_or_not() {
	n=$((n + 1))
	if cmp -s "$T/want" "$T/got"; then
		echo "ok $n - $1"
	else
		mismatches=$((mismatches + 1))
		echo "not ok $n - $1"
		diff "$T/want" "$T/got" | head -n 20 | sed 's/^/#   /'
	fi
}

# ddci DIR QUESTION... — libddci's answers, one block per question, an
# error reduced to "error"; the exit status must be 0 (sanitizers).
ddci() {
	local dir="$1"
	shift
	printf '%s\n' "$@" >"$T/q"
	questions=$((questions + $#))
	if ! "$T/gitq" "$dir" <"$T/q" >"$T/raw" 2>"$T/err"; then
		echo "gitq failed: $(head -c 2000 "$T/err")"
	fi
	sed 's/^error: .*/error/' "$T/raw"
}

# g DIR ARGS... — git's answer in gitq's shape ("error" on failure).
g() {
	local dir="$1" out
	shift
	if out=$(git -C "$dir" "$@" 2>/dev/null); then
		[ -n "$out" ] && printf '%s\n' "$out"
	else
		echo error
	fi
	echo .
}

git_branch() { # the branch git reports, "HEAD" when detached
	local out
	if ! git -C "$1" rev-parse -q --verify HEAD >/dev/null 2>&1; then echo error; echo .; return; fi
	out=$(git -C "$1" symbolic-ref -q --short HEAD 2>/dev/null) || out=HEAD
	printf '%s\n.\n' "$out"
}

# --- random graphs -------------------------------------------------------------
# answers DIR: libddci's answers to the questions in $T/q, one file per
# question ($T/blk.K, an error reduced to "error").
answers() {
	rm -f "$T"/blk.*
	questions=$((questions + $(wc -l <"$T/q")))
	if ! "$T/gitq" "$1" <"$T/q" >"$T/raw" 2>"$T/err"; then
		echo "gitq failed: $(head -c 2000 "$T/err")" >"$T/blk.0"
		return
	fi
	awk -v dir="$T" 'BEGIN { b = 0 } /^\.$/ { b++; next } { sub(/^error: .*/, "error"); print > (dir "/blk." b) }' "$T/raw"
}

blk() { cat "$T/blk.$1" 2>/dev/null; }

dag_case() {
	local seed="$1" size="$2" skew="$3" d="$T/dag" a b i k shas
	rm -rf "$d"
	git init -q "$d"
	awk -v seed="$seed" -v n="$size" -v skew="$skew" -f tests/git/dag.awk |
		git -C "$d" fast-import --quiet --export-marks="$T/marks" || { echo "not ok - fast-import $seed"; return; }
	git -C "$d" symbolic-ref HEAD refs/heads/main
	[ $((seed % 3)) = 0 ] && git -C "$d" pack-refs --all
	mapfile -t shas < <(cut -d' ' -f2 "$T/marks")
	: >"$T/q"
	for i in 0 1 2 3 4 5; do
		a=${shas[$(((seed * 7 + i * 13) % size))]}
		b=${shas[$(((seed * 11 + i * 5 + 3) % size))]}
		# the range from the merge base to main, as the gates ask it
		[ "$i" = 5 ] && b=main && a=$(git -C "$d" merge-base "${shas[$((seed % size))]}" main || echo "$a")
		printf 'mb %s %s\nrange %s %s\nchanged %s %s\nanc %s %s\n' "$a" "$b" "$a" "$b" "$a" "$b" "$a" "$b" >>"$T/q"
		echo "$a $b" >"$T/pair.$i"
	done
	answers "$d"
	: >"$T/want"
	: >"$T/got"
	for i in 0 1 2 3 4 5; do
		read -r a b <"$T/pair.$i"
		k=$((i * 4))
		# merge base: any of git's (several after criss-cross merges)
		if git -C "$d" merge-base --all "$a" "$b" >"$T/mball" 2>/dev/null; then
			echo "mb $a $b: one of git's" >>"$T/want"
			if grep -qxF -- "$(blk $k)" "$T/mball"; then echo "mb $a $b: one of git's"; else echo "mb $a $b: $(blk $k)"; fi >>"$T/got"
		else
			echo "mb $a $b: error" >>"$T/want"
			echo "mb $a $b: $(blk $k)" >>"$T/got"
		fi
		{ echo "range $a..$b"; git -C "$d" rev-list "$a..$b"; } >>"$T/want"
		{ echo "range $a..$b"; blk $((k + 1)); } >>"$T/got"
		{ echo "changed $a $b"; git -C "$d" diff --name-status -M "$a" "$b" | cut -f2- | tr '\t' '\n' | sort -u; } >>"$T/want"
		{ echo "changed $a $b"; blk $((k + 2)) | sort -u; } >>"$T/got"
		if git -C "$d" merge-base --is-ancestor "$a" "$b"; then echo "anc $a $b: 1"; else echo "anc $a $b: 0"; fi >>"$T/want"
		echo "anc $a $b: $(blk $((k + 3)))" >>"$T/got"
	done
	ok_or_not "graph seed $seed: $size commits, skew $skew% (merge base, range, changed files, ancestry x6)"
}

# --- layouts -------------------------------------------------------------------
# repo DIR [URL]: two commits on main, origin URL.
repo() {
	git init -q "$1"
	echo one >"$1/a"
	git -C "$1" add a
	git -C "$1" commit -qm one --date=2024-01-01T00:00:00Z
	echo two >>"$1/a"
	mkdir -p "$1/sub/deep"
	echo x >"$1/sub/deep/x"
	git -C "$1" add -A
	git -C "$1" commit -qm two --date=2024-01-02T00:00:00Z
	[ -z "${2:-}" ] || git -C "$1" remote add origin "$2"
}

# basic DIR [FROM]: head, branch, url asked from FROM (default DIR).
basic() {
	local dir="$1" from="${2:-$1}"
	{ g "$from" rev-parse HEAD; git_branch "$from"; } >"$T/want"
	ddci "$from" head branch >"$T/got"
}

layouts() {
	local L="$T/l" i url want id
	rm -rf "$L"
	mkdir -p "$L"
	repo "$L/plain" https://github.com/acme/shop.git
	basic "$L/plain" && ok_or_not "layout: plain repository"
	basic "$L/plain" "$L/plain/sub/deep" && ok_or_not "layout: from a subdirectory"
	git -C "$L/plain" checkout -q --detach HEAD~1
	basic "$L/plain" && ok_or_not "layout: detached HEAD"
	git -C "$L/plain" checkout -q main
	git -C "$L/plain" worktree add -q -b wt "$L/wt" HEAD~1
	basic "$L/wt" && ok_or_not "layout: linked worktree"
	basic "$L/wt" "$L/wt/sub" && ok_or_not "layout: linked worktree, subdirectory"
	git init -q --separate-git-dir "$L/sep.git" "$L/sep"
	git -C "$L/sep" commit -q --allow-empty -m one
	basic "$L/sep" && ok_or_not "layout: separate git dir"
	git clone -q --bare "$L/plain" "$L/bare.git"
	basic "$L/bare.git" && ok_or_not "layout: bare repository"
	git init -q "$L/empty"
	{ echo error; echo .; } >"$T/want"
	ddci "$L/empty" head >"$T/got" && ok_or_not "layout: unborn branch"
	# GIT_DIR names the repository; discovery is skipped.
	mkdir -p "$L/elsewhere"
	{ GIT_DIR="$L/plain/.git" g "$L/elsewhere" rev-parse HEAD; } >"$T/want"
	GIT_DIR="$L/plain/.git" ddci "$L/elsewhere" head >"$T/got" && ok_or_not "layout: GIT_DIR"
	{ GIT_DIR="$L/nothing" g "$L/elsewhere" rev-parse HEAD; } >"$T/want"
	GIT_DIR="$L/nothing" ddci "$L/elsewhere" head >"$T/got" && ok_or_not "layout: GIT_DIR not a repository"
	# A ceiling above the starting directory stops the walk up.
	for c in "$L/plain/sub" "$L/plain" "$L" "$L/plain/sub/deep"; do
		{ GIT_CEILING_DIRECTORIES="$c" g "$L/plain/sub/deep" rev-parse HEAD; } >"$T/want"
		GIT_CEILING_DIRECTORIES="/nonexistent:$c" ddci "$L/plain/sub/deep" head >"$T/got"
		ok_or_not "layout: GIT_CEILING_DIRECTORIES=$c"
	done
	# .git files: valid (relative and absolute), dangling, malformed — an
	# error like git's, never the enclosing repository.
	for content in "gitdir: ../sep.git" "gitdir: $L/sep.git" "gitdir: /nonexistent" "gitdir: ../elsewhere" \
		"gitdir:" "garbage" "" "gitdir: $L/plain/.git/worktrees/wt"; do
		rm -rf "$L/plain/inner"
		mkdir -p "$L/plain/inner/x"
		printf '%s\n' "$content" >"$L/plain/inner/.git"
		[ "$content" = "gitdir: ../sep.git" ] && printf 'gitdir: ../../sep.git\n' >"$L/plain/inner/.git" &&
			ln -s "$L/sep.git" "$L/plain/sep.git" 2>/dev/null
		{ g "$L/plain/inner/x" rev-parse HEAD; } >"$T/want"
		ddci "$L/plain/inner/x" head >"$T/got"
		ok_or_not "layout: .git file '$content'"
	done
	# git's own wording for a dangling .git file, exit status aside.
	printf 'gitdir: /nonexistent\n' >"$L/plain/inner/.git"
	want=$(git -C "$L/plain/inner" rev-parse HEAD 2>&1 | sed 's/^fatal: //')
	"$T/gitq" "$L/plain/inner" <<<head >"$T/raw" 2>/dev/null
	if grep -qF "$want" "$T/raw"; then echo "ok $((n += 1)) - layout: dangling .git file says '$want'"
	else mismatches=$((mismatches + 1)); echo "not ok $((n += 1)) - dangling .git file: '$(head -1 "$T/raw")', git: '$want'"; fi
	rm -rf "$L/plain/inner"
	# packed refs, sorted by git or not; symbolic-ref chains (git follows 5).
	git -C "$L/plain" pack-refs --all
	basic "$L/plain" && ok_or_not "layout: packed refs (sorted)"
	{ head -1 "$L/plain/.git/packed-refs" | sed 's/ sorted//'; tail -n +2 "$L/plain/.git/packed-refs" | sort -r; } \
		>"$L/pr" && mv "$L/pr" "$L/plain/.git/packed-refs"
	basic "$L/plain" && ok_or_not "layout: packed refs (unsorted)"
	git -C "$L/plain" branch r0
	for i in 1 2 3 4 5 6; do
		git -C "$L/plain" symbolic-ref "refs/heads/r$i" "refs/heads/r$((i - 1))"
		git -C "$L/plain" symbolic-ref HEAD "refs/heads/r$i"
		basic "$L/plain" && ok_or_not "layout: HEAD -> $i symbolic refs"
	done
	git -C "$L/plain" symbolic-ref HEAD refs/heads/main
	# Ownership: every path foreign (git's test switch), then safe.directory.
	for safe in "" "$L/plain" "*" "$L/other" "RESET"; do
		git config --global --unset-all safe.directory
		case "$safe" in
		RESET) git config --global --add safe.directory '*'; git config --global --add safe.directory '' ;;
		?*) git config --global --add safe.directory "$safe" ;;
		esac
		{ GIT_TEST_ASSUME_DIFFERENT_OWNER=1 g "$L/plain/sub" rev-parse HEAD; } >"$T/want"
		GIT_TEST_ASSUME_DIFFERENT_OWNER=1 ddci "$L/plain/sub" head >"$T/got"
		ok_or_not "layout: foreign owner, safe.directory='$safe'"
	done
	git config --global --unset-all safe.directory
	GIT_TEST_ASSUME_DIFFERENT_OWNER=1 "$T/gitq" "$L/plain/sub" <<<branch >"$T/raw" 2>/dev/null
	want="git config --global --add safe.directory $L/plain"
	if grep -qF "$want" "$T/raw"; then echo "ok $((n += 1)) - layout: ownership message names the fix"
	else mismatches=$((mismatches + 1)); echo "not ok $((n += 1)) - ownership message: $(head -1 "$T/raw")"; fi
	urls
}

# --- remote URLs -----------------------------------------------------------------
# url_case RAW CLEAN ID [CONFIG...]: origin's first url is RAW (after
# insteadOf, as git says), ddci must answer CLEAN and repository id ID.
url_case() {
	local raw="$1" clean="$2" id="$3" d="$T/u"
	shift 3
	rm -rf "$d"
	git init -q "$d"
	git -C "$d" commit -q --allow-empty -m one
	while [ $# -gt 0 ]; do git -C "$d" config --add "$1" "$2"; shift 2; done
	questions=$((questions + 1))
	if [ "$(git -C "$d" remote get-url origin 2>/dev/null)" != "$raw" ]; then
		printf '%s\n.\n' "$raw" >"$T/want"
		{ git -C "$d" remote get-url origin; echo .; } >"$T/got"
		ok_or_not "url: git itself reads '$raw'"
		return
	fi
	printf '%s\n.\n%s\n.\n' "$clean" "$id" >"$T/want"
	ddci "$d" url id >"$T/got"
	ok_or_not "url: $raw"
}

urls() {
	local pw host
	url_case https://github.com/acme/shop.git https://github.com/acme/shop.git github.com/acme/shop \
		remote.origin.url https://github.com/acme/shop.git
	url_case https://github.com/acme/first.git https://github.com/acme/first.git github.com/acme/first \
		remote.origin.url https://github.com/acme/first.git remote.origin.url https://github.com/acme/second.git
	url_case https://github.com/acme/shop https://github.com/acme/shop github.com/acme/shop \
		remote.origin.url gh:acme/shop url.https://github.com/.insteadOf gh: url.https://gitlab.com/.insteadOf g
	url_case https://x.example/op https://x.example/op x.example/op \
		remote.origin.url gh:acme/shop url.https://github.com/.insteadOf gh: url.https://x.example/.insteadOf gh:acme/sh
	url_case gh:acme/shop gh:acme/shop gh/acme/shop \
		remote.origin.url gh:acme/shop url.https://github.com/.pushInsteadOf gh:
	url_case git@github.com:acme/shop.git git@github.com:acme/shop.git github.com/acme/shop \
		remote.origin.url git@github.com:acme/shop.git
	url_case ssh://git@host:2222/acme/shop.git ssh://host:2222/acme/shop.git host:2222/acme/shop \
		remote.origin.url ssh://git@host:2222/acme/shop.git
	for pw in tok 'ab/cd+ef==' 'ab#cd' 'ab?cd' 'a@b' 'p%40ss'; do
		for host in github.com 'gitlab.example.com:8443'; do
			url_case "https://user:$pw@$host/acme/shop.git" "https://$host/acme/shop.git" \
				"${host%:443}/acme/shop" remote.origin.url "https://user:$pw@$host/acme/shop.git"
			url_case "  https://user:$pw@$host/acme/shop.git" "https://$host/acme/shop.git" \
				"${host%:443}/acme/shop" remote.origin.url "  https://user:$pw@$host/acme/shop.git"
		done
		url_case "https://ci:$pw@github.com/acme/shop" "https://github.com/acme/shop" github.com/acme/shop \
			remote.origin.url "cred:acme/shop" url."https://ci:$pw@github.com/".insteadOf cred:
	done
	url_case "https://h.example/r.git?access_token=t1&ref=x&private_token=t2" "https://h.example/r.git?ref=x" \
		h.example/r remote.origin.url "https://h.example/r.git?access_token=t1&ref=x&private_token=t2"
	url_case "https://h.example/r.git?token=t&my_token=u&db_password=p" "https://h.example/r.git" h.example/r \
		remote.origin.url "https://h.example/r.git?token=t&my_token=u&db_password=p"
	url_case "git:secret@h.example:acme/shop" "git@h.example:acme/shop" h.example/acme/shop \
		remote.origin.url "git:secret@h.example:acme/shop"
}

echo "# git differential: $DAGS graphs from seed $SEED, then layouts and URLs"
for ((s = SEED; s < SEED + DAGS; s++)); do
	dag_case "$s" $((12 + s % 40)) $(((s % 4) * 8))
done
layouts
echo "# $n repositories, $questions questions, $mismatches mismatches"
[ "$mismatches" -eq 0 ]
