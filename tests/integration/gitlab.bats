#!/usr/bin/env bats
# The GitLab CI/CD components in ci-templates/gitlab/templates, run for real by
# gitlab-ci-local (shell executor, no docker) in a temporary project against
# the fake Datadog: deploy + gates passing, a failing gate failing the
# pipeline with its JUnit report, merge-request semantics, and the
# change-failure / incident jobs after a failed smoke test.

bats_require_minimum_version 1.5.0
load '../lib/common'
load '../ci/lib'

setup_file() {
	"$DDCI_ROOT/tests/ci/install.sh" >&3 2>&1 || true
}

setup() {
	ddci_setup
	ci_tools_or_skip
	command -v rsync >/dev/null || skip "rsync is not installed (gitlab-ci-local needs it)"
	make_repo "$T/proj"
	cd "$T/proj"
	mkdir -p ddci
	cp -r "$DDCI_ROOT/ci-templates/gitlab/templates" ddci/
	unset DD_API_KEY DD_APP_KEY DDCI_API_URL
}
teardown() { ddci_teardown; }

# pipeline YAML [GITLAB-CI-LOCAL ARGS...] — commit YAML as .gitlab-ci.yml and
# run the whole pipeline; status/output as from `run`.
pipeline() {
	printf '%s\n' "$1" >.gitlab-ci.yml
	shift
	git add -A
	git commit -qm "pipeline" --allow-empty
	run --separate-stderr timeout 120 gitlab-ci-local --shell-isolation=false --force-shell-executor \
		--no-color --home "$T/gcl-home" \
		--variable "DDCI_API_URL=$FAKE_URL" --variable "DD_API_KEY=$FAKE_API_KEY" \
		--variable "DD_APP_KEY=$FAKE_APP_KEY" --variable DDCI_TIMEOUT=20 "$@"
	echo "status=$status"
	echo "$output"
	echo "stderr: $stderr"
}

load_flaky() { # N [FIRST_SHA [SOURCE_FILE]] — N active flaky tests of acme/shop, first flaked at FIRST_SHA (default an old sha)
	local tests
	tests=$(jq -nc --argjson n "$1" --arg sha "${2:-0c6be03165b7f7ffe96e076ffb29afb2825616c3}" --arg src "${3:-tests/test_cart.py}" '[range(0; $n) as $i | {id:("t\($i)"),
	  repository_id:"github.com/acme/shop", branches:["main"],
	  attributes:{name:("test_\($i)"), suite:"CartTest", module:"shop/unit", flaky_state:"active",
	    first_flaked_sha:$sha, first_flaked_branch:"main", codeowners:["@acme/shop"],
	    services:["shop"], envs:["ci"], pipeline_stats:{failed_pipelines:1, total_lost_time_ms:60000},
	    test_run_metadata:{source_file:$src, source_start:12, source_end:20},
	    test_stats:{failure_rate_pct:20}}}]')
	fake_post /_fake/flaky-tests "$tests" >/dev/null
}

load_runs() { # PASS FAIL
	local events
	events=$(jq -nc --argjson p "$1" --argjson f "$2" '[range(0; $p + $f) as $i | {attributes:{timestamp:((now - 3600 - $i) * 1000 | floor),
	    attributes:{test:{status:(if $i < $f then "fail" else "pass" end), suite:"CartTest", service:"shop"},
	      git:{repository_url:"https://github.com/acme/shop.git", branch:"main"}, env:"ci"}}}]')
	fake_post /_fake/test-events "$events" >/dev/null
}

GATES='stages: [test, deploy]
include:
  - local: ddci/templates/flaky-gate.yml
    inputs:
      max-active: 2
  - local: ddci/templates/failrate-gate.yml
    inputs:
      max-failure-rate: 10
  - local: ddci/templates/deploy.yml
    inputs:
      service: shop
      env: prod
      tags: [team:core, region:eu]
ddci-deploy:
  needs: [ddci-flaky-gate, ddci-failrate-gate]'

