#!/usr/bin/env bash
# tests/bench/run.sh — `make bench`: ddci against the alternatives, side by
# side in one run, on this machine.  Writes bench/results.md and prints it.
# BENCH_RUNS=N sets the repetitions (default 15), BENCH_RUNS_LONG those of
# the long scenarios (default 3).  Scenarios 2-6: tests/bench/scenario-*.sh.
# BENCH_ONLY="1 4" runs only those scenarios (for working on one; the
# results file then holds only them).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD="${BUILD:-build/rel}"
BIN="$ROOT/$BUILD/bin"
FAKE="$ROOT/$BUILD/fake-datadog"
RUNS="${BENCH_RUNS:-15}"
# shellcheck disable=SC2034 # used by the scenarios
LONG_RUNS="${BENCH_RUNS_LONG:-3}"
export BENCH_WORK="$ROOT/bench/work"
rm -rf "$BENCH_WORK"
mkdir -p "$BENCH_WORK" "$ROOT/bench"
. tests/bench/lib.sh
# want N — whether scenario N is to run
want() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }

export DD_API_KEY=fakeapikey0000000000000000000000 DD_APP_KEY=fakeappkey000000000000000000000000000000
unset SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE DDCI_API_URL DD_SITE DATADOG_SITE

# --- what ddci is compared against: datadog-ci from npm, cached outside the repo
CACHE="${DDCI_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ddci-bench}"
DATADOG_CI="$CACHE/node_modules/.bin/datadog-ci"
if [ ! -x "$DATADOG_CI" ]; then
	echo "bench: installing @datadog/datadog-ci into $CACHE" >&2
	mkdir -p "$CACHE"
	[ -f "$CACHE/package.json" ] || echo '{"name":"ddci-bench-cache","private":true}' >"$CACHE/package.json"
	(cd "$CACHE" && npm install --no-audit --no-fund --loglevel=error @datadog/datadog-ci >&2)
fi
for t in jq hyperfine node curl git openssl; do
	command -v "$t" >/dev/null || { echo "bench: '$t' is missing (make bench installs it as root: tests/deps.sh bench)" >&2; exit 1; }
done

# --- a test CA and a server certificate for 127.0.0.1 -----------------------
W=$BENCH_WORK
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ddci bench CA" \
	-keyout "$W/ca.key" -out "$W/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$W/srv.key" -out "$W/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:api.localhost\n' >"$W/san.ext"
openssl x509 -req -in "$W/srv.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial -days 2 \
	-extfile "$W/san.ext" -out "$W/srv.pem" 2>/dev/null
# The system bundle plus the test CA: what a default curl step loads.
cat /etc/ssl/certs/ca-certificates.crt "$W/ca.pem" >"$W/system-plus-test.pem"
# A hashed CA directory holding the test CA: what ddci uses by default (the
# system's /etc/ssl/certs is one), OpenSSL looking issuers up on demand.
mkdir -p "$W/certs"
cp "$W/ca.pem" "$W/certs/bench-ca.pem"
openssl rehash "$W/certs" 2>/dev/null || c_rehash "$W/certs" >/dev/null
# datadog-ci sends to https://api.<site>: api.localhost, resolved to loopback
# by a 10-line preload (Node's resolver knows no *.localhost).
cat >"$W/dns-localhost.js" <<'JS'
const dns = require("dns");
const lookup = dns.lookup;
dns.lookup = function (host, opts, cb) {
	if (host !== "api.localhost") return lookup.apply(this, arguments);
	if (typeof opts === "function") { cb = opts; opts = {}; }
	if (opts && opts.all) return process.nextTick(cb, null, [{ address: "127.0.0.1", family: 4 }]);
	return process.nextTick(cb, null, "127.0.0.1", 4);
};
JS

# start_fake NAME ARGS... — a fake Datadog over TLS; sets URL and PORT
FAKE_PIDS=()
start_fake() {
	local name="$1"
	shift
	rm -f "$W/$name.port"
	"$FAKE" --port 0 --port-file "$W/$name.port" --tls-cert "$W/srv.pem" --tls-key "$W/srv.key" "$@" \
		>"$W/$name.out" 2>&1 &
	FAKE_PIDS+=("$!")
	for _ in $(seq 600); do [ -s "$W/$name.port" ] && break; sleep 0.05; done
	PORT=$(cat "$W/$name.port")
	URL="https://127.0.0.1:$PORT"
}
stop_fakes() {
	for p in "${FAKE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${FAKE_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	FAKE_PIDS=()
}
trap stop_fakes EXIT
start_fake fake

# --- a repository to deploy from ---------------------------------------------
git init -q -b main "$W/repo"
git -C "$W/repo" -c user.name=b -c user.email=b@x commit -q --allow-empty -m one
git -C "$W/repo" remote add origin https://github.com/acme/shop.git
cc -O2 -std=c11 -D_GNU_SOURCE -o "$W/measure" tests/bench/measure.c
export MEASURE="$W/measure"
# shellcheck disable=SC2046
cc -O2 -o "$W/floor" tests/bench/floor.c $(pkg-config --cflags --libs libgit2 libcjson libcurl)

