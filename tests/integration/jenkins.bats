#!/usr/bin/env bats
# The Jenkins shared library (ci-templates/jenkins): the real vars/*.groovy
# executed by tests/ci/jenkins_harness.groovy (Debian's groovy) with mocked
# Jenkins steps — sh runs resources/ddci/run.sh for real, withEnv expands
# ${VAR} as Jenkins does, withCredentials binds secrets — against the fake
# Datadog; the example Jenkinsfile and README.md's Jenkins snippet run the
# same way.

bats_require_minimum_version 1.5.0
load '../lib/common'

JENKINS="$DDCI_ROOT/ci-templates/jenkins"
RUN_SH="$JENKINS/resources/ddci/run.sh"

setup() {
	command -v groovy >/dev/null || skip "groovy is not installed (apt-get install groovy)"
	if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ]; then
		JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
		export JAVA_HOME
	fi
	ddci_setup
	make_repo "$T/ws"
	cd "$T/ws"
	HEAD=$(git rev-parse HEAD)
	export JENKINS_URL=https://jenkins.example.com/ BUILD_URL=https://jenkins.example.com/job/shop/12/
	export BUILD_TAG=jenkins-shop-12 JOB_NAME=shop WORKSPACE="$T/ws"
	export GIT_COMMIT="$HEAD" GIT_BRANCH=origin/main BRANCH_NAME=main
	unset CHANGE_ID CHANGE_TARGET CHANGE_BRANCH GIT_URL DDCI_JOB_STARTED_AT
	export JENKINS_CREDENTIALS="{\"datadog-api-key\":\"$FAKE_API_KEY\",\"datadog-app-key\":\"$FAKE_APP_KEY\"}"
	# the keys exist only as credentials
	unset DD_API_KEY DD_APP_KEY
}
teardown() { ddci_teardown; }

# pipeline GROOVY — run GROOVY (library calls or a declarative pipeline) in
# the harness; status/output as from `run`.
pipeline() {
	printf '%s\n' "$1" >"$T/pipeline.groovy"
	run --separate-stderr groovy "$DDCI_ROOT/tests/ci/jenkins_harness.groovy" "$JENKINS" "$T/ws" "$T/pipeline.groovy"
	echo "status=$status"
	echo "$output"
	echo "stderr: $stderr"
}

flaky_tests() { # N FIRST_SHA [SOURCE_FILE]
	jq -nc --argjson n "$1" --arg sha "$2" --arg src "${3:-tests/test_cart.py}" '[range(0; $n) as $i | {id:("t\($i)"), repository_id:"github.com/acme/shop", branches:["main"],
	  attributes:{name:("test_\($i)"), suite:"CartTest", module:"shop/unit", flaky_state:"active",
	    first_flaked_sha:$sha, first_flaked_branch:"main", codeowners:["@acme/shop"], services:["shop"], envs:["ci"],
	    pipeline_stats:{failed_pipelines:1, total_lost_time_ms:60000},
	    test_run_metadata:{source_file:$src, source_start:12, source_end:20},
	    test_stats:{failure_rate_pct:20}}}]'
}

