#!/usr/bin/env bash
# tests/demo.sh — `make demo`: the whole story against the bundled fake
# Datadog, in a throw-away repository.  Prints what each step sent and decided.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_ROOT=$PWD
BUILD="${BUILD:-build/rel}"
BIN="$PWD/$BUILD/bin"
FAKE="$PWD/$BUILD/fake-datadog"
W=$(mktemp -d /tmp/ddci-demo.XXXXXX)
trap 'kill "$FAKE_PID" 2>/dev/null || true; wait 2>/dev/null || true' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
sent() { # the body of the last request to a path, as the fake server received it
	jq -c --arg p "$1" 'select(.path | contains($p)) | {method, path, status, body}' "$W/fake.log" | tail -n 1 |
		jq .
}

"$FAKE" --port 0 --port-file "$W/port" --log "$W/fake.log" --flaky-generate 40 --events-generate 2000 --seed 7 \
	>"$W/fake.out" 2>&1 &
FAKE_PID=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
export DDCI_API_URL="http://127.0.0.1:$(cat "$W/port")"
export DD_API_KEY=fakeapikey0000000000000000000000 DD_APP_KEY=fakeappkey000000000000000000000000000000
export PATH="$BIN:$PATH"
export GIT_AUTHOR_NAME=Demo GIT_AUTHOR_EMAIL=demo@example.com GIT_COMMITTER_NAME=Demo GIT_COMMITTER_EMAIL=demo@example.com

say "A throw-away repository: $W/shop (origin has a password in its URL)"
git init -q -b main "$W/shop"
cd "$W/shop"
git remote add origin https://deployer:s3cr3t@github.com/acme/shop.git
echo v1 >app.txt && git add app.txt && git commit -qm "v1"
V1=$(git rev-parse HEAD)

say "Deploy v1"
run ddci-deploy --service shop --env prod --started-at now-10m --service-version v1
sent /api/v2/dora/deployment

for part in "$DEMO_ROOT/tests/demo-dora.sh" "$DEMO_ROOT/tests/demo-gates.sh"; do
	# shellcheck source=/dev/null
	[ -f "$part" ] && . "$part"
done

say "Done. Nothing printed above contains the remote's password or the keys."
