#!/usr/bin/env bats
# Hostile and merely unusual server data (issue 17): no gate verdict from
# garbage, nothing a CI runner or terminal would act on in what ddci prints,
# server ids checked before they are printed or written.  Hostile answers
# are the fake's `status 200` faults with a body of our own.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup_repo
}
teardown() { ddci_teardown; }

AGG=/api/v2/ci/tests/analytics/aggregate

# answer PATH JSON [COUNT] — the next COUNT requests to PATH get JSON (200).
answer() {
	fake_faults "[{\"path\":\"$1\",\"action\":\"status\",\"status\":200,\"count\":${3:-1},\"body\":$2}]"
}

# buckets 'KEY:STATUS:COUNT'... — an aggregate answer grouped by @test.suite
# (COUNT is JSON: 5, "NaN", 1e999, -3).
buckets() {
	local b=() k s n
	for x in "$@"; do
		k=${x%%:*} x=${x#*:} s=${x%%:*} n=${x#*:}
		b+=("{\"by\":{\"@test.suite\":\"$k\",\"@test.status\":\"$s\"},\"computes\":{\"c0\":$n}}")
	done
	local IFS=,
	echo "{\"data\":{\"buckets\":[${b[*]}]},\"meta\":{\"status\":\"done\"}}"
}

# log_safe FILE... — nothing a terminal or CI runner acts on: valid UTF-8,
# no control character but \n and \t, no line starting with "::" after
# blanks (Unicode ones too), no GitLab section marker.  OURS: a regex for
# the annotation lines ddci itself writes (the test checks them apart).
log_safe() {
	OURS="${OURS:-^$}" python3 - "$@" <<'PY'
import os, re, sys, unicodedata
ours = re.compile(os.environ["OURS"])
bad = 0
for path in sys.argv[1:]:
    data = open(path, 'rb').read()
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        print(f"{path}: invalid UTF-8: {e}"); bad = 1; continue
    for ch in text:
        if (unicodedata.category(ch) == 'Cc' and ch not in '\n\t') or ch in '\ufffe\uffff':
            print(f"{path}: control character {ord(ch):#x}"); bad = 1; break
    for line in text.split('\n'):
        if line and ours.match(line):
            continue
        if line.lstrip(' \t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff').startswith('::'):
            print(f"{path}: workflow command line: {line!r}"); bad = 1
    if 'section_start:' in text or 'section_end:' in text:
        print(f"{path}: GitLab section marker"); bad = 1
sys.exit(bad)
PY
}

LONG=$(printf 'test_param_%.0s' {1..30}) # 330 bytes: a parameterised test name

@test "finding 1: a group key of 256 bytes or more is one group (pass and fail counted together)" {
	answer $AGG "$(buckets "$LONG:pass:100" "$LONG:fail:5")"
	run --separate-stderr ddci-failrate-gate --max-failure-rate 2 --min-runs 100 --group-by @test.suite --output json
	[ "$status" -eq 1 ]
	[ "$(jq '.rows | length' <<<"$output")" -eq 1 ]
	[ "$(jq -r '.rows[0].group' <<<"$output")" = "$LONG" ]
	[ "$(jq '.rows[0].runs' <<<"$output")" -eq 105 ]
	[ "$(jq -r '.rows[0].verdict' <<<"$output")" = over ]
	answer $AGG "$(buckets "$LONG:pass:100" "${LONG}x:pass:50")"
	run --separate-stderr ddci-failrate-gate --max-failure-rate 2 --group-by @test.suite --output json
	[ "$status" -eq 0 ]
	[ "$(jq '.rows | length' <<<"$output")" -eq 2 ]
}

@test "finding 2: NaN, inf, 1e999 and negative counts exit 3 naming the field; --fail-open passes" {
	for n in '"NaN"' '"inf"' '1e999' '-3' '"-1"' '2.5' '1e20'; do
		answer $AGG "$(buckets "S:pass:100" "S:fail:$n")"
		run --separate-stderr ddci-failrate-gate --max-failure-rate 2 --retries 0
		echo "count $n: status $status: $stderr"
		[ "$status" -eq 3 ]
		[[ "$stderr" == *"computes.c0"*"finite, non-negative integer"* ]]
		[[ "$output" != *"ok:"* ]]
	done
	answer $AGG "$(buckets "S:pass:100" "S:fail:\"NaN\"")"
	run --separate-stderr ddci-failrate-gate --max-failure-rate 2 --retries 0 --fail-open
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"--fail-open"* ]]
}

