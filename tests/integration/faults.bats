#!/usr/bin/env bats
# The short fault matrix: every reporter and gate that exists, against every
# fault the fake Datadog injects.  Asserted each time: bounded total time
# (--timeout holds while retrying and while the server stalls), the exit
# code, a clear one-line message, and retries only where they are safe
# (requests counted in the fake's log).  `make soak` runs the long matrix.

load '../lib/common'

DEP_ID=ddci-dep-faultmatrix-0000000001
REPO_ID=github.com/acme/shop

# name|arguments|fault path|retry-safe (every call here is: POST with a
# deterministic id, PATCH, or a read)
TOOLS=(
	"deploy|--service shop --started-at 1700000000 --no-git|/api/v2/dora/deployment|1"
	"incident|--team core --started-at 1700000000|/api/v2/dora/failure|1"
	"change-failure|--deployment-id $DEP_ID|/api/v2/dora/deployments/$DEP_ID|1"
	"dora|list deployments|/api/v2/dora/deployments|1"
	"flush|--spool SPOOL|/api/v2/dora/deployment|1"
	"flaky-gate|--max-active 3 --repository-id $REPO_ID|/api/v2/test/flaky-test-management/tests|1"
	"failrate-gate|--max-failure-rate 10 --repository-id $REPO_ID|/api/v2/ci/tests/analytics/aggregate|1"
	"flaky|list --repository-id $REPO_ID|/api/v2/test/flaky-test-management/tests|1"
	"tests|list|/api/v2/ci/tests/events|1"
	"synthetics-history|gen-abc-001|/api/v2/synthetics/tests/gen-abc-001|1"
	"cases|count|/api/v2/cases/aggregate|1"
)

FAKE_ARGS=(--flaky-generate 5 --events-generate 20 --synthetics-generate 3 --cases-generate 5)
# Tools run in parallel, each against its own fake server, at most JOBS at once.
JOBS=${DDCI_FAULT_JOBS:-4}
# Extra milliseconds allowed on time bounds when each process runs under valgrind.
SLACK=${VALGRIND:+10000}
SLACK=${SLACK:-0}

setup() {
	ddci_env
	cd "$T"
}
teardown() { ddci_teardown; }

# fields ENTRY: sets tool, args, fpath for one TOOLS entry.
fields() {
	IFS='|' read -r tool args fpath _ <<<"$1"
}