now=$(date +%s)
BODY="$W/body.json"
printf '{"data":{"attributes":{"service":"shop","env":"prod","started_at":%s000000000,"finished_at":%s000000000,"git":{"commit_sha":"%s","repository_url":"https://github.com/acme/shop.git"}}}}' \
	"$now" "$now" "$(git -C "$W/repo" rev-parse HEAD)" >"$BODY"
CURL_ARGS="-sS -o /dev/null -X POST -H Content-Type:application/json -H DD-API-KEY:$DD_API_KEY --data-binary @$BODY $URL/api/v2/dora/deployment"
DEPLOY_ARGS="--api-url $URL --service shop --env prod --started-at now"

cd "$W/repo"
want 1 && echo "bench: 1. one deployment event, $RUNS runs each, interleaved" >&2
want 1 && compare "$RUNS" \
	ddci "env SSL_CERT_DIR=$W/certs $BIN/ddci-deploy $DEPLOY_ARGS" \
	ddci_file "$BIN/ddci-deploy --ca-bundle $W/ca.pem $DEPLOY_ARGS" \
	floor "$W/floor $URL/api/v2/dora/deployment $W/certs" \
	floor_file "$W/floor $URL/api/v2/dora/deployment $W/ca.pem" \
	curl_ca "curl --cacert $W/ca.pem $CURL_ARGS" \
	curl_sys "curl --cacert $W/system-plus-test.pem $CURL_ARGS" \
	datadog_ci "env DATADOG_SITE=localhost:$PORT NODE_EXTRA_CA_CERTS=$W/ca.pem NODE_OPTIONS=--require=$W/dns-localhost.js DD_API_KEY=$DD_API_KEY $DATADOG_CI dora deployment --service shop --env prod --started-at $now"
cd "$ROOT"

{
	echo "# ddci benchmarks"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/model name/ { $1 = $2 = $3 = ""; print; exit }' /proc/cpuinfo | sed 's/^ *//'), $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
	echo "$("$BIN/ddci-deploy" --version | tail -n 1); curl $(curl --version | head -n 1 | cut -d' ' -f2); datadog-ci $("$DATADOG_CI" version 2>/dev/null | tr -d v) on Node $(node --version | tr -d v); jq $(jq --version | tr -d 'jq-'); git $(git --version | cut -d' ' -f3)."
	echo "Medians of $RUNS interleaved runs (scenarios 2 and 5: $LONG_RUNS) of whole processes, measured with wait4 (user+sys CPU of the process and its children, wall, peak RSS);"
	echo "ratios are CPU time against the first row of each table, in the same run. Absolute numbers vary between machines; the ratios are what we hold."
	echo
	if want 1; then
	echo "## 1. One deployment event (POST /api/v2/dora/deployment over TLS to the fake Datadog on loopback)"
	echo
	echo "| client | CPU ms | wall ms | peak RSS MiB | CPU / ddci |"
	echo "|---|---|---|---|---|"
	row ddci "ddci-deploy, default CA lookup (SSL_CERT_DIR: hashed directory with the test CA)" ddci
	row ddci_file "ddci-deploy --ca-bundle test CA file" ddci
	row floor "floor: minimal C client, libgit2 + cJSON + libcurl, same hashed CA directory" ddci
	row floor_file "floor with the test CA file" ddci
	row curl_ca "curl --cacert test CA, same body (no git)" ddci
	row curl_sys "curl with the system bundle (+ test CA): a default curl step (no git)" ddci
	row datadog_ci "datadog-ci dora deployment (Node; reads git with the git CLI)" ddci
	echo
	target_line "ddci-deploy ≥30× less CPU than datadog-ci" "$(cpu_of datadog_ci) / $(cpu_of ddci) >= 30"
	target_line "ddci-deploy less CPU than a default curl step" "$(cpu_of ddci) < $(cpu_of curl_sys)"
	target_line "ddci-deploy --ca-bundle ≤2× the CPU of curl with the same CA" "$(cpu_of ddci_file) <= 2 * $(cpu_of curl_ca)"
	target_line "ddci-deploy within 1.2× of the floor (default CA path)" "$(cpu_of ddci) <= 1.2 * $(cpu_of floor)"
	target_line "ddci-deploy peak RSS ≤16 MiB" "$(rss_of ddci) <= 16 * 1024"
	echo
	fi
	for f in tests/bench/scenario-*.sh; do
		n=${f##*/scenario-}
		# shellcheck disable=SC1090
		[ -f "$f" ] && want "${n%%-*}" && . "$f"
	done
} >bench/results.md
cat bench/results.md
