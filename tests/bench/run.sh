#!/usr/bin/env bash
# tests/bench/run.sh — `make bench`: ddci against the alternatives, side by
# side in one run, on this machine.  Writes bench/results.md and prints it.
# BENCH_RUNS=N sets the repetitions (default 15).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD="${BUILD:-build/rel}"
BIN="$ROOT/$BUILD/bin"
FAKE="$ROOT/$BUILD/fake-datadog"
RUNS="${BENCH_RUNS:-15}"
export BENCH_WORK="$ROOT/bench/work"
rm -rf "$BENCH_WORK"
mkdir -p "$BENCH_WORK" "$ROOT/bench"
. tests/bench/lib.sh

export DD_API_KEY=fakeapikey0000000000000000000000 DD_APP_KEY=fakeappkey000000000000000000000000000000

# --- a test CA and a server certificate for 127.0.0.1 -----------------------
W=$BENCH_WORK
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ddci bench CA" \
	-keyout "$W/ca.key" -out "$W/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$W/srv.key" -out "$W/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$W/san.ext"
openssl x509 -req -in "$W/srv.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial -days 2 \
	-extfile "$W/san.ext" -out "$W/srv.pem" 2>/dev/null
# The system bundle plus the test CA: what a default curl step loads.
cat /etc/ssl/certs/ca-certificates.crt "$W/ca.pem" >"$W/system-plus-test.pem"

"$FAKE" --port 0 --port-file "$W/port" --tls-cert "$W/srv.pem" --tls-key "$W/srv.key" >"$W/fake.out" 2>&1 &
FAKE_PID=$!
trap 'kill $FAKE_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
URL="https://127.0.0.1:$(cat "$W/port")"

# --- a repository to deploy from ---------------------------------------------
git init -q -b main "$W/repo"
git -C "$W/repo" -c user.name=b -c user.email=b@x commit -q --allow-empty -m one
git -C "$W/repo" remote add origin https://github.com/acme/shop.git
cc -O2 -o "$W/floor" tests/bench/floor.c $(pkg-config --cflags --libs libgit2 libcjson libcurl)

now=$(date +%s)
BODY="$W/body.json"
printf '{"data":{"attributes":{"service":"shop","env":"prod","started_at":%s000000000,"finished_at":%s000000000,"git":{"commit_sha":"%s","repository_url":"https://github.com/acme/shop.git"}}}}' \
	"$now" "$now" "$(git -C "$W/repo" rev-parse HEAD)" >"$BODY"
CURL_ARGS="-sS -o /dev/null -X POST -H Content-Type:application/json -H DD-API-KEY:$DD_API_KEY --data-binary @$BODY $URL/api/v2/dora/deployment"

cd "$W/repo"
echo "bench: one deployment event, $RUNS runs each, interleaved" >&2
compare "$RUNS" \
	ddci "$BIN/ddci-deploy --api-url $URL --ca-bundle $W/ca.pem --service shop --env prod --started-at now" \
	floor "$W/floor $URL/api/v2/dora/deployment $W/ca.pem" \
	curl_ca "curl --cacert $W/ca.pem $CURL_ARGS" \
	curl_sys "curl --cacert $W/system-plus-test.pem $CURL_ARGS"
cd "$ROOT"

{
	echo "# ddci benchmarks"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/model name/ { $1 = $2 = $3 = ""; print; exit }' /proc/cpuinfo | sed 's/^ *//'), $(uname -sr)."
	echo "$("$BIN/ddci-deploy" --version | tail -n 1); curl $(curl --version | head -n 1 | cut -d' ' -f2)."
	echo "Medians of $RUNS interleaved runs (whole processes, /usr/bin/time); ratios are CPU time against ddci in the same run."
	echo
	echo "## 1. One deployment event (POST /api/v2/dora/deployment over TLS to the fake Datadog on loopback)"
	echo
	echo "| client | CPU ms | wall ms | peak RSS MiB | CPU / ddci |"
	echo "|---|---|---|---|---|"
	row ddci "ddci-deploy (libgit2 HEAD + origin, --ca-bundle test CA)" ddci
	row floor "minimal C client, same libraries, same CA (the floor)" ddci
	row curl_ca "curl --cacert test CA, same body" ddci
	row curl_sys "curl with the system bundle (+ test CA), a default curl step" ddci
	echo
	for f in tests/bench/scenario-*.sh; do
		[ -f "$f" ] && . "$f"
	done
} >bench/results.md
cat bench/results.md
