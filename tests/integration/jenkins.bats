#!/usr/bin/env bats
# The Jenkins shared library (ci-templates/jenkins/vars/*.groovy) and the
# example Jenkinsfile: compiled by Groovy, checked for how they pass values and
# keys, and the shell they run (resources/ddci/run.sh and the Jenkinsfile's
# `sh 'ddci-...'` lines) exercised with Jenkins' variables against the fake.

bats_require_minimum_version 1.5.0
load '../lib/common'

JENKINS="$DDCI_ROOT/ci-templates/jenkins"
RUN_SH="$JENKINS/resources/ddci/run.sh"

setup() {
	ddci_setup
	make_repo "$T/ws"
	cd "$T/ws"
	HEAD=$(git rev-parse HEAD)
	export JENKINS_URL=https://jenkins.example.com/ BUILD_URL=https://jenkins.example.com/job/shop/12/
	export BUILD_TAG=jenkins-shop-12 JOB_NAME=shop WORKSPACE="$T/ws"
	export GIT_COMMIT="$HEAD" GIT_BRANCH=origin/main BRANCH_NAME=main
	unset CHANGE_ID CHANGE_TARGET CHANGE_BRANCH GIT_URL
}
teardown() { ddci_teardown; }

# jrun TOOL ARGS... — run.sh as the ddciRun step calls it: the command line in
# DDCI_TOOL / DDCI_NARGS / DDCI_ARG_n
jrun() {
	local -a envs=("DDCI_TOOL=$1")
	shift
	local i=0 a
	for a in "$@"; do
		i=$((i + 1))
		envs+=("DDCI_ARG_$i=$a")
	done
	envs+=("DDCI_NARGS=$i")
	run --separate-stderr env "${envs[@]}" sh "$RUN_SH"
	echo "status=$status output=$output stderr=$stderr"
}

flaky_tests() { # N FIRST_SHA
	jq -nc --argjson n "$1" --arg sha "$2" '[range(0; $n) as $i | {id:("t\($i)"), repository_id:"github.com/acme/shop", branches:["main"],
	  attributes:{name:("test_\($i)"), suite:"CartTest", module:"shop/unit", flaky_state:"active",
	    first_flaked_sha:$sha, first_flaked_branch:"main", codeowners:["@acme/shop"], services:["shop"], envs:["ci"],
	    pipeline_stats:{failed_pipelines:1, total_lost_time_ms:60000},
	    test_run_metadata:{source_file:"tests/test_cart.py", source_start:12, source_end:20},
	    test_stats:{failure_rate_pct:20}}}]'
}

@test "the shared library and the Jenkinsfile compile with Groovy" {
	command -v groovy >/dev/null || skip "groovy is not installed (apt-get install groovy)"
	if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ]; then
		JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
		export JAVA_HOME
	fi
	run groovy "$DDCI_ROOT/tests/ci/groovy-parse.groovy" "$JENKINS"/vars/*.groovy "$JENKINS/Jenkinsfile"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq 7 ]
}

@test "the steps pass values as data and keys through withCredentials, with flags the tools know" {
	cd "$JENKINS/vars"
	# no Groovy-interpolated shell text anywhere: sh only runs the resource script
	run ! grep -nE '\bsh[ (]+"' ./*.groovy
	grep -q "withCredentials(creds)" ddciRun.groovy
	grep -q "libraryResource('ddci/run.sh')" ddciRun.groovy
	for f in ddci[A-Z]*.groovy; do
		[ "$f" = ddciRun.groovy ] && continue
		tool=$(sed -n "s/.*ddciRun('\(ddci-[a-z-]*\)'.*/\1/p" "$f")
		[ -n "$tool" ]
		help=$("$DDCI_BIN/$tool" --help)
		for flag in $(grep -o "'--[a-z-]*'" "$f" | tr -d "'" | sort -u); do
			grep -q -- "$flag\b" <<<"$help" || { echo "$f: $tool has no $flag"; return 1; }
		done
	done
}

