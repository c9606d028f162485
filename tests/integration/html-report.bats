#!/usr/bin/env bats
# Reports people look at: the gates' and `ddci-dora report`'s --markdown
# (Mermaid xychart-beta blocks, checked here by a small parser; the real
# mermaid-cli and the screenshots are in report-screens.bats) and --html (one self-contained page: checked for scripts,
# external references and well-formedness, then rendered in headless
# Chromium: a non-blank screenshot and no console errors).  Also: the
# failure-rate gate's trend costs one more request only when a chart is
# asked for, and a bad --html is refused before anything is sent.

bats_require_minimum_version 1.5.0
load '../lib/common'

# ddci_setup unsets CI; in CI the Chromium renders must run, not skip.
IN_CI=${CI:-}

setup() {
	ddci_setup_repo
}
teardown() { ddci_teardown; }

# Test runs of acme/shop over the last days, getting worse: CartTest 2% then
# 4%, SearchTest 12% (the demo's data).
load_runs() {
	fake_post /_fake/test-events "$(jq -nc '
	  def runs($suite; $n; $fail; $age_h):
	    [range(0; $n) as $i | {attributes:{timestamp:((now - $age_h * 3600 - $i * 60) * 1000 | floor),
	      attributes:{test:{status:(if $i < $fail then "fail" else "pass" end), suite:$suite, service:"shop"},
	        git:{repository_url:"https://github.com/acme/shop.git", branch:"main"}, env:"ci"}}}];
	  runs("CartTest"; 100; 2; 60) + runs("CartTest"; 100; 4; 30) + runs("SearchTest"; 100; 12; 5)')" >/dev/null
}

# Flaky tests of acme/shop: 12 active (first flaked over the last weeks), one quarantined.
load_flaky() {
	fake_post /_fake/flaky-tests "$(jq -nc '
	  [range(0; 12) as $i | {id:("f0000000000000" + ($i | tostring)), repository_id:"github.com/acme/shop",
	    branches:["main"], attributes:{name:("test_checkout_step_with_a_rather_long_name_" + ($i | tostring)),
	      suite:"CheckoutTest", module:"shop", flaky_state:"active",
	      first_flaked_ts:(now - $i * 4 * 86400 - 3600 | floor), first_flaked_sha:"0c6be03165b7f7ffe96e076ffb29afb2825616c3",
	      pipeline_stats:{failed_pipelines:$i, total_lost_time_ms:($i * 300000)},
	      test_stats:{failure_rate_pct:($i * 4.5)}}}]
	  + [{id:"fq", repository_id:"github.com/acme/shop", branches:["main"],
	      attributes:{name:"test_quarantined", suite:"S", flaky_state:"quarantined", test_stats:{failure_rate_pct:90}}}]')" >/dev/null
}

# mermaid_check FILE — prints the number of ```mermaid blocks; fails on one
# that Mermaid's xychart-beta grammar would not read: an optional
# %%{init}%% line, the header (optionally horizontal), an optional quoted
# title, an x-axis of N different quoted labels, a y-axis "label" MIN -->
# MAX, and bar/line series (optionally named) of exactly N numbers.  The
# real mermaid-cli renders them in report-screens.bats.
mermaid_check() {
	python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"^```mermaid\n(.*?)^```$", text, re.S | re.M)
if text.count("```mermaid") != len(blocks):
    sys.exit("unterminated mermaid block")
num = r"-?\d+(?:\.\d+)?"
for b in blocks:
    lines = [l.strip() for l in b.strip("\n").split("\n")]
    def bad(why):
        sys.exit("bad mermaid block (%s):\n%s" % (why, b))
    if lines[0].startswith("%%{init: "):
        if not lines[0].endswith("}%%"): bad("init")
        lines = lines[1:]
    if lines[0] not in ("xychart-beta", "xychart-beta horizontal"): bad("header")
    lines = lines[1:]
    if lines[0].startswith("title"):
        if not re.fullmatch(r'title "[^"\n]*"', lines[0]): bad("title")
        lines = lines[1:]
    m = re.fullmatch(r'x-axis \[("[^"]*"(?:, "[^"]*")*)\]', lines[0])
    if not m: bad("x-axis")
    labels = re.findall(r'"([^"]*)"', m.group(1))
    if len(set(labels)) != len(labels): bad("the same label twice")
    if not re.fullmatch(r'y-axis "[^"]*" %s --> %s' % (num, num), lines[1]): bad("y-axis")
    series = lines[2:]
    if not series: bad("no series")
    for s in series:
        m = re.fullmatch(r'(bar|line)(?: "[^"]*")? \[(%s(?:, %s)*)\]' % (num, num), s)
        if not m: bad("series " + s)
        if len(m.group(2).split(", ")) != len(labels): bad("%d labels, series %s" % (len(labels), s))
