#!/usr/bin/env bats
# ddci-flaky-gate against the fake Datadog, with datasets loaded per test and
# real temporary repositories for --max-new and --fail-on-changed.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup_repo
	BASE_SHA=$(git rev-parse HEAD)
}
teardown() { ddci_teardown; }

# ftest ID STATE RATE LOST_MS [FIRST_SHA] [SOURCE_FILE] — one flaky test of acme/shop
ftest() {
	jq -nc --arg id "$1" --arg st "$2" --argjson rate "$3" --argjson lost "$4" --arg sha "${5:-0c6be03165b7f7ffe96e076ffb29afb2825616c3}" \
		--arg src "${6:-tests/test_$1.py}" \
		'{id:$id, repository_id:"github.com/acme/shop", branches:["main"],
		  attributes:{name:("test_"+$id), suite:"CartTest", module:"shop/unit", flaky_state:$st,
		    first_flaked_sha:$sha, first_flaked_branch:"main", codeowners:["@acme/shop"], services:["shop"],
		    envs:["ci"], pipeline_stats:{failed_pipelines:3, total_lost_time_ms:$lost},
		    test_run_metadata:{source_file:$src, source_start:12, source_end:20},
		    test_stats:{failure_rate_pct:$rate}}}'
}

# load_tests JSON_OBJECTS... — replace the fake's dataset
load_tests() { fake_post /_fake/flaky-tests "$(jq -sc . <<<"$*")" >/dev/null; }

standard_set() {
	load_tests "$(ftest a1 active 25.0 1800000)" "$(ftest a2 active 10.0 1800000)" "$(ftest a3 active 5.5 3600000)" \
		"$(ftest q1 quarantined 80 600000)" "$(ftest d1 disabled 70 600000)" "$(ftest f1 fixed 90 600000)"
}

@test "--max-active: exactly at the limit passes, one below fails" {
	standard_set
	run --separate-stderr ddci-flaky-gate --max-active 3
	[ "$status" -eq 0 ]
	[[ "$output" == *"passed"* ]]
	[[ "$output" == *"ok: 3 active flaky tests, limit 3 (--max-active)"* ]]
	run --separate-stderr ddci-flaky-gate --max-active 2
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL: 3 active flaky tests, limit 2 (--max-active)"* ]]
	[[ "$output" == *test_a1* && "$output" == *test_a3* ]]
	# the scope comes from the origin remote (no credentials) and the current branch
	q=$(last_body flaky-test-management | jq -r .data.attributes.filter.query)
	[[ "$q" == *'@git.repository.id_v2:"github.com/acme/shop"'* ]]
	[[ "$q" == *'@git.branch:main'* ]]
	[[ "$q" == *'flaky_test_state:active'* ]]
	assert_no_secret "$output" "$stderr" "$(cat "$FAKE_LOG")"
}

@test "states: quarantined and disabled count only with --include-quarantined; fixed never" {
	standard_set
	run ddci-flaky-gate --max-active 3 --include-quarantined
	[ "$status" -eq 1 ]
	[[ "$output" == *"5 active flaky tests, limit 3"* ]]
	[[ "$output" != *test_f1* ]]
	run ddci-flaky-gate --max-active 5 --include-quarantined
	[ "$status" -eq 0 ]
	[[ "$(last_body flaky-test-management | jq -r .data.attributes.filter.query)" == *"-flaky_test_state:fixed"* ]]
}

@test "--max-failure-rate: the worst test exactly at the limit passes, above fails" {
	standard_set
	run ddci-flaky-gate --max-failure-rate 25
	[ "$status" -eq 0 ]
	run ddci-flaky-gate --max-failure-rate 24.9
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL: 25.00% highest flaky test failure rate, limit 24.90%"* ]]
	run ddci-flaky-gate --max-failure-rate 5%
	[ "$status" -eq 1 ]
}

@test "--max-lost-time: the sum exactly at the limit passes, above fails" {
	standard_set
	run ddci-flaky-gate --max-lost-time 2h
	[ "$status" -eq 0 ]
	run ddci-flaky-gate --max-lost-time 119m
	[ "$status" -eq 1 ]
	[[ "$output" == *"pipeline time lost"* ]]
}

# A feature branch off main with one commit touching tests/test_cart.py.
feature_branch() {
	git checkout -qb feature
	commit . "cart change" tests/test_cart.py
	NEW_SHA=$(git rev-parse HEAD)
}