@test "finding 2: flaky time lost of 9e18 saturates; a negative one exits 3 naming the field" {
	flaky() {
		echo "{\"data\":[$1],\"meta\":{\"pagination\":{}}}"
	}
	t() { echo "{\"id\":\"t$1\",\"type\":\"flaky_test\",\"attributes\":{\"name\":\"t$1\",\"flaky_state\":\"active\",\"pipeline_stats\":{\"total_lost_time_ms\":$2}}}"; }
	answer /flaky-test-management/tests "$(flaky "$(t 1 9000000000000000000),$(t 2 9000000000000000000)")"
	run --separate-stderr ddci-flaky-gate --max-lost-time 1h --output json
	[ "$status" -eq 1 ]
	grep -Eq '"lost_time_ms":[[:space:]]*9223372036854775807,' <<<"$output"
	answer /flaky-test-management/tests "$(flaky "$(t 1 3600000),$(t 2 -5170649001)")"
	run --separate-stderr ddci-flaky-gate --max-lost-time 2h --retries 0
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"pipeline_stats.total_lost_time_ms is -5.17065e+09"* ]]
	answer /flaky-test-management/tests "$(flaky "{\"id\":\"t1\",\"type\":\"flaky_test\",\"attributes\":{\"flaky_state\":\"active\",\"test_stats\":{\"failure_rate_pct\":-1e300}}}")"
	run --separate-stderr ddci-flaky-gate --max-failure-rate 5 --retries 0
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"test_stats.failure_rate_pct"* ]]
}

@test "finding 3: partial results (meta.status other than done) exit 3 unless --allow-partial" {
	for st in timeout running '"?"'; do
		body=$(buckets "S:pass:100" "S:fail:1" | jq -c --arg s "$st" '.meta.status = $s')
		answer $AGG "$body"
		run --separate-stderr ddci-failrate-gate --max-failure-rate 50 --retries 0
		[ "$status" -eq 3 ]
		[[ "$stderr" == *"partial results"*"--allow-partial"* ]]
	done
	answer $AGG "$(buckets "S:pass:100" "S:fail:1" | jq -c '.meta.status = "timeout"')"
	run --separate-stderr ddci-failrate-gate --max-failure-rate 50 --allow-partial
	[ "$status" -eq 0 ]
	[[ "$output" == *"note: Datadog returned partial results (timeout)"* ]]
}

# The hostile names every printing path gets.
HOSTILE=(
	$'\r::warning::X'
	'::add-mask::secret'
	'::stop-commands::tok12345'
	$'  ::error title=pwned::boom'
	$'\u2003::warning::em space'
	$'\e[31mred\e[0m\e]0;title\a'
	$'\e[0Ksection_start:1700000000:evil\r\e[0Kx'
	$'suiteA\r\r## \u2705 passed\r\r<img src=https://e.example/b> [Re-run](https://e.example/r)'
	'<script>alert(1)</script>'
	'%%{init: {"theme":"dark"}}%%'
	$'x\n::error::INJ'
	$'bad \xff\xfe utf8 \xef\xbf\xbe'
)

@test "finding 4: hostile group keys never reach stdout, stderr or the step summary raw (gate table, note)" {
	export GITHUB_ACTIONS=true GITHUB_OUTPUT="$T/out" GITHUB_STEP_SUMMARY="$T/summary"
	for h in "${HOSTILE[@]}"; do
		k=$(jq -Rn --arg s "$h" '$s')
		body=$(jq -nc --argjson k "$k" '{data:{buckets:[{by:{"@test.suite":$k,"@test.status":"pass"},computes:{c0:90}},
			{by:{"@test.suite":$k,"@test.status":"fail"},computes:{c0:10}}]},
			meta:{status:"done",warnings:[{title:$k,detail:$k}]}}')
		answer $AGG "$body" 2
		ddci-failrate-gate --max-failure-rate 5 --group-by @test.suite --junit "$T/r.xml" --html "$T/r.html" \
			>"$T/stdout" 2>"$T/stderr" || true
		OURS='^::(error|warning) title=Test failure-rate gate::' log_safe "$T/stdout" "$T/stderr"
		[ "$(grep -c '^::' "$T/stdout")" -eq 1 ] # our own annotation, one line
		python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$T/r.xml"
		! grep -q '<script>\|<img' "$T/summary" "$T/r.html"
		! grep -q '^## ✅' "$T/summary"
		# no Mermaid directive but the chart's own theme
		! sed -n '/^```mermaid/,/^```$/p' "$T/summary" | grep '%%' | grep -vq '^%%{init: {"theme": "base"'
	done
}

