#!/bin/sh
# tests/fake-datadog/start.sh — `make fake`: the bundled fake Datadog on
# loopback with generated data (flaky tests, test events, a Synthetic test,
# cases), for trying ddci commands by hand.  Prints the variables to export
# in another shell and runs until Ctrl-C.
#   FAKE_BIN   the server (default build/rel/fake-datadog, built by `make fake`)
#   PORT       the port (default 8126; 0 picks a free one)
#   DDCI_FAKE_ONCE=1  print the variables and stop (for the tests)
set -eu
cd "$(dirname "$0")/../.."
bin="${FAKE_BIN:-build/rel/fake-datadog}"
port="${PORT:-8126}"
[ -n "${DDCI_FAKE_ONCE:-}" ] && port="${PORT:-0}"
if [ ! -x "$bin" ]; then
	echo "fake-datadog: $bin is not built; run 'make fake'" >&2
	exit 2
fi
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
"$bin" --port "$port" --port-file "$dir/port" --log "$dir/requests.jsonl" --flaky-generate 200 \
	--events-generate 5000 --synthetics-generate 12 --cases-generate 50 >"$dir/out" 2>&1 &
pid=$!
i=0
while [ ! -s "$dir/port" ]; do
	i=$((i + 1))
	if [ $i -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
		cat "$dir/out" >&2
		exit 1
	fi
	sleep 0.05
done
p=$(cat "$dir/port")
cat <<MSG
fake Datadog listening on http://127.0.0.1:$p (loopback only; Ctrl-C stops it). In another shell:

export DDCI_API_URL=http://127.0.0.1:$p
export DD_API_KEY=fakeapikey0000000000000000000000
export DD_APP_KEY=fakeappkey000000000000000000000000000000

then try, in a git repository:
  ddci-deploy --service shop --env prod --started-at now-5m
  ddci-dora list deployments
  ddci-flaky list --all-repositories --limit 5
  ddci-tests list --from now-7d --limit 3
  ddci-synthetics-history gen-abc-001 --limit 2
  ddci-cases count --group-by priority
Requests are logged to $dir/requests.jsonl.
MSG
[ -n "${DDCI_FAKE_ONCE:-}" ] && exit 0
wait "$pid"