@test "every template declares typed, described spec:inputs and a job" {
	node -e '
		const yaml = require(process.argv[1]), fs = require("fs");
		const schema = yaml.DEFAULT_SCHEMA.extend([new yaml.Type("!reference", { kind: "sequence" })]);
		for (const f of process.argv.slice(2)) {
			const docs = yaml.loadAll(fs.readFileSync(f, "utf8"), { schema });
			if (docs.length !== 2 || !docs[0].spec || !docs[0].spec.inputs) throw new Error(f + ": spec:inputs header then ---");
			for (const [k, v] of Object.entries(docs[0].spec.inputs))
				if (!v || !v.description) throw new Error(f + ": input " + k + " has no description");
			const body = fs.readFileSync(f, "utf8").split(/^---$/m)[1];
			for (const m of body.matchAll(/\$\[\[\s*inputs\.([a-z0-9-]+)/g))
				if (!(m[1] in docs[0].spec.inputs)) throw new Error(f + ": unknown input " + m[1]);
			for (const k of Object.keys(docs[0].spec.inputs))
				if (!body.includes("inputs." + k)) throw new Error(f + ": input " + k + " is unused");
		}
	' "$CI_TOOLS/node_modules/js-yaml" "$DDCI_ROOT"/ci-templates/gitlab/templates/*.yml
	[ "$(ls "$DDCI_ROOT"/ci-templates/gitlab/templates/*.yml | wc -l)" -eq 5 ]
}

@test "a pipeline with both gates and a deploy passes and records the deployment" {
	load_flaky 2
	load_runs 95 5
	pipeline "$GATES"
	[ "$status" -eq 0 ]
	[[ "$output" == *"PASS"*"ddci-flaky-gate"* ]]
	[ "$(fake_get /_fake/state | jq '.deployments | length')" -eq 1 ]
	body=$(last_body /api/v2/dora/deployment)
	[ "$(jq -r .data.attributes.service <<<"$body")" = shop ]
	[ "$(jq -r .data.attributes.env <<<"$body")" = prod ]
	[ "$(jq -c .data.attributes.custom_tags <<<"$body")" = '["team:core","region:eu"]' ]
	# JUnit reports and dotenv outputs of both gates
	grep -q '<testsuites' ddci-flaky-gate.xml
	grep -q '<testsuites' ddci-failrate-gate.xml
	grep -qx 'DDCI_FLAKY_GATE_RESULT=passed' ddci-flaky-gate.env
	grep -qx 'DDCI_FAILRATE_GATE_RESULT=passed' ddci-failrate-gate.env
	grep -Eqx 'DDCI_DEPLOYMENT_ID=ddci-dep-[0-9a-f]+' ddci-deploy.env
	assert_no_secret "$output" "$stderr"
}

@test "a failing gate fails the pipeline, keeps its JUnit report and deploys nothing" {
	load_flaky 3
	load_runs 95 5
	pipeline "$GATES"
	[ "$status" -ne 0 ]
	[[ "$output" == *"FAIL"*"ddci-flaky-gate"* ]]
	grep -q '<failure' ddci-flaky-gate.xml
	grep -qx 'DDCI_FLAKY_GATE_RESULT=failed' ddci-flaky-gate.env
	grep -qx 'DDCI_FLAKY_GATE_EXIT=1' ddci-flaky-gate.env
	[ -s ddci-flaky-gate.md ]
	[ "$(fake_requests /api/v2/dora/deployment)" -eq 0 ]
}

@test "merge-request pipelines judge the change from CI_MERGE_REQUEST_DIFF_BASE_SHA" {
	base=$(git rev-parse HEAD)
	commit . "feature work"
	load_flaky 1 "$(git rev-parse HEAD)"
	printf '%s\n' 'include:
  - local: ddci/templates/flaky-gate.yml
    inputs:
      max-new: 0' >.gitlab-ci.yml
	git add -A && git commit -qm ci
	# the flaky test first flaked in the MR's own commits: one new, limit 0
	pipeline "$(cat .gitlab-ci.yml)" --variable "CI_MERGE_REQUEST_DIFF_BASE_SHA=$base" \
		--variable CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main --variable CI_MERGE_REQUEST_IID=7
	[ "$status" -ne 0 ]
	grep -qx 'DDCI_FLAKY_GATE_EXIT=1' ddci-flaky-gate.env
	grep -q '<failure' ddci-flaky-gate.xml
}

@test "a failed smoke test marks the deployment as a change failure and opens an incident" {
	pipeline 'stages: [deploy, smoke]
include:
  - local: ddci/templates/deploy.yml
    inputs:
      service: shop
      env: prod
      started-at: "1700000000"
  - local: ddci/templates/change-failure.yml
  - local: ddci/templates/incident.yml
    inputs:
      name: smoke test failed
      services: [shop, cart]
      env: prod
smoke:
  stage: smoke
  script:
    - echo "checkout is down"; exit 1'
	[ "$status" -ne 0 ]
	id=$(sed -n 's/^DDCI_DEPLOYMENT_ID=//p' ddci-deploy.env)
	[ -n "$id" ]
	[ "$(fake_get /_fake/state | jq -r --arg id "$id" '.deployments[] | select(.id == $id) | .attributes.change_failure')" = true ]
	[ "$(last_body /api/v2/dora/failure | jq -c .data.attributes.services)" = '["shop","cart"]' ]
	[[ "$output" == *"PASS"*"ddci-change-failure"* ]]
}

@test "without ddci on PATH the job says how to get it" {
	printf '%s\n' 'include:
  - local: ddci/templates/deploy.yml
    inputs:
      service: shop' >.gitlab-ci.yml
	PATH="$CI_TOOLS/node_modules/.bin:/usr/bin:/bin" pipeline "$(cat .gitlab-ci.yml)"
	[ "$status" -ne 0 ]
	[[ "$output$stderr" == *"ddci is not installed in this image"* ]]
}

# seed_project_includes — `include: project: acme/ddci, ref: v0.1.0, file:
# /ci-templates/gitlab/templates/X.yml` as gitlab-ci-local resolves it: it
# fetches project files from the project's server (git over ssh/https), which
# these tests do not have, and uses what it finds in its include cache
# (.gitlab-ci-local/includes/<host>/<project>/<ref>/<file>) first. So the
# cache holds the exact files GitLab would fetch: this checkout's templates.
seed_project_includes() {
	local d=.gitlab-ci-local/includes/github.com/acme/ddci/v0.1.0/ci-templates/gitlab/templates
	mkdir -p "$d"
	cp "$DDCI_ROOT"/ci-templates/gitlab/templates/*.yml "$d/"
	echo .gitlab-ci-local/ >>.git/info/exclude
}

example_scripts() { # SMOKE_STATUS
	mkdir -p scripts
	printf '#!/bin/sh\necho "deploying to $1"\n' >scripts/deploy.sh
	printf '#!/bin/sh\necho "smoke test of $1"; exit %s\n' "${1:-0}" >scripts/smoke-test.sh
	chmod +x scripts/*.sh
}

@test "README.md's GitLab snippet runs verbatim: project includes with inputs; the deploy job's start passed along" {
	seed_project_includes
	example_scripts
	load_flaky 1
	node "$CI_TOOLS/readme-blocks.js" "$DDCI_ROOT/README.md" "GitLab CI" 0 >"$T/readme.yml"
	pipeline "$(cat "$T/readme.yml")"
	[ "$status" -eq 0 ]
	[[ "$output" == *"deploying to production"* ]]
	body=$(last_body /api/v2/dora/deployment)
	[ "$(jq -r .data.attributes.service <<<"$body")" = shop ]
	[ "$(jq -r .data.attributes.env <<<"$body")" = production ]
	[ "$(jq -c .data.attributes.custom_tags <<<"$body")" = '["team:checkout","region:eu"]' ]
	# the deployment started when the deploy job did, not when ddci-deploy did
	started=$(sed -n 's/^DDCI_JOB_STARTED_AT=//p' deploy.env)
	[ -n "$started" ]
	[ "$(jq -r .data.attributes.started_at <<<"$body")" = "$(date -d "$started" +%s)000000000" ]
	# a push pipeline: max-new / fail-on-changed judged from HEAD~1, no exit 2
	grep -qx 'DDCI_FLAKY_GATE_EXIT=0' ddci-flaky-gate.env
}

@test "the example .gitlab-ci.yml runs: a failed smoke test marks the deployment and opens an incident" {
	seed_project_includes
	example_scripts 1
	load_flaky 1
	load_runs 95 5
	cp "$DDCI_ROOT/ci-templates/gitlab/examples/.gitlab-ci.yml" "$T/example.yml"
	pipeline "$(cat "$T/example.yml")"
	[ "$status" -ne 0 ]
	id=$(sed -n 's/^DDCI_DEPLOYMENT_ID=//p' ddci-deploy.env)
	[ -n "$id" ]
	[ "$(fake_get /_fake/state | jq -r --arg id "$id" '.deployments[] | select(.id == $id) | .attributes.change_failure')" = true ]
	[ "$(last_body /api/v2/dora/failure | jq -r .data.attributes.name)" = "smoke test failed" ]
	[[ "$output" == *"PASS"*"ddci-incident"* ]]
}

@test "inputs reach ddci as written: \${VAR}, workflow commands, \$(cmd), globs and arrays" {
	touch region-a region-b g-x
	pipeline 'include:
  - local: ddci/templates/incident.yml
    inputs:
      name: "::add-mask::${DD_API_KEY} $(touch pwned) `touch pwned2` $CI_JOB_ID"
      services: ["shop", "region:*", "it'"'"'s"]
      tags: ["k:${DD_API_KEY}", "g:*", "q:\"quoted\""]
      extra-args: ["--team", "my team"]
      rules: [{when: always}]'
	[ "$status" -eq 0 ]
	[ ! -e pwned ] && [ ! -e pwned2 ]
	body=$(last_body /api/v2/dora/failure)
	[ "$(jq -r .data.attributes.name <<<"$body")" = '::add-mask::${DD_API_KEY} $(touch pwned) `touch pwned2` $CI_JOB_ID' ]
	[ "$(jq -c .data.attributes.services <<<"$body")" = '["shop","region:*","it'"'"'s"]' ]
	[ "$(jq -c .data.attributes.custom_tags <<<"$body")" = '["k:${DD_API_KEY}","g:*","q:\"quoted\""]' ]
	[ "$(jq -r .data.attributes.team <<<"$body")" = "my team" ]
	assert_no_secret "$body"
}

@test "flaky-gate in a push pipeline (no merge request): max-new and fail-on-changed judge HEAD~1..HEAD, never exit 2" {
	# a flaky test whose source is the file the pushed commit changes
	load_flaky 1 0c6be03165b7f7ffe96e076ffb29afb2825616c3 .gitlab-ci.yml
	pipeline 'include:
  - local: ddci/templates/flaky-gate.yml
    inputs:
      max-new: 0'
	[ "$status" -eq 0 ]
	grep -qx 'DDCI_FLAKY_GATE_EXIT=0' ddci-flaky-gate.env
	pipeline 'include:
  - local: ddci/templates/flaky-gate.yml
    inputs:
      max-new: 0
      fail-on-changed: true'
	[ "$status" -ne 0 ]
	grep -qx 'DDCI_FLAKY_GATE_EXIT=1' ddci-flaky-gate.env
	[[ "$output" == *"1 flaky tests in files changed by this change"* ]]
}

@test "templates: one shared helper block, the release's image, rules/interruptible/needs, options for enums" {
	cd "$DDCI_ROOT/ci-templates/gitlab/templates"
	first=
	for f in *.yml; do
		lib=$(sed -n '/^# The shell helpers every ddci job/,$p' "$f")
		[ -n "$lib" ]
		[ -z "$first" ] && first="$lib"
		[ "$lib" = "$first" ] || { echo "$f: .ddci-lib differs"; return 1; }
		grep -q "default: ghcr.io/ddci/ddci:$(cat "$DDCI_ROOT/VERSION")\$" "$f"
		grep -q '^  rules: \$\[\[ inputs.rules \]\]$' "$f"
		grep -q '^  interruptible: \$\[\[ inputs.interruptible \]\]$' "$f"
		grep -q 'entrypoint: \[""\]' "$f"
		# no input value goes through a variable (the runner would expand $VAR in it)
		run ! grep -nE '^\s+DDCI_IN_[A-Z_]+: ' "$f"
	done
	grep -q '^  needs: \[\]$' flaky-gate.yml
	grep -q '^  needs: \[\]$' failrate-gate.yml
	grep -A3 'remediation-type:' change-failure.yml | grep -q 'options: \[auto, rollback, rollforward\]'
	grep -A4 '^    site:' deploy.yml | grep -q 'options:'
}

@test "ci-templates/gitlab/README.md describes every template and every input" {
	node -e '
		const yaml = require(process.argv[1]), fs = require("fs"), path = require("path");
		const schema = yaml.DEFAULT_SCHEMA.extend([new yaml.Type("!reference", { kind: "sequence" })]);
		const readme = fs.readFileSync(process.argv[2], "utf8");
		for (const f of process.argv.slice(3)) {
			const name = path.basename(f, ".yml");
			const at = readme.indexOf("\n### " + name + "\n");
			if (at < 0) throw new Error("README: no section " + name);
			const section = readme.slice(at + 1).split(/\n### /)[0];
			const spec = yaml.loadAll(fs.readFileSync(f, "utf8"), { schema })[0].spec.inputs;
			for (const k of Object.keys(spec))
				if (!section.includes("| `" + k + "` |")) throw new Error("README " + name + ": input " + k + " missing");
		}
	' "$CI_TOOLS/node_modules/js-yaml" "$DDCI_ROOT/ci-templates/gitlab/README.md" "$DDCI_ROOT"/ci-templates/gitlab/templates/*.yml
}