print(len(blocks))
PY
}

# html_check FILE — self-contained and well-formed: no script, no external
# reference, every element closed in order; prints the visible text.
html_check() {
	python3 - "$1" <<'PY'
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "wbr", "hr", "img", "link", "input", "line", "rect", "circle", "polyline", "path"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.text, self.errors = [], [], []
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "link", "img"):
            self.errors.append("<%s>" % tag)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href") or k.startswith("on"):
                self.errors.append("%s=%r" % (k, v))
            if v and ("url(" in v or "javascript:" in v):
                self.errors.append("%s=%r" % (k, v))
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
        else:
            self.stack.pop()
    def handle_data(self, d):
        if self.stack and self.stack[-1] not in ("style", "title"):
            self.text.append(d)
src = open(sys.argv[1], encoding="utf-8").read()
if not src.startswith("<!DOCTYPE html>"):
    sys.exit("no doctype")
if "@import" in src or "url(" in src or "http://" in src.replace("http://www.w3.org/2000/svg", "") or "https://" in src:
    sys.exit("external reference in the page")
p = P()
p.feed(src)
p.close()
if p.stack:
    p.errors.append("unclosed: %s" % p.stack)
if p.errors:
    sys.exit("; ".join(p.errors))
print(" ".join(" ".join(p.text).split()))
PY
}

chromium_bin() {
	local c
	for c in chromium chromium-browser google-chrome; do
		command -v "$c" && return 0
	done
	return 1
}

