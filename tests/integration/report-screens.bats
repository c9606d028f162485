#!/usr/bin/env bats
# Reports as a person sees them.  Every report (both gates passing and
# failing, ddci-dora report over 1 day and 90 days, and each with no data)
# is written as HTML and Markdown into build/<kind>/report-screens/ (kept as
# CI artifacts), then:
#  - tests/report/screens.js renders each HTML page in headless Chromium at
#    1200 and 390 px, light and dark, and with Jenkins' Content-Security-
#    Policy (inline styles blocked), keeps a PNG of each, and asserts what a
#    reader would see: no horizontal scrollbar, no text under 12 px, no two
#    labels overlapping, no chart label cut off, text contrast >= 4.5:1, bars
#    over the limit in the failure colour (and only those), the verdict in
#    the first screen;
#  - the Mermaid blocks of every Markdown report are rendered by the real
#    mermaid-cli (tests/report/mermaid.sh), not only parsed.
# Chromium starts once for all the pages (and once for mermaid-cli).

bats_require_minimum_version 1.5.0
load '../lib/common'

# ddci_setup unsets CI; in CI the browser tools must run, not skip.
IN_CI=${CI:-}

# tools_or_skip STATUS — run.sh exits 77 when npm, the registry or Chromium
# is missing: skip, except in CI.
tools_or_skip() {
	[ "$1" -eq 77 ] || return 0
	[ -z "$IN_CI" ] || { echo "report tools unavailable in CI" >&2; return 1; }
	skip "npm, the npm registry or /usr/bin/chromium unavailable (tests/deps.sh test)"
}

setup_file() {
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR"
	ddci_setup
	R="$(dirname "$DDCI_BIN")/report-screens"
	rm -rf "$R"
	mkdir -p "$R"
	export R
	# Errors stop it (bats' errexit); the log says which command failed.
	make_reports >"$BATS_FILE_TMPDIR/reports.log" 2>&1
	fake_stop
}

setup() {
	R="$(dirname "$DDCI_BIN")/report-screens"
	REPORT_TOOLS="$DDCI_ROOT/tests/report"
}

post() { curl -sS --fail -X POST -H 'Content-Type: application/json' --data-binary @- "$DDCI_API_URL$1" >/dev/null; }

# Test runs of acme/shop over 7 days: six suites, SearchTest failing 12% and
# getting worse, the others under 5%.
load_runs() {
	jq -nc '
	  def runs($suite; $n; $fail; $age_h):
	    [range(0; $n) as $i | {attributes:{timestamp:((now - $age_h * 3600 - $i * 60) * 1000 | floor),
	      attributes:{test:{status:(if $i < $fail then "fail" else "pass" end), suite:$suite, service:"shop"},
	        git:{repository_url:"https://github.com/acme/shop.git", branch:"main"}, env:"ci"}}}];
	  [range(0; 7) as $d | runs("CartTest"; 60; 1 + ($d % 3); 12 + $d * 24)] | add
	  + runs("SearchTest"; 100; 4; 130) + runs("SearchTest"; 100; 20; 10)
	  + runs("checkout.integration.PaymentsWithSavedCardsTest"; 80; 3; 50)
	  + runs("InventoryTest"; 50; 1; 70) + runs("ShippingRatesTest"; 40; 0; 30)
	  + runs("UserAccountTest"; 90; 2; 100)' | post /_fake/test-events
}

# 64 active flaky tests of acme/shop with realistic (long, similar) names:
# the flakiest lose little time, so a chart ranked by impact would miss them.
load_flaky() {
	jq -nc '
	  [range(0; 64) as $i | {id:("f" + (1000000 + $i | tostring)), repository_id:"github.com/acme/shop",
	    branches:["main"], attributes:{
	      name:("tests/integration/checkout/test_payments.py::TestSavedCards::test_pays_with_saved_card_" +
	            (["visa", "mastercard", "amex", "when_3ds_is_required", "after_retry"][$i % 5]) + "_" + ($i | tostring)),
	      suite:"TestSavedCards", module:"shop/integration", flaky_state:"active",
	      first_flaked_ts:(now - ($i % 8) * 7 * 86400 - 3600 | floor), first_flaked_sha:"0c6be03165b7f7ffe96e076ffb29afb2825616c3",
	      first_flaked_branch:"main", codeowners:["@acme/checkout"],
	      test_run_metadata:{source_file:"tests/integration/checkout/test_payments.py", source_start:(80 + $i)},
	      pipeline_stats:{failed_pipelines:(64 - $i), total_lost_time_ms:((64 - $i) * 400000)},
	      test_stats:{failure_rate_pct:(($i * 0.95) | . * 100 | floor / 100)}}}]' | post /_fake/flaky-tests
}