@test "finding 4: ddci-tests aggregate, its warnings and list tables, ddci-cases, ddci-dora list, ddci-flaky list, ddci" {
	for h in "${HOSTILE[@]}"; do
		k=$(jq -Rn --arg s "$h" '$s')
		answer $AGG "$(jq -nc --argjson k "$k" '{data:{buckets:[{by:{"@test.suite":$k},computes:{c0:1}}]},
			meta:{status:"done",warnings:[{title:$k,detail:$k}]}}')"
		ddci-tests aggregate --group-by @test.suite >"$T/o1" 2>"$T/e1" || true
		answer /api/v2/cases/aggregate "$(jq -nc --argjson k "$k" '{data:{type:"aggregate",attributes:{total:1,
			groups:[{group:$k,value:1}]}}}')"
		ddci-cases count >"$T/o2" 2>"$T/e2" || true
		answer /api/v2/dora/deployments "$(jq -nc --argjson k "$k" '{data:[{id:$k,type:"dora_deployment",
			attributes:{service:$k,env:$k,started_at:1700000000000000000,finished_at:1700000001000000000,
			git:{commit_sha:$k,repository_url:$k}}}]}')"
		ddci-dora list deployments --service shop >"$T/o3" 2>"$T/e3" || true
		answer /flaky-test-management/tests "$(jq -nc --argjson k "$k" '{data:[{id:$k,type:"flaky_test",
			attributes:{name:$k,suite:$k,module:$k,flaky_state:"active"}}],meta:{pagination:{}}}')"
		ddci-flaky list >"$T/o4" 2>"$T/e4" || true
		answer /api/v2/ci/tests/events "$(jq -nc --argjson k "$k" '{data:[{id:"e1",type:"citest",attributes:{
			test_level:$k,attributes:{duration:1000000,test:{name:$k,suite:$k,status:$k,service:$k}}}}],meta:{page:{}}}')"
		ddci-tests list --from now-1d --output table >"$T/o5" 2>"$T/e5" || true
		ddci "$h" >"$T/o6" 2>"$T/e6" || true
		log_safe "$T"/o[1-6] "$T"/e[1-6]
	done
}

@test "finding 4: ddci-flaky set-state errors, synthetics diff lines, flag values echoed in errors" {
	for h in "${HOSTILE[@]}"; do
		k=$(jq -Rn --arg s "$h" '$s')
		answer /flaky-test-management/tests "$(jq -nc --argjson k "$k" '{data:{type:"update_flaky_test_state_response",
			attributes:{has_errors:true,results:[{id:$k,success:false,error:$k}]}}}')"
		ddci-flaky set-state quarantined abcdef0123456789 >"$T/o1" 2>"$T/e1" || true
		fake_post /_fake/synthetics/hos-til-e01/versions "$(jq -nc --argjson k "$k" '[{id:"1",type:"version_metadata",
			attributes:{version_number:1,version_payload_created_at:"2026-01-01T00:00:00Z",author_uuid:$k,
			change_metadata:[{action:$k,action_metadata:{property_path:$k,before_value:"a\nb",
			after_value:("a\n" + $k + "\n::add-mask::x\n  ::warning::y")}}]}}]')" >/dev/null
		ddci-synthetics-history hos-til-e01 >"$T/o2" 2>"$T/e2" || true
		ddci-deploy --service shop --tag "$h" >"$T/o3" 2>"$T/e3" || true
		ddci-dora get deployment "$h" >"$T/o4" 2>"$T/e4" || true
		ddci-failrate-gate --max-failure-rate 5 --repository-id "$h" >"$T/o5" 2>"$T/e5" || true
		log_safe "$T"/o[1-5] "$T"/e[1-5]
	done
	grep -q 'version 1' "$T/o2"
}