@test "run.sh is shellcheck-clean POSIX sh" {
	run shellcheck -s sh "$RUN_SH"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "ddciDeploy's shell sends the deployment; values are data, never shell" {
	jrun ddci-deploy --service 'shop $(touch pwned)' --env prod --started-at 1700000000 --tag 'team:a b' --tag "q:it's"
	[ "$status" -eq 0 ]
	[ ! -e pwned ]
	body=$(last_body /api/v2/dora/deployment)
	[ "$(jq -r .data.attributes.service <<<"$body")" = 'shop $(touch pwned)' ]
	[ "$(jq -c .data.attributes.custom_tags <<<"$body")" = "[\"team:a b\",\"q:it's\"]" ]
	[ "$(jq -r .data.attributes.git.commit_sha <<<"$body")" = "$HEAD" ]
	[[ "$output" == ddci-dep-* ]]
	assert_no_secret "$output" "$stderr"
}

@test "DDCI_STDOUT_FILE keeps the id for the step's return value, with the exit status" {
	DDCI_STDOUT_FILE="$T/out" jrun ddci-deploy --service shop --started-at 1700000000
	[ "$status" -eq 0 ]
	[[ "$(cat "$T/out")" == ddci-dep-* ]]
	fake_stop
	DDCI_STDOUT_FILE="$T/out" jrun ddci-deploy --service shop --started-at 1700000000 --timeout 1 --retries 0
	[ "$status" -eq 3 ]
}

@test "outside a checkout, GIT_COMMIT and GIT_URL (credentials removed) are used" {
	mkdir "$T/plain" && cd "$T/plain"
	GIT_COMMIT=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb GIT_URL=https://jenkins:tok3n@git.example.com/acme/web.git \
		jrun ddci-deploy --service web --started-at 1700000000
	[ "$status" -eq 0 ]
	body=$(last_body /api/v2/dora/deployment)
	[ "$(jq -r .data.attributes.git.commit_sha <<<"$body")" = bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb ]
	[ "$(jq -r .data.attributes.git.repository_url <<<"$body")" = https://git.example.com/acme/web.git ]
}

@test "multibranch pull request (CHANGE_ID, CHANGE_TARGET): the gate judges the change against the target" {
	git update-ref refs/remotes/origin/main HEAD
	commit . "pr work"
	git update-ref refs/heads/PR-7 HEAD
	export CHANGE_ID=7 CHANGE_TARGET=main CHANGE_BRANCH=feature BRANCH_NAME=PR-7 GIT_BRANCH=PR-7 GIT_COMMIT=$(git rev-parse HEAD)
	# a flaky test that first flaked in the PR's commit: new
	fake_post /_fake/flaky-tests "$(flaky_tests 1 "$(git rev-parse HEAD)")" >/dev/null
	jrun ddci-flaky-gate --max-new 0 --all-branches --junit ddci-flaky-gate.xml --markdown ddci-flaky-gate.md
	[ "$status" -eq 1 ]
	grep -q '<failure' ddci-flaky-gate.xml
	# one that flaked before the PR: not new
	fake_post /_fake/flaky-tests "$(flaky_tests 1 0c6be03165b7f7ffe96e076ffb29afb2825616c3)" >/dev/null
	jrun ddci-flaky-gate --max-new 0 --all-branches --junit ddci-flaky-gate.xml
	[ "$status" -eq 0 ]
	run ! grep -q '<failure' ddci-flaky-gate.xml
}

@test "run.sh refuses a DDCI_TOOL that is not ddci, a bad DDCI_NARGS, and a missing executable" {
	run --separate-stderr env DDCI_TOOL=rm DDCI_NARGS=0 sh "$RUN_SH"
	[ "$status" -eq 2 ]
	run --separate-stderr env DDCI_TOOL=ddci-deploy 'DDCI_NARGS=1;id' sh "$RUN_SH"
	[ "$status" -eq 2 ]
	run --separate-stderr env PATH=/usr/bin:/bin DDCI_TOOL=ddci-deploy DDCI_NARGS=0 sh "$RUN_SH"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not on PATH"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "the Jenkinsfile's ddci sh lines run as written with Jenkins' variables" {
	fake_post /_fake/flaky-tests "$(flaky_tests 1 0c6be03165b7f7ffe96e076ffb29afb2825616c3)" >/dev/null
	git update-ref refs/remotes/origin/main HEAD~1
	export CHANGE_ID=7 CHANGE_TARGET=main DD_SERVICE=shop
	ddci-deploy --service shop --env prod --started-at 1700000000 >.ddci-deployment-id
	n=0
	while IFS= read -r line; do
		cmd=$(sed -E "s/^ *sh '(.*)'$/\1/" <<<"$line")
		echo "running: $cmd"
		run sh -ec "$cmd"
		echo "$output"
		[ "$status" -eq 0 ]
		n=$((n + 1))
	done < <(grep -E "^ *sh 'ddci-" "$JENKINS/Jenkinsfile")
	[ "$n" -eq 4 ]
	grep -q '<testsuites' ddci-flaky-gate.xml
	[ "$(fake_get /_fake/state | jq -r '.deployments[0].attributes.change_failure')" = true ]
	[ "$(last_body /api/v2/dora/failure | jq -r .data.attributes.name)" = "smoke test failed in jenkins-shop-12" ]
}
