#!/usr/bin/env bats
# Git read the way git reads it, end to end: credentials never reach
# Datadog or the terminal, discovery and ownership like git (the same answer
# for every command), remote URLs like `git remote get-url`, 64-hex shas.
# (The answer-by-answer comparison with git is tests/check/git-differential.sh.)

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup_repo https://github.com/acme/shop.git
	HEAD=$(git rev-parse HEAD)
}
teardown() { ddci_teardown; }

TOK=tokSECRET0123

# sent_url — repository_url of the last deployment sent
sent_url() { last_body /api/v2/dora/deployment | jq -r .data.attributes.git.repository_url; }

@test "finding 1: a padded origin URL or a password with / # ? never reaches Datadog" {
	for url in "  https://user:$TOK@github.com/acme/shop.git" $'\nhttps://user:'"$TOK"'@github.com/acme/shop.git' \
		"https://user:ab/$TOK@github.com/acme/shop.git" "https://user:ab#$TOK@github.com/acme/shop.git" \
		"https://user:ab?$TOK@github.com/acme/shop.git" "https://github.com/acme/shop.git?access_token=$TOK"; do
		git config remote.origin.url "$url"
		run --separate-stderr ddci-deploy --service shop --started-at 1700000000
		[ "$status" -eq 0 ]
		[ "$(sent_url)" = https://github.com/acme/shop.git ]
		! grep -qF "$TOK" "$FAKE_LOG"
		[[ "$output$stderr" != *"$TOK"* ]]
	done
}

@test "finding 1: --dry-run prints exactly the body that is sent" {
	git config remote.origin.url "  https://user:$TOK@github.com/acme/shop.git"
	args=(--service shop --started-at 1700000000 --finished-at 1700000100 --id dep-dry-0000000000001)
	run --separate-stderr ddci-deploy "${args[@]}" --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" != *"$TOK"* ]]
	printed=$(sed -n 2p <<<"$output")
	ddci-deploy "${args[@]}"
	[ "$(jq -cS . <<<"$printed")" = "$(last_body /api/v2/dora/deployment | jq -cS .)" ]
}

@test "finding 1: Jenkins GIT_URL with a leading space, and the flaky gate's repository id" {
	git remote remove origin
	JENKINS_URL=https://jenkins.example.com/ GIT_URL=" https://user:$TOK@github.com/acme/shop.git" \
		run --separate-stderr ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 0 ]
	[ "$(sent_url)" = https://github.com/acme/shop.git ]
	git remote add origin "  https://user:$TOK@github.com/acme/shop.git"
	run --separate-stderr ddci-flaky-gate --max-active 1000
	[ "$status" -eq 0 ]
	[[ "$output$stderr" != *"$TOK"* ]]
	! grep -qF "$TOK" "$FAKE_LOG"
	grep -qF '@git.repository.id_v2:\"github.com/acme/shop\"' "$FAKE_LOG" ||
		grep -qF 'github.com/acme/shop' "$FAKE_LOG"
}

@test "finding 1: an invalid --repository-url is refused without echoing its credentials" {
	run --separate-stderr ddci-deploy --service shop --started-at 1700000000 --repository-url "git:$TOK@host:x y"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"invalid --repository-url 'git@host:x y'"* ]]
	[[ "$stderr" != *"$TOK"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "finding 2: a dangling .git file is git's error (exit 2), never the enclosing repository" {
	mkdir -p sub/deeper
	printf 'gitdir: /nonexistent\n' >sub/.git
	cd sub/deeper
	run --separate-stderr ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not a git repository: /nonexistent"* ]]
	[ "$(fake_requests)" -eq 0 ]
	# a worktree whose main repository moved
	cd "$T/repo"
	git worktree add -q "$T/wt" -b wt
	mv "$T/repo" "$T/moved"
	cd "$T/wt"
	run --separate-stderr ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not a git repository"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "finding 3: a foreign repository is refused the same way by every command, with the fix; safe.directory=* lets it in" {
	export GIT_TEST_ASSUME_DIFFERENT_OWNER=1
	fix="git config --global --add safe.directory $T/repo"
	run --separate-stderr ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"dubious ownership in repository at '$T/repo'"* && "$stderr" == *"$fix"* ]]
	run --separate-stderr ddci-flaky-gate --max-new 0 --base main
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$fix"* ]]
	run --separate-stderr ddci-change-failure --commit HEAD --service shop
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$fix"* ]]
	[ "$(fake_requests)" -eq 0 ]
	git config --global --add safe.directory '*'
	run --separate-stderr ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 0 ]
	# history through libgit2 too (which refuses safe.directory=* by itself)
	run --separate-stderr ddci-flaky-gate --max-new 0 --base main
	[ "$status" -eq 0 ]
}