@test "--max-new counts tests first flaked in merge-base(--base, HEAD)..HEAD" {
	feature_branch
	load_tests "$(ftest n1 active 5 1000 "$NEW_SHA")" "$(ftest o1 active 5 1000 "$BASE_SHA")" \
		"$(ftest n2 active 5 1000 "${NEW_SHA:0:10}")"
	run ddci-flaky-gate --all-branches --max-new 2 --base main
	[ "$status" -eq 0 ]
	[[ "$output" == *"ok: 2 flaky tests first flaked in this change, limit 2 (--max-new)"* ]]
	run ddci-flaky-gate --all-branches --max-new 1 --base main
	[ "$status" -eq 1 ]
	[[ "$output" == *test_n1* && "$output" == *test_n2* ]]
	# nothing new when the change is empty
	git checkout -q main
	run ddci-flaky-gate --all-branches --max-new 0 --base main
	[ "$status" -eq 0 ]
}

@test "--base defaults to the PR target branch from the CI" {
	feature_branch
	load_tests "$(ftest n1 active 5 1000 "$NEW_SHA")"
	GITHUB_ACTIONS=true GITHUB_BASE_REF=main run ddci-flaky-gate --all-branches --max-new 0
	[ "$status" -eq 1 ]
	[[ "$output" == *"1 flaky tests first flaked in this change, limit 0"* ]]
	CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main GITLAB_CI=true run ddci-flaky-gate --all-branches --max-new 1
	[ "$status" -eq 0 ]
}

@test "--fail-on-changed fails on a flaky test whose source file this change touches, with an annotation" {
	feature_branch
	load_tests "$(ftest c1 active 5 1000 "$BASE_SHA" tests/test_cart.py)" "$(ftest u1 active 5 1000 "$BASE_SHA" tests/other.py)"
	export GITHUB_ACTIONS=true GITHUB_OUTPUT="$T/out" GITHUB_STEP_SUMMARY="$T/summary"
	run ddci-flaky-gate --all-branches --fail-on-changed --base main
	[ "$status" -eq 1 ]
	[[ "$output" == *"::error file=tests/test_cart.py,line=12"* ]]
	[[ "$output" != *"::error file=tests/other.py"* ]]
	grep -qx 'gate_result=failed' "$T/out"
	grep -qx 'changed=1' "$T/out"
	grep -qx 'active=2' "$T/out"
	grep -q '^## ❌ Flaky test gate: failed' "$T/summary"
	grep -q '| `--fail-on-changed` flaky tests in files changed by this change | 1 | 0 | ❌ fail |' "$T/summary"
	# the same test with an unchanged file passes
	load_tests "$(ftest u1 active 5 1000 "$BASE_SHA" tests/other.py)"
	run ddci-flaky-gate --all-branches --fail-on-changed --base main
	[ "$status" -eq 0 ]
}

@test "a missing base branch exits 2 with a clear message and sends nothing" {
	feature_branch
	run --separate-stderr ddci-flaky-gate --max-new 0 --base release/9
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"base branch 'release/9' not found"* ]]
	GITHUB_ACTIONS=true GITHUB_BASE_REF=nope run --separate-stderr ddci-flaky-gate --fail-on-changed
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'nope' (from the CI) not found"* ]]
	run --separate-stderr ddci-flaky-gate --fail-on-changed
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--base"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "no flaky tests passes every threshold" {
	load_tests
	run ddci-flaky-gate --max-active 0 --max-failure-rate 0 --max-lost-time 0
	[ "$status" -eq 0 ]
	[[ "$output" == *"ok: 0 active flaky tests, limit 0"* ]]
}

@test "multi-page: every page is read and counted" {
	objs=()
	for i in $(seq 1 250); do objs+=("$(ftest "t$i" active 1 10)"); done
	load_tests "${objs[@]}"
	run ddci-flaky-gate --max-active 249 --page-size 100 --output json
	[ "$status" -eq 1 ]
	[ "$(jq -r '.checks[0].value' <<<"$output")" = 250 ]
	[ "$(jq -r '.counts.pages' <<<"$output")" = 3 ]
	[ "$(jq '.rows | length' <<<"$output")" -eq 50 ]
	[ "$(jq -r '.rows_total' <<<"$output")" = 250 ]
	[ "$(fake_requests flaky-test-management)" -eq 3 ]
	# the cursor of each page is the next_page of the one before
	[ "$(jq -c 'select(.path|contains("flaky")) | .body.data.attributes.page.cursor // empty' "$FAKE_LOG" | wc -l)" -eq 2 ]
}