# Deployments of $1 (service) at the given ages in hours; every 4th is a
# change failure rolled back an hour later.
deploy_ages() {
	local svc=$1 n=0 good="" id fix when
	shift
	for age in "$@"; do
		when=$(($(date +%s) - age * 3600))
		GIT_AUTHOR_DATE="@$((when - 7200)) +0000" GIT_COMMITTER_DATE="@$((when - 7200)) +0000" \
			git commit -q --allow-empty -m "$svc $age"
		id=$(ddci-deploy --service "$svc" --env prod --started-at "$when" --finished-at "$((when + 300))")
		n=$((n + 1))
		if [ $((n % 4)) -eq 0 ] && [ -n "$good" ]; then
			fix=$(ddci-deploy --service "$svc" --env prod --started-at "$((when + 3600))" \
				--finished-at "$((when + 3900))" --service-version "fix$n")
			ddci-change-failure --deployment-id "$id" --remediation-id "$fix" --remediation-type rollback >/dev/null
		fi
		good=$id
	done
}

make_reports() {
	make_repo "$BATS_FILE_TMPDIR/repo" https://github.com/acme/shop.git
	make_repo "$BATS_FILE_TMPDIR/empty" https://github.com/acme/empty.git
	cd "$BATS_FILE_TMPDIR/repo"
	load_runs
	load_flaky
	ddci-flaky-gate --all-branches --max-active 20 --max-failure-rate 25 \
		--markdown "$R/flaky-fail.md" --html "$R/flaky-fail.html" || [ $? -eq 1 ]
	ddci-flaky-gate --all-branches --max-active 100 --max-failure-rate 70 \
		--markdown "$R/flaky-pass.md" --html "$R/flaky-pass.html"
	ddci-failrate-gate --max-failure-rate 10 --group-by @test.suite \
		--markdown "$R/failrate-fail.md" --html "$R/failrate-fail.html" || [ $? -eq 1 ]
	ddci-failrate-gate --max-failure-rate 10 \
		--markdown "$R/failrate-pass.md" --html "$R/failrate-pass.html"
	deploy_ages shop 20 17 15 11 9 8 5 3 1
	deploy_ages catalog 2100 1900 1700 1500 1400 1200 1000 900 700 500 400 300 200 100 50 10
	ddci-dora report --service shop --env prod --from now-1d --markdown "$R/dora-1d.md" --html "$R/dora-1d.html"
	ddci-dora report --service catalog --env prod --from now-90d --markdown "$R/dora-90d.md" --html "$R/dora-90d.html"
	ddci-dora report --service nothing --env prod --from now-30d --markdown "$R/dora-empty.md" --html "$R/dora-empty.html"
	cd "$BATS_FILE_TMPDIR/empty"
	ddci-flaky-gate --all-branches --max-active 0 --markdown "$R/flaky-empty.md" --html "$R/flaky-empty.html"
	ddci-failrate-gate --max-failure-rate 10 --markdown "$R/failrate-empty.md" --html "$R/failrate-empty.html"
}

@test "every HTML report reads right at 1200 and 390 px, light and dark, and with styles blocked" {
	[ "$(ls "$R"/*.html | wc -l)" -eq 9 ] || { cat "$BATS_FILE_TMPDIR/reports.log"; false; }
	run --separate-stderr "$REPORT_TOOLS/run.sh" screens "$R" "$R"/*.html
	tools_or_skip "$status"
	echo "$output" "$stderr"
	[ "$status" -eq 0 ]
	# 9 pages x (1200, 390) x (light, dark, CSP): a PNG each
	[ "$(ls "$R"/*.png | wc -l)" -eq 54 ]
	[[ "$output" == *"54 renders, 0 problems"* ]]
}

@test "every Markdown report's Mermaid blocks render in mermaid-cli" {
	run --separate-stderr "$REPORT_TOOLS/run.sh" mermaid "$R" "$R"/*.md
	tools_or_skip "$status"
	echo "$output" "$stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == *" blocks rendered, 0 problems"* ]]
}