# render FILE — a phone-sized headless Chromium screenshot of FILE: the PNG
# must have content (not one colour) and the console no error.
render() {
	local chr
	if ! chr=$(chromium_bin); then
		[ -z "$IN_CI" ] || { echo "chromium is not installed (tests/deps.sh test installs it)" >&2; return 1; }
		skip "chromium is not installed (apt-get install chromium)"
	fi
	rm -f "$T/shot.png"
	timeout 60 "$chr" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking \
		--no-first-run --user-data-dir="$T/chr" --enable-logging=stderr --v=0 --window-size=412,900 \
		--screenshot="$T/shot.png" "file://$1" >"$T/chr.out" 2>"$T/chr.err" || { cat "$T/chr.err" >&2; return 1; }
	if grep -E 'CONSOLE|Uncaught|Refused to|net::ERR' "$T/chr.err" >&2; then
		echo "console errors rendering $1" >&2
		return 1
	fi
	python3 - "$T/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
assert w == 412, "width %d" % w
bpp = {2: 3, 6: 4}[ctype]
stride = w * bpp + 1
# Unfilter (PNG filters 0-4) and count colours.
prev, colours = bytearray(stride - 1), set()
for y in range(len(raw) // stride):
    f, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
    for i in range(len(line)):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 8 == 0:
        for x in range(0, w * bpp, bpp * 4):
            colours.add(bytes(line[x:x + 3]))
    prev = line
assert len(colours) >= 8, "the screenshot is (nearly) one colour: %d colours" % len(colours)
print("%d bytes, %d colours" % (len(data), len(colours)))
PY
}

@test "failure-rate gate: Markdown and HTML chart the trend; one more request only when a chart is asked for" {
	load_runs
	run --separate-stderr ddci-failrate-gate --max-failure-rate 5
	[ "$status" -eq 1 ]
	[ "$(fake_requests aggregate)" -eq 1 ]
	[[ "$output" != *"trend:"* ]]

	run --separate-stderr ddci-failrate-gate --max-failure-rate 5 --markdown "$T/fail.md" --html "$T/fail.html"
	[ "$status" -eq 1 ]
	[ "$(fake_requests aggregate)" -eq 3 ]
	[ "$(last_body aggregate | jq -r '.compute[0].type + " " + .compute[0].interval')" = "timeseries 1d" ]
	[ "$(mermaid_check "$T/fail.md")" -eq 1 ]
	grep -q '^\*\*Why:\*\* 6.00% failure rate, over the limit of 5.00% (`--max-failure-rate`)$' "$T/fail.md"
	grep -q '^### Failure rate over time$' "$T/fail.md"
	grep -q '^\*\*↗ Getting worse: ' "$T/fail.md" # bold: the gate failed
	grep -qE '^    line "limit 5%" \[5(, 5)+\]$' "$T/fail.md" # the threshold line, named
	grep -q '^| | failure rate | runs | failed |$' "$T/fail.md"
	text=$(html_check "$T/fail.html")
	[[ "$text" == "Test failure-rate gate Failed 6.00% failure rate, over the limit of 5.00% (--max-failure-rate)"* ]]
	[[ "$text" == *"↗ Getting worse"* ]]
	[ "$(grep -c '<svg class="chart' "$T/fail.html")" -eq 1 ]

	# per group: the rate of each group with the line, and the trend
	run --separate-stderr ddci-failrate-gate --max-failure-rate 10 --group-by @test.suite --markdown "$T/group.md" \
		--html "$T/group.html"
	[ "$status" -eq 1 ]
	[ "$(mermaid_check "$T/group.md")" -eq 2 ]
	grep -q '^    x-axis \["SearchTest", "CartTest"\]$' "$T/group.md"
	grep -q '^    bar "failure rate" \[12, 3\]$' "$T/group.md"
	grep -q '^xychart-beta horizontal$' "$T/group.md"
	html_check "$T/group.html" >/dev/null

	# passing, rendered
	run --separate-stderr ddci-failrate-gate --max-failure-rate 10 --markdown "$T/pass.md" --html "$T/pass.html"
	[ "$status" -eq 0 ]
	grep -q '^## ✅ Test failure-rate gate: passed$' "$T/pass.md"
	[[ "$(html_check "$T/pass.html")" == "Test failure-rate gate Passed 6.00% failure rate, limit 10.00%"* ]]
	render "$T/pass.html"
}

@test "failure-rate gate: the GitHub step summary carries the charts" {
	load_runs
	export GITHUB_STEP_SUMMARY="$T/summary.md" GITHUB_OUTPUT="$T/out"
	run --separate-stderr ddci-failrate-gate --max-failure-rate 5 --output json
	[ "$status" -eq 1 ]
	[ "$(fake_requests aggregate)" -eq 2 ]
	[ "$(jq -r .result <<<"$output")" = failed ] # stdout stays JSON
	[ "$(mermaid_check "$T/summary.md")" -eq 1 ]
	grep -q '^## ❌ Test failure-rate gate: failed$' "$T/summary.md"
}

@test "flaky gate: Markdown and HTML chart the worst tests, time lost and weeks first flaked" {
	load_flaky
	run --separate-stderr ddci-flaky-gate --all-branches --max-active 5 --max-failure-rate 25 \
		--markdown "$T/fail.md" --html "$T/fail.html"
	[ "$status" -eq 1 ]
	[ "$(fake_requests flaky-test-management)" -eq 1 ] # the charts cost no request
	[ "$(mermaid_check "$T/fail.md")" -eq 3 ]
	grep -q '^\*\*Why:\*\* 12 active flaky tests, over the limit of 5 (`--max-active`); 49.50% highest flaky test failure rate, over the limit of 25.00% (`--max-failure-rate`)$' "$T/fail.md"
	grep -q '^### Flakiest tests by failure rate$' "$T/fail.md"
	grep -q '^The 10 highest of 12; 6 are over the limit of 25%$' "$T/fail.md"
	grep -q '^    bar "failure rate" \[49.5, 45, 40.5, 36, 31.5, 27, 22.5, 18, 13.5, 9\]$' "$T/fail.md"
	grep -q '^    line "limit 25%" \[25, 25, 25, 25, 25, 25, 25, 25, 25, 25\]$' "$T/fail.md"
	grep -q '^### Pipeline time lost per flaky test$' "$T/fail.md"
	grep -q '^| 1 | test_checkout_step_with_a_rather_long_name_11 | 55m |$' "$T/fail.md" # human units
	grep -q '^### Active flaky tests by week first flaked$' "$T/fail.md"
	grep -q 'first flaked in the last 4 weeks' "$T/fail.md"
	# long names are shortened in the middle in the chart (the end tells them
	# apart), whole in its table
	grep -q '"test_checko…long_name_11", "test_checko…long_name_10"' "$T/fail.md"
	grep -q '^| 1 | test_checkout_step_with_a_rather_long_name_11 | 49.5% ✗ |$' "$T/fail.md"
	grep -q 'test_quarantined' "$T/fail.md" && false
	text=$(html_check "$T/fail.html")
	[[ "$text" == "Flaky test gate Failed 12 active flaky tests, over the limit of 5 (--max-active) 49.50% highest"* ]]
	[ "$(grep -c '<svg class="chart' "$T/fail.html")" -eq 3 ]
	render "$T/fail.html"

	run --separate-stderr ddci-flaky-gate --all-branches --max-active 20 --markdown "$T/pass.md" --html "$T/pass.html"
	[ "$status" -eq 0 ]
	[ "$(mermaid_check "$T/pass.md")" -eq 3 ]
	grep -q '^    bar "failure rate" \[49.5, 45' "$T/pass.md"
	grep -q '^    line "limit' "$T/pass.md" && false # no --max-failure-rate, no line
	grep -q '^\*\*↗' "$T/pass.md" && false # a passing gate's trend is not bold
	[[ "$(html_check "$T/pass.html")" == "Flaky test gate Passed 12 active flaky tests, limit 20 (--max-active)"* ]]
}

# The dora.bats fixture, in short: 4 deployments in the window, one a
# change failure rolled back 20 minutes later.
B=1700000000 # 2023-11-14T22:13:20Z
commit_at() {
	GIT_AUTHOR_DATE="@$3 +0000" GIT_COMMITTER_DATE="@$3 +0000" commit "$1" "$2"
	git -C "$1" rev-parse HEAD
}
deploy_at() {
	git checkout -q "$1"
	ddci-deploy --service shop --env prod --started-at "$2" --finished-at "$3"
}

@test "ddci-dora report: Markdown and HTML chart the four figures over the window" {
	c0=$(commit_at "$T/repo" c0 $((B - 10000)))
	c1=$(commit_at "$T/repo" c1 $((B + 1000)))
	c2=$(commit_at "$T/repo" c2 $((B + 2000)))
	c3=$(commit_at "$T/repo" c3 $((B + 10000)))
	c4=$(commit_at "$T/repo" c4 $((B + 30000)))
	deploy_at "$c0" $((B - 5000)) $((B - 4000)) >/dev/null
	deploy_at "$c2" $((B + 5000)) $((B + 5600)) >/dev/null
	D2=$(deploy_at "$c3" $((B + 20000)) $((B + 20400)))
	D3=$(deploy_at "$c2" $((B + 21000)) $((B + 21600)))
	ddci-change-failure --deployment-id "$D2" --remediation-id "$D3" >/dev/null
	deploy_at "$c4" $((B + 40000)) $((B + 40800)) >/dev/null
	git checkout -q "$c4"
	before=$(fake_requests)

	run --separate-stderr ddci-dora report --service shop --env prod --from $B --to $((B + 7 * 86400)) \
		--markdown "$T/dora.md" --html "$T/dora.html"
	[ "$status" -eq 0 ]
	[[ "$output" == *"4 deployments: 0.57/day, 4.00/week"* ]] # stdout unchanged
	[ "$(($(fake_requests) - before))" -eq 3 ]                 # deployments, failures, the one before: no more
	[ "$(mermaid_check "$T/dora.md")" -eq 4 ]
	grep -q '^\*\*4 deployments, change failure rate 25.0%\*\* — 2023-11-14 to 2023-11-21' "$T/dora.md"
	grep -q '^### Deployments per day$' "$T/dora.md"
	grep -q '^    x-axis \["Nov 14", "Nov 15", "Nov 16", "Nov 17", "Nov 18", "Nov 19", "Nov 20", "Nov 21"\]$' "$T/dora.md"
	grep -q '^    bar "deployments" \[1, 3, 0, 0, 0, 0, 0, 0\]$' "$T/dora.md"
	grep -q '^### Change failure rate per day$' "$T/dora.md"
	grep -q '^    bar "change failure rate" \[0, 33.33, 0, 0, 0, 0, 0, 0\]$' "$T/dora.md"
	grep -q '^### Time to restore per day (median)$' "$T/dora.md"
	grep -q '^| Nov 15 | 20m |$' "$T/dora.md"
	grep -q '^### Lead time for changes per day (median)$' "$T/dora.md"
	text=$(html_check "$T/dora.html")
	[[ "$text" == "DORA report: shop (prod) 4 deployments, change failure rate 25.0% 2023-11-14 to 2023-11-21:"* ]]
	[ "$(grep -c '<svg class="chart' "$T/dora.html")" -eq 4 ]
	render "$T/dora.html"

	# --output json is unchanged by the reports
	run --separate-stderr ddci-dora report --service shop --env prod --from $B --to $((B + 7 * 86400)) \
		--output json --html "$T/dora2.html"
	[ "$(jq .deployments <<<"$output")" -eq 4 ]
	[ -s "$T/dora2.html" ]
}

@test "a bad --html (or --markdown, --junit) exits 2 naming it, before anything is sent" {
	load_runs
	local cmd
	for cmd in "ddci-failrate-gate --max-failure-rate 5" "ddci-flaky-gate --max-active 0" \
		"ddci-dora report --service shop"; do
		for bad in "" "$T/no/such/dir/r.html" "$T"; do
			run --separate-stderr $cmd --html "$bad"
			[ "$status" -eq 2 ]
			[[ "$stderr" == *"invalid --html '$bad'"* ]]
			[ "$(wc -l <<<"$stderr")" -le 2 ]
		done
	done
	run --separate-stderr ddci-failrate-gate --max-failure-rate 5 --junit ''
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"invalid --junit ''"* ]]
	run --separate-stderr ddci-dora report --service shop --markdown "$T/no/such/dir/r.md"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"invalid --markdown"* ]]
	run --separate-stderr ddci-dora list deployments --html "$T/r.html"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--html is for report only"* ]]
	[ "$(fake_requests)" -eq 0 ]
	[ ! -e "$T/r.html" ]
}
