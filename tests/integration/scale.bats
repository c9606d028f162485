#!/usr/bin/env bats
# Many pipelines sharing one organisation's rate limit (issue 9), small:
# 26 ddci-deploy and 14 ddci-flaky-gate processes released at once against a
# fake Datadog allowing 10 requests per second per endpoint family.  Asserts
# correctness only (everyone served exactly once, a bounded number of
# requests), never timing: this runs under ASan on loaded machines.  The full
# size with its figures is in `make bench` (tests/bench/scenario-scale.sh).

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	T=$(mktemp -d)
}
teardown() {
	rm -rf "$T"
}

@test "40 processes under a 10/1 s limit: all served once, no retry storm" {
	SCALE_NO_BASELINE=1 run --separate-stderr "$DDCI_ROOT/tests/bench/scale.sh" "$DDCI_BIN" "$DDCI_FAKE" "$T" 26 14 2 10 1 240
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	. "$T/scale.env"
	echo "$stderr" >&2
	[ "$failed" -eq 0 ]
	[ "$ok" -eq 40 ]
	# Each deployment stored once, each POST answered 200 once: no duplicates.
	[ "$deploy_stored" -eq 26 ]
	[ "$deploy_posts_ok" -eq 26 ]
	# Each gate read its two pages once (a 429 resumes at the same cursor).
	[ "$gate_pages_ok" -eq 28 ]
	[ "$needed" -eq 54 ]
	# No storm: the first burst (40) plus at most a few retries each.
	[ "$requests" -le $((needed * 4)) ]
	# Past the first window, requests per window stay near the limit.
	[ "$peak_after_first" -le 40 ]
}
