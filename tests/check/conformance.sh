#!/usr/bin/env bash
# tests/check/conformance.sh — every ddci command, with every flag that shapes
# a request, run against Stoplight Prism serving Datadog's full published v2
# OpenAPI spec (tests/conformance/openapi-v2-full.prism.yaml.gz, see
# tests/conformance/NOTICE.md).  Each request is judged by Prism's request
# validator ("Request did not pass the validation rules"), and what Prism
# does not check by tests/conformance/request-check.js: query parameters with
# bracketed names (filter[from], page[limit]) and body members no schema
# declares.  The requests reach Prism through tests/conformance/record.js,
# which logs them for that check.  Prism's mock answers
# are not judged (some break their own schema, cursors repeat): a command may
# fail on them; what it sent must be valid.  TAP: one line per invocation,
# then the totals.  Prism starts once (it takes a while to load the spec).
# Without npm or the registry the test fails: it is never skipped.
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$PWD
bin="${DDCI_BIN:-$root/build/asan/bin}"
conf="$root/tests/conformance"

if ! "$conf/install.sh"; then
	echo "not ok 1 - conformance: Prism could not be installed (tests/conformance/install.sh needs npm and the npm registry)"
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ddci-conformance.XXXXXX")
prism_pid= proxy_pid=
cleanup() {
	[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
	[ -n "$prism_pid" ] && kill "$prism_pid" 2>/dev/null && wait "$prism_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

gunzip -c "$conf/openapi-v2-full.prism.yaml.gz" >"$work/spec.yaml" || exit 1
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
log="$work/prism.log"
"$conf/node_modules/.bin/prism" mock --errors -h 127.0.0.1 -p "$port" "$work/spec.yaml" >"$log" 2>&1 &
prism_pid=$!
prism="http://127.0.0.1:$port"
# Loading 4 MB of YAML: up to several minutes on a loaded machine.
for _ in $(seq 1 1500); do
	grep -q 'Prism is listening' "$log" && break
	kill -0 "$prism_pid" 2>/dev/null || break
	sleep 0.2
done
if ! grep -q 'Prism is listening' "$log"; then
	echo "not ok 1 - conformance: Prism did not start"
	tail -n 20 "$log" | sed 's/^/# /'
	exit 1
fi
record="$work/record"
: >"$record"
node "$conf/record.js" "$work/proxy.port" "$port" "$record" &
proxy_pid=$!
for _ in $(seq 1 300); do
	[ -s "$work/proxy.port" ] && break
	sleep 0.1
done
url="http://127.0.0.1:$(cat "$work/proxy.port")"

# A git repository for the commands that read one.
repo="$work/repo"
export GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=Tester
export GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME="$work/home"
mkdir -p "$HOME" "$repo"
git -C "$repo" init -q
echo one >"$repo/a.txt"
git -C "$repo" add a.txt
git -C "$repo" commit -qm first
echo two >>"$repo/a.txt"
git -C "$repo" commit -qam second
git -C "$repo" remote add origin https://github.com/acme/shop.git
head=$(git -C "$repo" rev-parse HEAD)

unset GITHUB_ACTIONS GITHUB_OUTPUT GITHUB_STEP_SUMMARY GITLAB_CI JENKINS_URL CI DD_SITE DATADOG_SITE \
	DD_SERVICE DD_ENV DD_VERSION DDCI_SPOOL_DIR DDCI_DRY_RUN DDCI_RATE_SHARE
export DD_API_KEY=fakeapikey0000000000000000000000 DD_APP_KEY=fakeappkey000000000000000000000000000000
export DDCI_API_URL="$url" DDCI_TIMEOUT=60 DDCI_RETRIES=0 DDCI_STATE_DIR="$work/state" PATH="$bin:$PATH"

# A spooled event for ddci-flush: the deployment could not be delivered.
DDCI_API_URL=http://127.0.0.1:1 ddci-deploy --service shop --started-at now-5m --no-git --spool "$work/spool" \
	>/dev/null 2>&1
printf '[{"id":"4eb1887a8adb1847"},{"id":"9f0c2d1e3b4a5c6d"}]\n' >"$work/flaky.json"

# name<TAB>command: every command, each request-shaping flag at least once.
cases="$work/cases"
cat >"$cases" <<EOF
deploy	ddci-deploy --service shop --started-at now-5m
deploy-flags	ddci-deploy --service shop --env prod --service-version 1.2.3 --started-at 1700000000 --finished-at 1700000100123 --team core --tag a:b --tag c:d --id dep-0123456789abcdef --commit-sha $head --repository-url https://user:pw@github.com/acme/shop.git
deploy-no-git	ddci-deploy --service shop --started-at 2026-01-02T03:04:05Z --finished-at now --no-git
deploy-remediates-auto	ddci-deploy --service shopist --env production --started-at now-1m --remediates auto
deploy-remediates-id	ddci-deploy --service shop --env prod --started-at now-1m --remediates z_RwVLi7v4Y
incident	ddci-incident --started-at now-20m --service shop
incident-flags	ddci-incident --name 'db down' --severity SEV-1 --started-at now-20m --finished-at now --service shop --service api --env prod --service-version 1.0 --team core --tag a:b --id inc-0123456789abcdef --commit-sha $head --repository-url https://github.com/acme/shop.git
incident-team	ddci-incident --started-at 1700000000000000000 --team core --no-git
change-failure-id	ddci-change-failure --deployment-id z_RwVLi7v4Y --remediation-id 4242fcdd31586084 --remediation-type rollback
change-failure-clear	ddci-change-failure --deployment-id 4242fcdd31586083 --clear
change-failure-last	ddci-change-failure --last --service shopist --env production --remediation-id 4242fcdd31586084 --remediation-type rollforward
change-failure-commit	ddci-change-failure --commit $head --service shop --env prod
change-failure-remediated	ddci-change-failure --last --service shopist --env production --remediated-by-current --commit-sha 66adc9350f2cc9b250b69abddab733dd55e1a588
dora-list	ddci-dora list deployments
dora-list-flags	ddci-dora list deployments --from now-30d --to now --query 'service:shop env:prod' --limit 5 --sort finished_at --output json
dora-list-failures	ddci-dora list failures --limit 5000 --sort -started_at --from 2026-01-01T00:00:00Z
dora-get	ddci-dora get deployment 4242fcdd31586083 --output json
dora-get-failure	ddci-dora get failure 4242fcdd31586085
dora-delete	ddci-dora delete deployment 4242fcdd31586083
dora-delete-failure	ddci-dora delete failure 4242fcdd31586085
dora-report	ddci-dora report --service shopist
dora-report-flags	ddci-dora report --service shopist --env production --from now-90d --to now --markdown $work/dora.md --html $work/dora.html --output json
flaky-list	ddci-flaky list
flaky-list-flags	ddci-flaky list --state active --sort -failure_rate --limit 5 --branch main --codeowner @acme/team --query '@test.suite:x' --repository-id github.com/acme/shop --page-size 50 --output json
flaky-list-all	ddci-flaky list --all-repositories --sort pipelines_duration_lost --page-size 1000
flaky-set-state	ddci-flaky set-state --state quarantined 4eb1887a8adb1847 9f0c2d1e3b4a5c6d --batch-size 1
flaky-set-state-json	ddci-flaky set-state --state fixed --from-json $work/flaky.json
flaky-gate	ddci-flaky-gate --max-active 5
flaky-gate-flags	ddci-flaky-gate --max-active 5 --max-failure-rate 10 --max-new 1 --fail-on-changed --max-lost-time 1h --include-quarantined --base HEAD~1 --branch main --codeowner @acme/team --query '@test.suite:x' --repository-id github.com/acme/shop --page-size 200 --markdown $work/f.md --junit $work/f.xml --html $work/f.html
flaky-gate-all-branches	ddci-flaky-gate --max-active 5 --all-branches
failrate-gate	ddci-failrate-gate --max-failure-rate 5
failrate-gate-flags	ddci-failrate-gate --max-failure-rate 5 --from now-1d --to now --query '@test.service:shop' --branch main --group-by @test.suite --group-limit 20 --min-runs 1 --require-data --trend --interval 1h --repository-id github.com/acme/shop --markdown $work/r.md --junit $work/r.xml --html $work/r.html
tests-list	ddci-tests list
tests-list-flags	ddci-tests list --query '@test.status:fail' --from now-1h --to now --sort -timestamp --page-size 50 --max-events 20 --strict
tests-search	ddci-tests search --query '@test.status:fail' --from 1700000000 --to 1700003600 --sort timestamp --page-size 100 --max-events 5 --timezone UTC+1
tests-search-offset	ddci-tests search --time-offset 3600 --sort -timestamp
tests-aggregate	ddci-tests aggregate
tests-aggregate-flags	ddci-tests aggregate --query '@test.service:shop' --from now-1d --to now --compute count --compute avg:@duration --compute latest:@git.branch --group-by @test.status --group-by @test.suite --interval 1h --timezone UTC --output json
synthetics-history	ddci-synthetics-history abc-def-ghi
synthetics-history-flags	ddci-synthetics-history abc-def-ghi --since-version 3 --page-size 50 --max-versions 10 --output json
synthetics-history-since	ddci-synthetics-history abc-def-ghi --since now-7d --limit 1
cases-count	ddci-cases count
cases-count-empty-query	ddci-cases count --query ''
cases-count-flags	ddci-cases count --query 'status:open' --group-by priority --group-by status --limit 1000 --output json
cases-gate	ddci-cases gate --max 5 --query 'priority:P1'
flush	ddci-flush --spool $work/spool
EOF

requests="$work/requests" # name<TAB>recorded request, for request-check.js
: >"$requests"
n=0 total_req=0 total_bad=0 failed=0
results="$work/results"
: >"$results"
while IFS=$'\t' read -r name cmd; do
	n=$((n + 1))
	before=$(wc -l <"$log")
	rbefore=$(wc -l <"$record")
	(cd "$repo" && eval "$cmd") >"$work/out" 2>"$work/err" </dev/null
	rc=$?
	# A marker request: when Prism has logged it, it has logged everything before.
	curl -s -o /dev/null "$prism/__ddci_conformance_$n" || true
	for _ in $(seq 1 600); do
		grep -q "__ddci_conformance_$n" "$log" && break
		sleep 0.1
	done
	tail -n +"$((before + 1))" "$log" | sed "/__ddci_conformance_$n/,\$d" >"$work/slice"
	got=$(grep -c 'Request received' "$work/slice")
	bad=$(grep -c 'Request did not pass the validation rules' "$work/slice")
	tail -n +"$((rbefore + 1))" "$record" | sed "s/^/$name\t/" >>"$requests"
	total_req=$((total_req + got))
	total_bad=$((total_bad + bad))
	printf '%s\t%s\t%s\t%s\n' "$n" "$name" "$got" "$bad" >>"$results"
	if [ "$bad" -gt 0 ] || [ "$got" -eq 0 ]; then
		grep -F '[VALIDATOR] ✖' "$work/slice" | grep -v 'Violation:' | sed "s/^.*✖  error *//; s/^/#   $name: /" \
			>>"$work/why.$n"
		[ "$got" -eq 0 ] && { echo "#   $name: no request reached Prism (exit $rc)"; sed 's/^/#     /' "$work/err" | tail -n 5; } \
			>>"$work/why.$n"
	fi
done <"$cases"

# Query parameters and body members, all requests at once (one spec load).
node "$conf/request-check.js" "$work/spec.yaml" <"$requests" >"$work/query-bad"
qbad=$(wc -l <"$work/query-bad")

while IFS=$'\t' read -r i name got bad; do
	q=$(awk -F'\t' -v n="$name" '$1 == n' "$work/query-bad" | wc -l)
	if [ "$bad" -eq 0 ] && [ "$q" -eq 0 ] && [ "$got" -gt 0 ]; then
		echo "ok $i - $name: $got requests, 0 invalid"
	else
		failed=$((failed + 1))
		echo "not ok $i - $name: $got requests, $bad invalid (Prism), $q problems (request-check.js)"
		[ -f "$work/why.$i" ] && cat "$work/why.$i"
		awk -F'\t' -v n="$name" '$1 == n { print "#   " n ": " $2 }' "$work/query-bad"
	fi
done <"$results"
echo "# conformance: $n invocations, $total_req requests, $total_bad invalid (Prism), $qbad problems (request-check.js)"
echo "1..$n"
[ "$failed" -eq 0 ]