@test "--junit writes valid XML with one testcase per threshold, --markdown the report" {
	standard_set
	run ddci-flaky-gate --max-active 2 --max-failure-rate 50 --junit "$T/r.xml" --markdown "$T/r.md"
	[ "$status" -eq 1 ]
	python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$T/r.xml"
	[ "$(grep -c '<testcase ' "$T/r.xml")" -eq 2 ]
	grep -q 'failures="1"' "$T/r.xml"
	grep -q '<failure type="threshold" message="FAIL: 3 active flaky tests, limit 2 (--max-active)">' "$T/r.xml"
	grep -q 'CartTest.test_a1' "$T/r.xml"
	grep -q '^## ❌ Flaky test gate: failed' "$T/r.md"
	grep -q '| test_a3 | CartTest | shop/unit | active | 5.50% |' "$T/r.md"
}

@test "XML and Markdown special characters are escaped" {
	load_tests "$(jq -c '.attributes.name = "a<b & \"c\" | d"' <<<"$(ftest x1 active 5 10)")"
	run ddci-flaky-gate --max-active 0 --junit "$T/r.xml" --markdown "$T/r.md"
	[ "$status" -eq 1 ]
	python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$T/r.xml"
	grep -qF 'a&lt;b &amp; &quot;c&quot; | d' "$T/r.xml"
	grep -qF 'a&lt;b &amp; "c" \| d' "$T/r.md"
}

@test "--output json is the verdict as JSON" {
	standard_set
	run --separate-stderr ddci-flaky-gate --max-active 5 --output json
	[ "$status" -eq 0 ]
	[ "$(jq -r .result <<<"$output")" = passed ]
	[ "$(jq -r '.counts.active' <<<"$output")" = 3 ]
	[ "$(jq -r '.rows[0].id' <<<"$output")" = a3 ]
}

@test "403 exits 4 with Datadog's message" {
	fake_faults '[{"path":"/api/v2/test/flaky-test-management","action":"status","status":403}]'
	run --separate-stderr ddci-flaky-gate --max-active 0
	[ "$status" -eq 4 ]
	[[ "$stderr" == *Forbidden* ]]
	[ "$(fake_requests flaky-test-management)" -eq 1 ]
}

@test "503 after every retry exits 3; --fail-open passes with a warning" {
	standard_set
	fake_faults '[{"path":"/api/v2/test/flaky-test-management","action":"status","status":503,"count":-1}]'
	run --separate-stderr ddci-flaky-gate --max-active 0 --retries 2
	[ "$status" -eq 3 ]
	[ "$(fake_requests flaky-test-management)" -eq 3 ]
	run --separate-stderr ddci-flaky-gate --max-active 0 --retries 1 --fail-open
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"warning"*"--fail-open"* ]]
}

@test "malformed answers (truncated, wrong shape, HTML) exit 3 with a clear message" {
	standard_set
	for action in truncate shape content_type; do
		fake_faults "[{\"path\":\"/api/v2/test/flaky-test-management\",\"action\":\"$action\"}]"
		run --separate-stderr ddci-flaky-gate --max-active 0 --retries 0
		[ "$status" -eq 3 ] || [ "$status" -eq 4 ]
		[[ "$stderr" == *"unexpected response"* || "$stderr" == *"Datadog"* ]]
		[[ "$stderr" != *AddressSanitizer* ]]
	done
}

@test "bad flags exit 2 and send nothing" {
	run ddci-flaky-gate
	[ "$status" -eq 2 ]
	run ddci-flaky-gate --max-failure-rate 101
	[ "$status" -eq 2 ]
	run ddci-flaky-gate --max-active -1
	[ "$status" -eq 2 ]
	run ddci-flaky-gate --max-lost-time soon
	[ "$status" -eq 2 ]
	run ddci-flaky-gate --max-active 1 --branch x --all-branches
	[ "$status" -eq 2 ]
	[ "$(fake_requests)" -eq 0 ]
}

@test "--dry-run prints the first request and sends nothing" {
	run ddci-flaky-gate --max-active 0 --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"POST $FAKE_URL/api/v2/test/flaky-test-management/tests"* ]]
	[ "$(fake_requests)" -eq 0 ]
}
