#!/bin/sh
# Smoke test of the fake Datadog server: start it, exercise each API, the
# faults and the control endpoints, stop it.  Needs curl.
#   tests/fake-datadog/smoke.sh [path/to/fake-datadog]
set -eu
BIN=${1:-build/rel/fake-datadog}
T=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

"$BIN" --port-file "$T/port" --log "$T/log" --flaky-generate 300 --events-generate 500 \
	--synthetics-generate 12 --cases-generate 40 --seed 3 >"$T/out" 2>"$T/err" &
PID=$!
i=0
while [ ! -s "$T/port" ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "smoke: server did not start"; cat "$T/err"; exit 1; }
	sleep 0.05
done
U="http://127.0.0.1:$(cat "$T/port")"
API='DD-API-KEY: fakeapikey0000000000000000000000'
APP='DD-APPLICATION-KEY: fakeappkey000000000000000000000000000000'
pass=0 fail=0
check() { # name, expected substring, actual
	case "$3" in
	*"$2"*) pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)); echo "FAIL $1: expected '$2' in: $3" ;;
	esac
}
req() { curl -s -w ' HTTP%{http_code}' -H "$API" -H "$APP" -H 'Content-Type: application/json' "$@" || true; }

grep -q "fake-datadog listening on 127.0.0.1:" "$T/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL banner"; }

DEP='{"data":{"attributes":{"service":"shopist","started_at":1693491974000000000,"finished_at":1693491984000000000,"id":"smoke-deploy-000001","git":{"commit_sha":"66adc9350f2cc9b250b69abddab733dd55e1a588","repository_url":"https://github.com/organization/example-repository.git"}}}}'
check deploy '"id":"smoke-deploy-000001","type":"dora_deployment"}} HTTP200' "$(req "$U/api/v2/dora/deployment" -d "$DEP")"
check deploy-noauth '{"errors":["Forbidden"]} HTTP403' "$(curl -s -w ' HTTP%{http_code}' "$U/api/v2/dora/deployment" -d "$DEP")"
check deploy-float '"pointer":"/data/attributes/started_at"' \
	"$(req "$U/api/v2/dora/deployment" -d '{"data":{"attributes":{"service":"s","started_at":1.7e+18,"finished_at":1693491984000000000}}}')"
check failure-needs-services '/data/attributes/services' \
	"$(req "$U/api/v2/dora/failure" -d '{"data":{"attributes":{"started_at":1693491974}}}')"
check patch 'HTTP202' "$(req -X PATCH "$U/api/v2/dora/deployments/smoke-deploy-000001" \
	-d '{"data":{"type":"dora_deployment_patch_request","id":"smoke-deploy-000001","attributes":{"change_failure":true,"remediation":{"id":"smoke-deploy-000002","type":"rollback"}}}}')"
check get '"change_failure":true' "$(req "$U/api/v2/dora/deployments/smoke-deploy-000001")"
check list '"repository_id":"github.com/organization/example-repository"' \
	"$(req "$U/api/v2/dora/deployments" -d '{"data":{"type":"dora_deployments_list_request","attributes":{"query":"service:shopist"}}}')"

check fault-queued '"queued":2' "$(req "$U/_fake/faults" -d '{"faults":[{"path":"/dora/deployment","action":"status","status":503,"headers":{"Retry-After":"1"}},{"path":"/dora/deployment","action":"close","side_effect":true}]}')"
check fault-503 'HTTP503' "$(req "$U/api/v2/dora/deployment" -d "$DEP")"
check fault-close 'HTTP000' "$(req "$U/api/v2/dora/deployment" -d "$DEP")"
check state-dedupe '"received":2' "$(curl -s "$U/_fake/state")"
check log-fault '"fault":"status"' "$(cat "$T/log")"

check flaky '"next_page"' "$(req "$U/api/v2/test/flaky-test-management/tests" \
	-d '{"data":{"type":"search_flaky_tests_request","attributes":{"filter":{"query":"flaky_test_state:active"},"page":{"limit":5},"sort":"-failure_rate"}}}')"
check flaky-limit 'HTTP400' "$(req "$U/api/v2/test/flaky-test-management/tests" -d '{"data":{"attributes":{"page":{"limit":0}}}}')"
check events '"status":"done"' "$(req -g "$U/api/v2/ci/tests/events?filter[from]=now-7d&page[limit]=3")"
check aggregate '"@test.status":"fail"' "$(req "$U/api/v2/ci/tests/analytics/aggregate" \
	-d '{"compute":[{"aggregation":"count"}],"filter":{"from":"now-7d","to":"now"},"group_by":[{"facet":"@test.status"}]}')"
check synthetics '"next_last_version_number":11' "$(req "$U/api/v2/synthetics/tests/gen-abc-001/version_history?limit=2")"
check cases '"total":40' "$(req "$U/api/v2/cases/aggregate" -d '{"data":{"type":"aggregate","attributes":{"group_by":{"groups":["status"]}}}}')"
check stats '"requests":' "$(curl -s "$U/_fake/stats")"
check reset '"ok":true' "$(curl -s -X POST "$U/_fake/reset")"
check after-reset '"deployments":[]' "$(curl -s "$U/_fake/state")"

kill "$PID"
wait "$PID" && rc=0 || rc=$?
PID=
check exit-clean 'rc=0' "rc=$rc"
if grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$T/err"; then
	fail=$((fail + 1))
	cat "$T/err"
fi
echo "fake-datadog smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