@test "the shared library and the Jenkinsfile compile with Groovy" {
	run groovy "$DDCI_ROOT/tests/ci/groovy-parse.groovy" "$JENKINS"/vars/*.groovy "$JENKINS/Jenkinsfile"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq 7 ]
}

@test "every step has its vars/*.txt help, and the flags it passes exist" {
	cd "$JENKINS/vars"
	for f in ddci*.groovy; do
		[ -s "${f%.groovy}.txt" ] || { echo "no ${f%.groovy}.txt"; return 1; }
		[ "$f" = ddciRun.groovy ] && continue
		tool=$(sed -n "s/.*ddciRun('\(ddci-[a-z-]*\)'.*/\1/p" "$f")
		[ -n "$tool" ]
		help=$("$DDCI_BIN/$tool" --help)
		for flag in $(grep -o "'--[a-z-]*'" "$f" | tr -d "'" | sort -u); do
			grep -q -- "$flag\b" <<<"$help" || { echo "$f: $tool has no $flag"; return 1; }
		done
	done
	# no Groovy-interpolated shell text: sh only runs the resource script
	run ! grep -nE '\bsh[ (]+"' ./*.groovy
}

@test "run.sh is shellcheck-clean POSIX sh" {
	run shellcheck -s sh "$RUN_SH"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "ddciDeploy: \${VAR}, \$VAR, workflow commands and shell in arguments reach ddci literally (withEnv would expand them)" {
	pipeline 'def id = ddciDeploy(service: '"'"'shop'"'"', env: '"'"'prod'"'"', startedAt: 1700000000,
	    tags: ['"'"'a:${DD_API_KEY}'"'"', '"'"'b:$DD_API_KEY'"'"', '"'"'c:::add-mask::x'"'"', '"'"'d:$(touch pwned)'"'"', "q:it'"'"'s"],
	    serviceVersion: '"'"'${BUILD_TAG}'"'"')
	echo "id=${id}"'
	[ "$status" -eq 0 ]
	[ ! -e pwned ]
	body=$(last_body /api/v2/dora/deployment)
	[ "$(jq -c .data.attributes.custom_tags <<<"$body")" = '["a:${DD_API_KEY}","b:$DD_API_KEY","c:::add-mask::x","d:$(touch pwned)","q:it'"'"'s"]' ]
	[ "$(jq -r .data.attributes.version <<<"$body")" = '${BUILD_TAG}' ]
	[ "$(jq -r .data.attributes.git.commit_sha <<<"$body")" = "$HEAD" ]
	[[ "$output" == *"id=ddci-dep-"* ]]
	assert_no_secret "$output" "$stderr" "$body"
	# the argument file is gone
	[ -z "$(ls "$T/ws@tmp" 2>/dev/null | grep ddci-args)" ]
}

@test "the harness's withEnv expands \${VAR} like Jenkins (what the library must not rely on)" {
	pipeline 'withEnv(["X=${'"'"'$'"'"'}{BUILD_TAG}"]) { sh '"'"'echo "x=$X"'"'"' }'
	[ "$status" -eq 0 ]
	[[ "$output" == *"x=jenkins-shop-12"* ]]
}

@test "ddciDeploy: the start is startedAt, else the closure's start, else DDCI_JOB_STARTED_AT, else the build's" {
	pipeline 'ddciDeploy(service: "shop", id: "dep-build-start-0001")'
	[ "$status" -eq 0 ]
	grep -q '"started_at":1700000000000000000[,}]' "$FAKE_LOG"
	DDCI_JOB_STARTED_AT=1700000500 pipeline 'ddciDeploy(service: "shop", id: "dep-job-start-00001")'
	grep -q '"started_at":1700000500000000000[,}]' "$FAKE_LOG"
	DDCI_JOB_STARTED_AT=1700000500 pipeline 'ddciDeploy(service: "shop", id: "dep-explicit-00001", startedAt: "1700000900")'
	grep -q '"started_at":1700000900000000000[,}]' "$FAKE_LOG"
	before=$(date +%s)
	DDCI_JOB_STARTED_AT=1700000500 pipeline 'ddciDeploy(service: "shop", id: "dep-closure-000001") { sh "echo deploying" }'
	[ "$status" -eq 0 ]
	[[ "$output" == *deploying* ]]
	started=$(last_body /api/v2/dora/deployment | jq -r .data.attributes.started_at)
	[ "$started" -ge "${before}000000000" ]
}

@test "extraArgs: a List as it is, a String split like a shell; an unterminated quote is an error" {
	pipeline 'ddciIncident(name: "down", services: ["shop"], extraArgs: ["--team", "my team"])'
	[ "$status" -eq 0 ]
	[ "$(last_body /api/v2/dora/failure | jq -r .data.attributes.team)" = "my team" ]
	pipeline 'ddciIncident(name: "down", services: "shop cart", extraArgs: "--team '"'"'your team'"'"' --severity \"SEV 1\"")'
	[ "$status" -eq 0 ]
	body=$(last_body /api/v2/dora/failure)
	[ "$(jq -r .data.attributes.team <<<"$body")" = "your team" ]
	[ "$(jq -r .data.attributes.severity <<<"$body")" = "SEV 1" ]
	[ "$(jq -c .data.attributes.services <<<"$body")" = '["shop","cart"]' ]
	pipeline 'ddciIncident(name: "down", services: ["shop"], extraArgs: "--team '"'"'open")'
	[ "$status" -eq 1 ]
	[[ "$output" == *"extraArgs has an unterminated ' quote"* ]]
}

@test "booleans from strings: failOnChanged: 'true' checks, 'maybe' is an error naming the option" {
	git update-ref refs/remotes/origin/main HEAD~1
	fake_post /_fake/flaky-tests "$(flaky_tests 1 0c6be03165b7f7ffe96e076ffb29afb2825616c3 a.txt)" >/dev/null
	export CHANGE_ID=7 CHANGE_TARGET=main BRANCH_NAME=PR-7
	pipeline 'ddciFlakyGate(failOnChanged: "true", allBranches: "yes")'
	[ "$status" -eq 1 ]
	[[ "$output" == *"--fail-on-changed"* ]]
	[[ "$output" == *"[error] ddci-flaky-gate: a threshold was exceeded"* ]]
	pipeline 'ddciFlakyGate(failOnChanged: "false", maxActive: 5, allBranches: true)'
	[ "$status" -eq 0 ]
	[[ "$output" != *"--fail-on-changed"* ]]
	pipeline 'ddciFlakyGate(failOnChanged: "maybe")'
	[ "$status" -eq 1 ]
	[[ "$output" == *"failOnChanged must be true or false, not 'maybe'"* ]]
}

@test "gates: JUnit published, Markdown and HTML archived, publishHtml, unstableOnFailure" {
	fake_post /_fake/flaky-tests "$(flaky_tests 3 0c6be03165b7f7ffe96e076ffb29afb2825616c3)" >/dev/null
	pipeline 'ddciFlakyGate(maxActive: 2, allBranches: true, unstableOnFailure: "true", publishHtml: true)'
	[ "$status" -eq 0 ]
	[[ "$output" == *"[step] junit"*"ddci-flaky-gate.xml"* ]]
	[[ "$output" == *"[step] archiveArtifacts"*"ddci-flaky-gate.xml,ddci-flaky-gate.md,ddci-flaky-gate.html"* ]]
	[[ "$output" == *"[step] publishHTML"*"ddci-flaky-gate.html"* ]]
	[[ "$output" == *"[unstable] ddci-flaky-gate: a threshold was exceeded"* ]]
	[[ "$output" == *"[build] UNSTABLE"* ]]
	grep -q '<failure' ddci-flaky-gate.xml
	grep -qi '<html' ddci-flaky-gate.html
}

@test "credentials are bound around the ddci call only; a missing credential fails the step" {
	pipeline 'sh "echo before=\${DD_API_KEY:-none}"
	ddciIncident(name: "x", services: ["shop"])
	sh "echo after=\${DD_API_KEY:-none}"'
	[ "$status" -eq 0 ]
	[[ "$output" == *"before=none"*"after=none"* ]]
	n=$(fake_requests)
	JENKINS_CREDENTIALS='{}' pipeline 'ddciIncident(name: "x", services: ["shop"])'
	[ "$status" -eq 1 ]
	[[ "$output" == *"Could not find credentials entry with ID 'datadog-api-key'"* ]]
	[ "$(fake_requests)" -eq "$n" ]
}

@test "run.sh refuses a missing argument file, a tool that is not ddci, and says when ddci is not on PATH" {
	run --separate-stderr env DDCI_ARGS_FILE="$T/none" sh "$RUN_SH"
	[ "$status" -eq 2 ]
	printf "DDCI_TOOL='rm'\nset -- -rf x\n" >"$T/args"
	run --separate-stderr env DDCI_ARGS_FILE="$T/args" sh "$RUN_SH"
	[ "$status" -eq 2 ]
	printf "DDCI_TOOL='ddci-deploy'\nset --\n" >"$T/args"
	run --separate-stderr env PATH=/usr/bin:/bin DDCI_ARGS_FILE="$T/args" sh "$RUN_SH"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not on PATH"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "multibranch pull request (CHANGE_ID, CHANGE_TARGET): the gate judges the change against the target" {
	git update-ref refs/remotes/origin/main HEAD
	commit . "pr work"
	export CHANGE_ID=7 CHANGE_TARGET=main CHANGE_BRANCH=feature BRANCH_NAME=PR-7 GIT_BRANCH=PR-7 GIT_COMMIT=$(git rev-parse HEAD)
	fake_post /_fake/flaky-tests "$(flaky_tests 1 "$(git rev-parse HEAD)")" >/dev/null
	pipeline 'ddciFlakyGate(maxNew: 0, allBranches: true)'
	[ "$status" -eq 1 ]
	grep -q '<failure' ddci-flaky-gate.xml
	fake_post /_fake/flaky-tests "$(flaky_tests 1 0c6be03165b7f7ffe96e076ffb29afb2825616c3)" >/dev/null
	pipeline 'ddciFlakyGate(maxNew: 0, allBranches: true)'
	[ "$status" -eq 0 ]
	run ! grep -q '<failure' ddci-flaky-gate.xml
}

# a workspace with the scripts the examples call
example_scripts() {
	mkdir -p scripts
	printf '#!/bin/sh\necho "deploying to $1"\n' >scripts/deploy.sh
	printf '#!/bin/sh\necho "smoke test of $1 failed"; exit %s\n' "${1:-0}" >scripts/smoke-test.sh
	printf 'test:\n\t@echo "tests see DD_API_KEY=$${DD_API_KEY:-none} DD_APP_KEY=$${DD_APP_KEY:-none}"\n' >Makefile
	chmod +x scripts/*.sh
}

@test "README.md's Jenkins snippet runs verbatim: deploy on main, gates in a pull request, keys only in ddci steps" {
	example_scripts
	node "$DDCI_ROOT/tests/ci/readme-blocks.js" "$DDCI_ROOT/README.md" Jenkins 0 >"$T/readme.groovy"
	pipeline "$(cat "$T/readme.groovy")"
	[ "$status" -eq 0 ]
	[[ "$output" == *"tests see DD_API_KEY=none DD_APP_KEY=none"* ]]
	[[ "$output" == *"[stage] Gates skipped (when)"* ]]
	[[ "$output" == *"deploying to production"* ]]
	[ "$(fake_get /_fake/state | jq '.deployments | length')" -eq 1 ]
	# a pull request: the gate runs, no deployment
	git update-ref refs/remotes/origin/main HEAD~1
	fake_post /_fake/flaky-tests "$(flaky_tests 1 0c6be03165b7f7ffe96e076ffb29afb2825616c3)" >/dev/null
	CHANGE_ID=7 CHANGE_TARGET=main BRANCH_NAME=PR-7 pipeline "$(cat "$T/readme.groovy")"
	[ "$status" -eq 0 ]
	[[ "$output" == *"[stage] Deploy skipped (when)"* ]]
	grep -q '<testsuites' ddci-flaky-gate.xml
	[ "$(fake_get /_fake/state | jq '.deployments | length')" -eq 1 ]
}

@test "the example Jenkinsfile runs: a failed smoke test marks the deployment and opens an incident" {
	example_scripts 1
	pipeline "$(cat "$JENKINS/Jenkinsfile")"
	[ "$status" -eq 1 ]
	[[ "$output" == *"tests see DD_API_KEY=none DD_APP_KEY=none"* ]]
	id=$(fake_get /_fake/state | jq -r '.deployments[0].id')
	[ "$(fake_get /_fake/state | jq -r '.deployments[0].attributes.change_failure')" = true ]
	[ "$(last_body /api/v2/dora/failure | jq -r .data.attributes.name)" = "smoke test failed in jenkins-shop-12" ]
	[ -n "$id" ]
	assert_no_secret "$output" "$stderr"
}