@test "finding 5: a server id is checked before it is printed or written to GITHUB_OUTPUT; the delimiter is random" {
	export GITHUB_OUTPUT="$T/out"
	for id in $'x\nDDCI_EOF_00000001\nmalicious=injected' '::add-mask::abcdefgh' 'short' $'0123456789abcdef\e[2J'; do
		answer /api/v2/dora/deployment "$(jq -nc --arg id "$id" '{data:{id:$id,type:"dora_deployment"}}')"
		: >"$T/out"
		run --separate-stderr ddci-deploy --service shop --no-git --started-at now-1m --retries 0
		[ "$status" -eq 3 ]
		[[ "$stderr" == *"data.id is not an id"* ]]
		[ -z "$output" ]
		! grep -q malicious "$T/out"
		[ ! -s "$T/out" ]
	done
	run --separate-stderr ddci-deploy --service shop --no-git --started-at now-1m --retries 0
	[ "$status" -eq 0 ]
	grep -Eq '^deployment_id=[A-Za-z0-9._:-]{16,128}$' "$T/out"
}

@test "finding 12: ddci-dora get and delete refuse ids that are not ids ('.', '..', '')" {
	for id in . .. '' 'a/b' '../../v1/validate'; do
		run --separate-stderr ddci-dora delete deployment "$id"
		[ "$status" -eq 2 ]
		run --separate-stderr ddci-dora get failure "$id"
		[ "$status" -eq 2 ]
	done
	[ "$(fake_requests /api/)" -eq 0 ]
}

@test "findings 6 and 7: Markdown stays a table; JUnit, JSON, HTML and Markdown are valid UTF-8 without U+FFFE" {
	export GITHUB_STEP_SUMMARY="$T/summary"
	k='suiteA\\r\\r## \xe2\x9c\x85 passed\\r\\r<img src=https://e.example/b> [Re-run](https://e.example/r) <script>alert(1)</script> \xff\xfe \xef\xbf\xbe \xed\xa0\x80 %%%%{init: {}}%%%%'
	body=$(printf '{"data":{"buckets":[{"by":{"@test.suite":"'"$k"'","@test.status":"pass"},"computes":{"c0":90}},{"by":{"@test.suite":"'"$k"'","@test.status":"fail"},"computes":{"c0":10}}]},"meta":{"status":"done"}}')
	answer $AGG "$body"
	run --separate-stderr ddci-failrate-gate --max-failure-rate 5 --group-by @test.suite --output json \
		--markdown "$T/r.md" --junit "$T/r.xml" --html "$T/r.html"
	[ "$status" -eq 1 ]
	printf '%s' "$output" >"$T/out.json"
	python3 - "$T/r.md" "$T/r.xml" "$T/r.html" "$T/out.json" "$T/summary" <<'PY'
import json, sys, xml.dom.minidom
for p in sys.argv[1:]:
    t = open(p, 'rb').read().decode('utf-8')  # strict: raises on invalid UTF-8
    assert '\ufffe' not in t and '\uffff' not in t and '\r' not in t, p
xml.dom.minidom.parse(sys.argv[2])
json.loads(open(sys.argv[4]).read())
PY
	for md in "$T/r.md" "$T/summary"; do
		[ "$(grep -c '^## ' "$md")" -eq 1 ]           # only the title is a heading
		! grep -q '<img\|<script' "$md"
		grep -q '\\\[Re-run\\\](https' "$md"           # the link is text
		! sed -n '/^```mermaid/,/^```$/p' "$md" | grep '%%' | grep -vq '^%%{init: {"theme": "base"'
		# outside the Mermaid blocks the name is only ever inside a table row
		! sed '/^```mermaid/,/^```$/d' "$md" | grep 'suiteA' | grep -vq '^| '
		[ "$(sed '/^```mermaid/,/^```$/d' "$md" | grep -c 'suiteA')" -ge 2 ]
	done
	! grep -q '<img\|<script' "$T/r.html"
}

@test "finding 10: a 31 MB answer of tiny values is refused before it is parsed; peak RSS within 64 MiB" {
	# a JSON string in the fault is sent as the body text itself
	python3 -c '
import json, sys
n = (31 << 20) // 2 - 16
body = "{\"data\":[" + ",".join(["0"] * n) + "]}"
print(json.dumps({"faults": [{"path": "/api/v2/ci/tests/events", "action": "status", "status": 200, "count": 2,
                              "body": body}]}))' >"$T/faults.json"
	[ "$(stat -c %s "$T/faults.json")" -gt 31000000 ]
	curl -sS --fail -X POST -H 'Content-Type: application/json' --data-binary @"$T/faults.json" \
		"$FAKE_URL/_fake/faults" >/dev/null
	run --separate-stderr ddci-tests list --from now-1d --retries 0
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"too large to read"* ]]
	# peak RSS, measured on a build without sanitizers when there is one
	rel="$DDCI_ROOT/build/rel/bin/ddci-tests"
	if [ -x "$rel" ] && [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$T/rss" "$rel" list --from now-1d --retries 0 >/dev/null 2>&1 || true
		echo "# peak RSS $(tail -n 1 "$T/rss") KiB" >&3
		[ "$(tail -n 1 "$T/rss")" -le 65536 ]
	fi
}

