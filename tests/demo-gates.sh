# tests/demo-gates.sh — the quality-gates part of `make demo`.
# Sourced by tests/demo.sh with W, BIN and DDCI_API_URL set and the current
# directory the demo repository (origin github.com/acme/shop).  Loads a small
# dataset of its own into the fake, then runs one gate that passes and one
# that fails, showing the failing one's Markdown report, and prints the paths
# of the reports with what each shows (the gates' and the DORA report's,
# DEMO_REPORTS: one "PATH<TAB>what it shows" line each).

type say >/dev/null 2>&1 || say() { printf '\n== %s\n' "$*"; }
type run >/dev/null 2>&1 || run() { printf '$ %s\n' "$*"; "$@"; }

demo_post() { curl -sS --fail -X POST -H 'Content-Type: application/json' --data-binary "$2" "$DDCI_API_URL$1" >/dev/null; }

# Test runs of acme/shop over the last days: 3% failures in CartTest, 12% in SearchTest.
demo_post /_fake/test-events "$(jq -nc '
  def runs($suite; $n; $fail; $age_h):
    [range(0; $n) as $i | {attributes:{timestamp:((now - $age_h * 3600 - $i * 60) * 1000 | floor),
      attributes:{test:{status:(if $i < $fail then "fail" else "pass" end), suite:$suite, service:"shop"},
        git:{repository_url:"https://github.com/acme/shop.git", branch:"main"}, env:"ci"}}}];
  runs("CartTest"; 100; 2; 60) + runs("CartTest"; 100; 4; 30) + runs("SearchTest"; 100; 12; 5)')"

# Flaky tests of acme/shop: three active (one of them very flaky), one quarantined.
demo_post /_fake/flaky-tests "$(jq -nc '
  def t($id; $name; $state; $rate; $lost; $file; $line; $days):
    {id:$id, repository_id:"github.com/acme/shop", branches:["main"],
     attributes:{name:$name, suite:"CheckoutTest", module:"shop/integration", flaky_state:$state,
       first_flaked_sha:"0c6be03165b7f7ffe96e076ffb29afb2825616c3", first_flaked_branch:"main",
       first_flaked_ts:(now - $days * 86400 | floor),
       codeowners:["@acme/checkout"], pipeline_stats:{failed_pipelines:12, total_lost_time_ms:$lost},
       test_run_metadata:{source_file:$file, source_start:$line}, test_stats:{failure_rate_pct:$rate}}};
  [t("f00000000000001"; "test_pays_with_saved_card"; "active"; 41.5; 5400000; "tests/test_checkout.py"; 88; 3),
   t("f00000000000002"; "test_applies_coupon"; "active"; 8.2; 900000; "tests/test_checkout.py"; 120; 9),
   t("f00000000000003"; "test_search_suggests"; "active"; 3.1; 300000; "tests/test_search.py"; 14; 40),
   t("f00000000000004"; "test_ships_abroad"; "quarantined"; 60.0; 7200000; "tests/test_shipping.py"; 40; 20)]')"

say "Failure-rate gate: at most 10% failing test runs over 7 days, trend included (passes)"
run ddci-failrate-gate --max-failure-rate 10 --min-runs 50 --trend
sent /api/v2/ci/tests/analytics/aggregate

say "Failure-rate gate per suite: SearchTest is above 10% (fails, exit 1), with Markdown and HTML reports"
run ddci-failrate-gate --max-failure-rate 10 --group-by @test.suite --markdown "$W/failrate-gate.md" \
	--html "$W/failrate-gate.html" || echo "(exit status $?: the gate failed, as it should)"
echo "(the reports chart the rate per day with the 10% line: one more aggregate request, a timeseries)"
DEMO_REPORTS="${DEMO_REPORTS:-}$W/failrate-gate.html	failure-rate gate, failed: SearchTest's 12% in red past the dashed 10% line; the rate per day and per suite
$W/failrate-gate.md	the same as Markdown with Mermaid charts (GitHub and GitLab draw them)
"

say "Flaky-test gate: at most 2 active flaky tests, none failing more than 25% of runs (fails, exit 1)"
run ddci-flaky-gate --all-branches --max-active 2 --max-failure-rate 25 --markdown "$W/flaky-gate.md" \
	--junit "$W/flaky-gate.xml" --html "$W/flaky-gate.html" || echo "(exit status $?: the gate failed, as it should)"
DEMO_REPORTS="${DEMO_REPORTS:-}$W/flaky-gate.html	flaky-test gate, failed: the flakiest tests by failure rate (over 25% in red), time lost per test, new flaky tests a week
$W/flaky-gate.md	the same as Markdown (GitHub step summary, GitLab); JUnit XML in $W/flaky-gate.xml
"
sent /api/v2/test/flaky-test-management/tests

say "The flaky gate's Markdown report ($W/flaky-gate.md; JUnit in $W/flaky-gate.xml)"
cat "$W/flaky-gate.md"

say "Reports (HTML: self-contained, open it in a browser or publish it from CI; light and dark, phone-sized too)"
while IFS='	' read -r f what; do
	[ -n "$f" ] || continue
	case "$f" in
	*.html) printf '  file://%s\n      %s\n' "$f" "$what" ;;
	*) printf '  %s\n      %s\n' "$f" "$what" ;;
	esac
done <<<"${DEMO_REPORTS:-}"