# matrix FN — for every tool that exists, in parallel (JOBS at a time): a
# temp dir and fake server of its own, prepare(), then FN, whose check()
# failures are gathered; fails listing every problem.
matrix() {
	local fn="$1" e all=()
	while read -r e; do
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
		( one_tool "$fn" "$e" ) &
	done < <(each)
	wait
	for e in "$T"/*/problems; do
		[ -s "$e" ] && mapfile -t -O "${#all[@]}" all <"$e"
	done
	if [ ${#all[@]} -gt 0 ]; then
		printf '%s\n' "${all[@]}" >&2
		return 1
	fi
}

one_tool() {
	local fn="$1"
	fields "$2"
	T="$T/$tool"
	mkdir -p "$T"
	SPOOL="$T/spool"
	args=${args//SPOOL/$SPOOL}
	problems=()
	if fake_start "${FAKE_ARGS[@]}" && [ -n "${TLS_CA:-}" ]; then
		FAKE_URL="https://127.0.0.1:$FAKE_PORT"
		export DDCI_API_URL="$FAKE_URL" SSL_CERT_FILE="$TLS_CA"
	fi
	if [ -z "${FAKE_PORT:-}" ] || ! prepare "$tool"; then
		problems+=("$tool: setup failed: $(cat "$T/fake.out" 2>/dev/null)")
	else
		"$fn"
	fi
	fake_stop
	printf '%s\n' "${problems[@]}" | grep . >"$T/problems" || true
}

# prepare TOOL: the state the tool needs before faults are queued, then a
# clean request log.
prepare() {
	curl -sS -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
	case "$1" in
	change-failure)
		ddci-deploy --service shop --started-at 1700000000 --no-git --id "$DEP_ID" >/dev/null ;;
	flush)
		rm -rf "$SPOOL"
		fake_faults '[{"path":"/api/v2/dora/deployment","action":"status","status":503,"count":-1}]'
		ddci-deploy --service shop --started-at 1700000000 --no-git --spool "$SPOOL" --retries 0 \
			>/dev/null 2>&1 || true
		curl -sS -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
		[ "$(ls "$SPOOL" | grep -vc '^rejected$')" -ge 1 ] || { echo "flush: nothing spooled" >&2; return 1; }
		;;
	esac
	BASE=$(fake_get /_fake/requests | jq length)
}

# count_req PATH — requests to PATH since prepare() (a reset would drop the
# deployments prepare made).
count_req() { fake_get /_fake/requests | jq --argjson b "$BASE" --arg p "$1" '.[$b:] | map(select(.path | contains($p))) | length'; }

# call TOOL ARGS... — runs ddci-TOOL; sets rc, out, err, ms (wall time).
call() {
	local t="$1" start end
	shift
	start=$(date +%s%N)
	rc=0
	"ddci-$t" "$@" >"$T/out" 2>"$T/err" || rc=$?
	end=$(date +%s%N)
	ms=$(((end - start) / 1000000))
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# check COND MESSAGE — records a failure for this tool without stopping the loop.
problems=()
check() {
	if ! eval "$1"; then
		problems+=("$tool: $2 (rc=$rc, ${ms}ms, stderr: ${err:0:300})")
	fi
}

# n_stored deployments|failures — events the fake stores.
n_stored() { fake_get /_fake/state | jq --arg k "$1" '.[$k] | length'; }

# (a rate-limit wait announced on the way is not an error line)
one_line() { [ -n "$err" ] && [ "$(printf '%s\n' "$err" | grep -v ': rate limited (.*): waiting [0-9]* s' | grep -c .)" -eq 1 ]; }

# each: the TOOLS entries whose executable exists.
each() {
	local e
	for e in "${TOOLS[@]}"; do
		[ -x "$DDCI_BIN/ddci-${e%%|*}" ] && printf '%s\n' "$e"
	done
}

case_1() {
	fake_faults '[{"path":"'"$fpath"'","action":"status","status":500},
		{"path":"'"$fpath"'","action":"status","status":502},
		{"path":"'"$fpath"'","action":"status","status":503},
		{"path":"'"$fpath"'","action":"status","status":504,"count":-1}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 3 --timeout 10
	check '[ $rc -eq 3 ]' "exit 3 expected"
	check '[ $ms -le $((12000 + SLACK)) ]' "over --timeout"
	check '[[ "$err" == *504* ]]' "message names the status"
	check 'one_line' "one line of stderr"
	check '[ "$(count_req "$fpath")" -eq 4 ]' "4 requests expected (retries 3), got $(count_req "$fpath")"
	assert_no_secret "$out" "$err"
}
@test "500, 502, 503, 504 in a row: retried (safe calls), then exit 3 naming the last status" {
	matrix case_1
}

case_2() {
	fake_faults '[{"path":"'"$fpath"'","action":"status","status":503},{"path":"'"$fpath"'","action":"status","status":502}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 3 --timeout 15
	check '[ $rc -eq 0 ] || [ $rc -eq 1 ]' "success (or a gate verdict) expected"
	check '[ "$(count_req "$fpath")" -ge 3 ]' "the two faults and a success"
	check '[ "$(n_stored deployments)" -le 1 ] && [ "$(n_stored failures)" -le 1 ]' "one event per id"
}
@test "a 503 then a 502 then success: the call survives and stores once" {
	matrix case_2
}

case_3() {
	fake_faults '[{"path":"'"$fpath"'","action":"status","status":429,"headers":{"Retry-After":"1"}}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 3 --timeout 15
	check '[ $rc -eq 0 ] || [ $rc -eq 1 ]' "success expected after the wait"
	check '[ $ms -ge 900 ]' "Retry-After: 1 not waited"
	check '[ "$(count_req "$fpath")" -ge 2 ]' "retried"
}
@test "429 with Retry-After is waited out, then the call succeeds" {
	matrix case_3
}

case_4() {
	fake_faults '[{"path":"'"$fpath"'","action":"status","status":429,"count":-1,"headers":{"X-RateLimit-Reset":"1","X-RateLimit-Limit":"10","X-RateLimit-Remaining":"0","X-RateLimit-Period":"10"}}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 5 --timeout 2
	check '[ $rc -eq 3 ]' "exit 3 expected"
	check '[ $ms -le $((4000 + SLACK)) ]' "over --timeout 2"
	check '[ $ms -ge 900 ]' "the reset was not waited for"
	check '[[ "$err" == *429* || "$err" == *"rate limit"* ]]' "message names the rate limit"
	check 'one_line' "one line of stderr"
}
@test "429 with X-RateLimit-Reset that never clears: exit 3 within --timeout" {
	matrix case_4
}

case_5() {
	fake_faults '[{"path":"'"$fpath"'","action":"status","status":429,"headers":{"X-RateLimit-Reset":"1"}}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 3 --timeout 15
	check '[ $rc -eq 0 ] || [ $rc -eq 1 ]' "success expected"
	check '[ $ms -ge 900 ]' "X-RateLimit-Reset: 1 not waited"
}
@test "429 with X-RateLimit-Reset once: waited out, then success" {
	matrix case_5
}

case_6() {
	[ "$tool" = change-failure ] || true
	saved="$DDCI_API_URL"
	# A port nothing listens on: this tool's fake, stopped.
	port=$FAKE_PORT
	fake_stop
	# shellcheck disable=SC2086
	DDCI_API_URL="http://127.0.0.1:$port" call "$tool" $args --retries 2 --timeout 3
	check '[ $rc -eq 3 ]' "exit 3 expected"
	check '[ $ms -le $((5000 + SLACK)) ]' "over --timeout"
	check '[[ "$err" == *"reach"* || "$err" == *"connect"* || "$err" == *"refused"* ]]' "message says unreachable"
	check 'one_line' "one line of stderr"
	DDCI_API_URL="$saved"
}
@test "connection refused: exit 3 within --timeout, saying Datadog cannot be reached" {
	matrix case_6
}

case_7() {
	fake_faults '[{"path":"'"$fpath"'","action":"close","count":-1,"side_effect":true}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 2 --timeout 10
	check '[ $rc -eq 3 ]' "exit 3 expected"
	check '[ $ms -le $((12000 + SLACK)) ]' "over --timeout"
	check '[ "$(count_req "$fpath")" -eq 3 ]' "3 requests expected (retries 2)"
	check 'one_line' "one line of stderr"
	# Every close stored the event: the retries landed on the same id.
	check '[ "$(n_stored deployments)" -le 1 ] && [ "$(n_stored failures)" -le 1 ]' "one event per id"
}
@test "connection closed mid-response: retried (safe calls), exit 3, nothing duplicated" {
	matrix case_7
}

case_8() {
	fake_faults '[{"path":"'"$fpath"'","action":"hang","count":-1,"ms":30000}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 3 --timeout 1
	check '[ $rc -eq 3 ]' "exit 3 expected"
	check '[ $ms -le $((3000 + SLACK)) ]' "over --timeout 1"
	check '[[ "$err" == *"timed out"* || "$err" == *"timeout"* ]]' "message says timed out"
	check 'one_line' "one line of stderr"
}
@test "a server that accepts and never answers: exit 3 at --timeout" {
	matrix case_8
}

case_9() {
	fake_faults '[{"path":"'"$fpath"'","action":"trickle","count":-1,"ms":1000}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 3 --timeout 1
	check '[ $ms -le $((3000 + SLACK)) ]' "over --timeout 1"
	# PATCH answers 202 with an empty body: nothing to trickle.
	[ "$tool" = change-failure ] && return 0
	check '[ $rc -eq 3 ]' "exit 3 expected"
	check '[[ "$err" == *"timed out"* || "$err" == *"timeout"* ]]' "message says timed out"
	check 'one_line' "one line of stderr"
}
@test "a body trickling one byte a second: exit 3 at --timeout" {
	matrix case_9
}

case_10() {
	fake_faults '[{"path":"'"$fpath"'","action":"truncate","count":-1}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 2 --timeout 10
	# PATCH and DELETE answer 202 with no body: nothing to truncate.
	if [ "$tool" = change-failure ]; then
		check '[ $rc -eq 0 ]' "an empty 202 is a success"
	else
		check '[ $rc -eq 3 ]' "exit 3 expected"
		check '[[ "$err" == *"invalid JSON"* || "$err" == *"unexpected response"* ]]' "message names the bad response"
		check 'one_line' "one line of stderr"
	fi
	check '[ $ms -le $((12000 + SLACK)) ]' "over --timeout"
	check '[ "$(count_req "$fpath")" -le 3 ]' "at most retries+1 requests"
}
@test "truncated JSON: exit 3 saying the response is invalid" {
	matrix case_10
}

case_11() {
	fake_faults '[{"path":"'"$fpath"'","action":"content_type","count":-1}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 2 --timeout 10
	if [ "$tool" = change-failure ]; then
		check '[ $rc -eq 0 ] || [ $rc -eq 3 ]' "exit 0 (202 accepted) or 3"
	else
		check '[ $rc -eq 3 ]' "exit 3 expected"
		check '[[ "$err" == *"text/html"* ]]' "message names the content type"
		check 'one_line' "one line of stderr"
	fi
	check '[ $ms -le $((12000 + SLACK)) ]' "over --timeout"
}
@test "an HTML page instead of JSON: exit 3 naming the content type" {
	matrix case_11
}

case_12() {
	fake_faults '[{"path":"'"$fpath"'","action":"shape","count":-1}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 2 --timeout 10
	if [ "$tool" = change-failure ] || [ "$tool" = flush ]; then
		# 202 with no body to read; flush only needs the 2xx
		check '[ $rc -eq 0 ] || [ $rc -eq 3 ]' "exit 0 (accepted) or 3"
	else
		check '[ $rc -eq 3 ]' "exit 3 expected"
		check '[[ "$err" == *"unexpected response"* ]]' "message says unexpected response"
		check '[[ "$err" == *data* ]]' "message names the field"
		check 'one_line' "one line of stderr"
	fi
	check '[ $ms -le $((12000 + SLACK)) ]' "over --timeout"
}
@test "a 200 with an unexpected JSON shape: exit 3 naming the field" {
	matrix case_12
}

case_13() {
	fake_faults '[{"path":"'"$fpath"'","action":"status","status":400,"count":-1,"body":{"errors":["field x: not allowed"]}}]'
	# shellcheck disable=SC2086
	call "$tool" $args --retries 3 --timeout 10
	if [ "$tool" = flush ]; then
		# A rejected event is moved aside so it never blocks the queue.
		check '[ $rc -eq 4 ] || [ $rc -eq 0 ]' "exit 4 (or 0 once moved aside)"
	else
		check '[ $rc -eq 4 ]' "exit 4 expected"
		check '[[ "$err" == *"not allowed"* ]]' "Datadog's message shown"
	fi
	check '[ "$(count_req "$fpath")" -eq 1 ]' "a 4xx must not be retried"
}
@test "a 400 is never retried: exit 4 with Datadog's message" {
	matrix case_13
}

# --- TLS ------------------------------------------------------------------

# make_ca DIR NAME — a CA (DIR/NAME-ca.pem) and, for the first CA, a
# server certificate for 127.0.0.1 signed by it.
make_ca() {
	local d="$1" n="$2"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ddci test $n CA" \
		-keyout "$d/$n-ca.key" -out "$d/$n-ca.pem" 2>/dev/null
}
make_server_cert() {
	local d="$1"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/server.key" \
		-out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/ext.cnf"
	openssl x509 -req -in "$d/server.csr" -CA "$d/good-ca.pem" -CAkey "$d/good-ca.key" -CAcreateserial \
		-days 2 -extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null
}

tls_case() {
	call "$tool" $args --retries 2 --timeout 10 --ca-bundle "$TLS_DIR/other-ca.pem"
	check '[ $rc -eq 3 ]' "exit 3 expected with the wrong CA"
	check '[[ "$err" == *certificate* ]]' "message says certificate"
	check 'one_line' "one line of stderr"
	check '[ "$(count_req "$fpath")" -eq 0 ]' "nothing reached the server"
	if [ "$tool" = flush ]; then
		# the event stays spooled for the next try
		check '[ -n "$(ls "$SPOOL" | grep -v "^rejected$")" ]' "spool kept"
	fi
	call "$tool" $args --retries 2 --timeout 10 --ca-bundle "$TLS_DIR/good-ca.pem"
	check '[ $rc -eq 0 ] || [ $rc -eq 1 ]' "success expected with the right CA"
	check '[ "$(count_req "$fpath")" -ge 1 ]' "the request arrived over TLS"
}
@test "TLS: a certificate from another CA fails with exit 3 and a certificate message; the right CA works" {
	TLS_DIR="$T/tls"
	mkdir -p "$TLS_DIR"
	make_ca "$TLS_DIR" good
	make_ca "$TLS_DIR" other
	make_server_cert "$TLS_DIR"
	TLS_CA="$TLS_DIR/good-ca.pem"
	FAKE_ARGS+=(--tls-cert "$TLS_DIR/server.pem" --tls-key "$TLS_DIR/server.key")
	curl() { command curl --cacert "$TLS_CA" "$@"; }
	matrix tls_case
}

@test "TLS: the system CAs do not trust the test server" {
	d="$T/tls"
	mkdir -p "$d"
	make_ca "$d" good
	make_server_cert "$d"
	fake_stop
	fake_start --tls-cert "$d/server.pem" --tls-key "$d/server.key"
	export DDCI_API_URL="https://127.0.0.1:$FAKE_PORT"
	call deploy --service shop --started-at 1700000000 --no-git --timeout 5
	[ "$rc" -eq 3 ]
	[[ "$err" == *certificate* ]]
}
