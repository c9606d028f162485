#!/usr/bin/env bats
# Sites and what the API reference says about them (issue 19.10): app.<site>
# accepted, endpoints a site does not serve refused before sending, 202
# "delayed" surfaced, 403s naming the permission, preview endpoints labelled,
# --retries 0 and 429 documented the same way everywhere.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() { ddci_setup; }
teardown() { ddci_teardown; }

@test "issue 19.10: the reference's app.<site> names are accepted and mapped to the API host" {
	unset DDCI_API_URL
	for pair in app.datadoghq.com=datadoghq.com app.datadoghq.eu=datadoghq.eu APP.DATADOGHQ.EU=datadoghq.eu \
		app.ddog-gov.com=ddog-gov.com us3.datadoghq.com=us3.datadoghq.com; do
		run --separate-stderr ddci-cases count --site "${pair%%=*}" --dry-run
		echo "${pair%%=*}: $status $output $stderr"
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "POST https://api.${pair#*=}/api/v2/cases/aggregate" ]]
	done
	DD_SITE=app.datadoghq.eu run --separate-stderr ddci-cases count --dry-run
	[[ "${lines[0]}" == "POST https://api.datadoghq.eu/api/v2/cases/aggregate" ]]
	run --separate-stderr ddci-cases count --site app.example.com --dry-run
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"invalid --site 'app.example.com'"* ]]
}

@test "issue 19.10: DORA on ddog-gov.com (US1-FED) is refused before sending, naming the site" {
	make_repo "$T/repo"
	cd "$T/repo"
	for cmd in "ddci-deploy --service shop --started-at now-5m" "ddci-incident --service shop --started-at now-5m" \
		"ddci-dora list deployments" "ddci-change-failure --deployment-id z_RwVLi7v4Y" \
		"ddci-dora report --service shop"; do
		run --separate-stderr $cmd --site ddog-gov.com
		echo "$cmd: $status $stderr"
		[ "$status" -eq 2 ]
		[[ "$stderr" == *"DORA Metrics"*"'ddog-gov.com'"*"nothing was sent"* ]]
		DD_SITE=app.ddog-gov.com run --separate-stderr $cmd --dry-run
		[ "$status" -eq 2 ]
	done
	run --separate-stderr ddci-tests list --site us2.ddog-gov.com
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'us2.ddog-gov.com'"* ]]
	[ "$(fake_requests)" -eq 0 ]
	# what the site does serve still works
	run --separate-stderr ddci-cases count --site ddog-gov.com
	[ "$status" -eq 0 ]
	[ "$(fake_requests /api/v2/cases/aggregate)" -eq 1 ]
}

@test "issue 19.10: a DORA event accepted with 202 (delayed due to incident) succeeds with a warning" {
	fake_faults '[{"path":"/api/v2/dora/deployment","method":"POST","action":"status","status":202,"count":1,"body":{"data":{"id":"dep-delayed-0000000001","type":"dora_deployment"}}}]'
	run --separate-stderr ddci-deploy --service shop --no-git --started-at now-5m
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"warning"*"HTTP 202"*"delayed"* ]]
	run --separate-stderr ddci-deploy --service shop --no-git --started-at now-5m
	[ "$status" -eq 0 ]
	[[ "$stderr" != *"202"* ]]
}

@test "issue 19.10: 403 messages name the permission the endpoint needs" {
	for pair in "/api/v2/dora/deployments|ddci-dora list deployments|dora_metrics_read" \
		"/api/v2/dora/deployment/|ddci-dora delete deployment z_RwVLi7v4Y|dora_metrics_write" \
		"/api/v2/cases/aggregate|ddci-cases count|cases_read" \
		"/api/v2/ci/tests/events|ddci-tests list|ci_visibility_read" \
		"/api/v2/test/flaky-test-management/tests|ddci-flaky list --all-repositories|test_optimization_read" \
		"/api/v2/synthetics/tests/abc-def-ghi/version_history|ddci-synthetics-history abc-def-ghi|synthetics_read"; do
		IFS='|' read -r path cmd perm <<<"$pair"
		curl -sS -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
		fake_faults "[{\"path\":\"$path\",\"action\":\"status\",\"status\":403,\"count\":-1,\"body\":{\"errors\":[\"Forbidden\"]}}]"
		run --separate-stderr $cmd
		echo "$cmd: $status $stderr"
		[ "$status" -eq 4 ]
		[[ "$stderr" == *"'$perm'"* ]]
	done
}

@test "issue 19.10: preview endpoints are labelled; --retries 0 and 429 are documented alike" {
	for exe in ddci-flaky ddci-flaky-gate ddci-cases; do
		run --separate-stderr "$exe" --help
		[[ "$output" == *"Preview:"* ]]
		grep -q 'Preview' "$DDCI_ROOT/man/$exe.1.scd"
	done
	run --separate-stderr ddci-deploy --help
	[[ "$output" == *"429s are waited out within --timeout (0: no retry, no wait)"* ]]
	grep -q 'retries 0\* turns that off too' "$DDCI_ROOT/man/ddci-deploy.1.scd"
	grep -q 'retries 0\* turns every retry off, 429 waits' "$DDCI_ROOT/man/ddci.7.scd"
	grep -q '`--retries 0` turns that off too' "$DDCI_ROOT/README.md"
	# and it is what happens: --retries 0 gives up on the first 429
	fake_faults '[{"path":"/api/v2/cases/aggregate","action":"status","status":429,"count":-1}]'
	run --separate-stderr ddci-cases count --retries 0
	[ "$status" -eq 3 ]
	[ "$(fake_requests /api/v2/cases/aggregate)" -eq 1 ]
}