@test "finding 11: with http_proxy and ALL_PROXY set, a loopback plain-http request goes straight to the server" {
	# port 1 on loopback refuses connections: a request through the proxy fails
	export http_proxy=http://127.0.0.1:1 HTTP_PROXY=http://127.0.0.1:1 ALL_PROXY=http://127.0.0.1:1 all_proxy=http://127.0.0.1:1
	unset NO_PROXY no_proxy
	run --separate-stderr ddci-deploy --service shop --no-git --started-at now-1m --retries 0
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(fake_requests /api/v2/dora/deployment)" -eq 1 ]
}

@test "finding 12: --verbose redacts a server-echoed request id holding the key, and sanitises it" {
	# A server of our own: the fake always sends its own request id first.
	python3 - "$T/port" "$FAKE_API_KEY" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"data":{"id":"0123456789abcdef","type":"dora_deployment"}}'
        self.send_response(200)
        self.send_header("X-Request-Id", "id-" + sys.argv[2] + "-\x1b[2J")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.handle_request()
PY
	own=$!
	for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
	ddci-deploy --service shop --no-git --started-at now-1m --verbose --retries 0 \
		--api-url "http://127.0.0.1:$(cat "$T/port")" >"$T/o" 2>"$T/e" || true
	kill "$own" 2>/dev/null || true
	wait "$own" 2>/dev/null || true
	cat "$T/e"
	grep -q '^< 200.*request id id-\*\*\*' "$T/e"
	! grep -q "$FAKE_API_KEY" "$T/o" "$T/e"
	log_safe "$T/o" "$T/e"
}

@test "finding 12: DD_API_KEY_FILE that is a FIFO or a directory is refused at once (exit 2)" {
	mkfifo "$T/fifo"
	unset DD_API_KEY
	for f in "$T/fifo" "$T"; do
		DD_API_KEY_FILE="$f" run --separate-stderr timeout 20 ddci-deploy --service shop --no-git --started-at now-1m
		[ "$status" -eq 2 ]
		[[ "$stderr" == *"DD_API_KEY_FILE"*"not a regular file"* ]]
	done
	[ "$(fake_requests /api/)" -eq 0 ]
}

@test "finding 12: a symlink or file planted at a report path's temp name is never written through" {
	answer $AGG "$(buckets "S:pass:100" "S:fail:1")"
	echo keep >"$T/target"
	ln -s "$T/target" "$T/r.xml"
	run --separate-stderr ddci-failrate-gate --max-failure-rate 50 --junit "$T/r.xml"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/target")" = keep ]
	[ -f "$T/r.xml" ] && [ ! -L "$T/r.xml" ]
	grep -q '<testsuites' "$T/r.xml"
	[ -z "$(find "$T" -maxdepth 1 -name 'r.xml.*')" ] # no temp file left
}

@test "finding 12: ddci-tests converts doubles to integers only in range (durations, aggregate values)" {
	body='{"data":[{"id":"e1","type":"citest","attributes":{"test_level":"test","attributes":{"duration":1e19,
		"test":{"name":"t","status":"pass","service":"s"}}}},{"id":"e2","type":"citest","attributes":{"attributes":
		{"duration":1e999,"test":{"name":"u"}}}}],"meta":{"page":{}}}'
	answer /api/v2/ci/tests/events "$body"
	run --separate-stderr ddci-tests list --from now-1d --output table
	[ "$status" -eq 0 ]
	answer $AGG '{"data":{"buckets":[{"by":{"@test.suite":"a"},"computes":{"c0":1e19}},{"by":{"@test.suite":"b"},"computes":{"c0":1e999}},{"by":{"@test.suite":"c"},"computes":{"c0":-9.3e18}}]},"meta":{"status":"done"}}'
	run --separate-stderr ddci-tests aggregate --group-by @test.suite
	[ "$status" -eq 0 ]
	[[ "$output" == *"1e+19"* ]]
}