@test "finding 4: url.<base>.insteadOf is applied like git (longest prefix; pushInsteadOf ignored)" {
	git config remote.origin.url gh:acme/shop
	git config url.https://github.com/.insteadOf gh:
	git config url.https://example.com/.pushInsteadOf gh:acme
	[ "$(git remote get-url origin)" = https://github.com/acme/shop ]
	ddci-deploy --service shop --started-at 1700000000
	[ "$(sent_url)" = https://github.com/acme/shop ]
	run --separate-stderr ddci-flaky-gate --max-active 1000
	[ "$status" -eq 0 ]
	grep -qF 'github.com/acme/shop' "$FAKE_LOG"
	! grep -qF 'gh/acme/shop' "$FAKE_LOG"
}

@test "finding 5: GIT_DIR and GIT_CEILING_DIRECTORIES are honoured" {
	mkdir -p "$T/elsewhere"
	cd "$T/elsewhere"
	GIT_DIR="$T/repo/.git" ddci-deploy --service shop --started-at 1700000000
	[ "$(last_body /api/v2/dora/deployment | jq -r .data.attributes.git.commit_sha)" = "$HEAD" ]
	cd "$T/repo/sub" 2>/dev/null || { mkdir -p "$T/repo/sub" && cd "$T/repo/sub"; }
	GIT_CEILING_DIRECTORIES="$T/repo" run --separate-stderr ddci-deploy --service shop --started-at 1700000001
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not a git repository"* ]]
}

@test "finding 6: the first url wins, an empty url falls back to the CI's, HEAD -> master -> main is main" {
	git config --add remote.origin.url https://github.com/acme/second.git
	ddci-deploy --service shop --started-at 1700000000
	[ "$(sent_url)" = https://github.com/acme/shop.git ]
	git config --unset-all remote.origin.url
	git config remote.origin.url ""
	GITHUB_ACTIONS=true GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=acme/ci GITHUB_SHA="$HEAD" \
		GITHUB_REF=refs/heads/main GITHUB_RUN_ID=7 ddci-deploy --service shop --started-at 1700000001
	[ "$(sent_url)" = https://github.com/acme/ci.git ]
	git config remote.origin.url https://github.com/acme/shop.git
	git symbolic-ref refs/heads/master refs/heads/main
	git symbolic-ref HEAD refs/heads/master
	run --separate-stderr ddci-flaky-gate --max-active 1000 --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *'@git.branch:\"main\"'* || "$output" == *'main'* ]]
	[[ "$output" != *'master'* ]]
}

@test "finding 6: a branch name that is not UTF-8 is sent escaped, the body stays valid" {
	git checkout -q -b "$(printf 'caf\xe9')"
	ddci-flaky-gate --max-active 1000 --dry-run >"$T/out"
	sed -n 2p "$T/out" | iconv -f UTF-8 -t UTF-8 >/dev/null
	grep -q 'caf%E9' "$T/out"
}

@test "finding 11: a 64-hex (SHA-256) commit sha is accepted from the flag and the CI" {
	sha=$(printf '%064d' 7 | tr 0 a)
	run ddci-deploy --service shop --started-at 1700000000 --commit-sha "$sha" --repository-url https://github.com/acme/shop.git
	[ "$status" -eq 0 ]
	[ "$(last_body /api/v2/dora/deployment | jq -r .data.attributes.git.commit_sha)" = "$sha" ]
	cd "$T"
	GITHUB_ACTIONS=true GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=acme/shop GITHUB_SHA="$sha" \
		GITHUB_REF=refs/heads/main GITHUB_RUN_ID=8 run ddci-deploy --service shop --started-at 1700000001
	[ "$status" -eq 0 ]
	[ "$(last_body /api/v2/dora/deployment | jq -r .data.attributes.git.commit_sha)" = "$sha" ]
	run ddci-deploy --service shop --started-at 1700000000 --commit-sha "${sha:0:50}" --repository-url https://github.com/a/b
	[ "$status" -eq 2 ]
	# change-failure --commit outside a repository looks the deployment up
	run --separate-stderr ddci-change-failure --commit "$sha"
	[[ "$stderr" != *"sha is needed"* ]]
	[ "$(fake_requests /api/v2/dora/deployments)" -ge 1 ]
}

@test "finding 3: a checkout really owned by another user (as root): refused like git; safe.directory=* reaches history through libgit2 too" {
	[ "$(id -u)" = 0 ] || skip "needs root to chown the checkout"
	git checkout -q -b feature
	commit "$T/repo" "feature work"
	chown -R 1000:1000 "$T/repo"
	run --separate-stderr ddci-flaky-gate --max-new 0 --base main
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"git config --global --add safe.directory $T/repo"* ]]
	git config --global --add safe.directory '*'
	[ "$(git rev-parse HEAD)" = "$(git rev-parse feature)" ]
	run --separate-stderr ddci-flaky-gate --max-new 0 --base main
	[ "$status" -eq 0 ]
	SUDO_UID=1000 run --separate-stderr ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 0 ]
}
