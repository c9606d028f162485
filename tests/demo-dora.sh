# tests/demo-dora.sh — the DORA part of `make demo`, sourced by tests/demo.sh
# with W, BIN, DDCI_API_URL and V1 set, v1 already deployed, and the demo
# repository as the current directory.  Deploy v2, an incident, v2 marked as
# a change failure remediated by a rollback to v1 (type read from git), and
# the four DORA figures.

command -v say >/dev/null || say() { printf '\n== %s\n' "$*"; }
command -v run >/dev/null || run() { printf '$ %s\n' "$*"; "$@"; }

say "Deploy v2 (it breaks checkout)"
echo v2 >>app.txt && git commit -qam "v2: new checkout"
V2=$(git rev-parse HEAD)
run ddci-deploy --service shop --env prod --started-at now-2m --service-version v2

say "An incident on shop in prod"
INCIDENT_START=$(date +%s)
run ddci-incident --name "checkout returns 500" --severity High --service shop --env prod \
	--started-at "$INCIDENT_START"

say "Roll back: deploy v1 again"
git checkout -q "$V1"
run ddci-deploy --service shop --env prod --started-at now --service-version v1

say "Mark v2 as a change failure remediated by the rollback (type read from git history)"
run ddci-change-failure --last --service shop --env prod --remediated-by-current
jq -c 'select(.method == "PATCH") | {method, path, body}' "$W/fake.log" | tail -n 1 | jq .

say "The incident is over (same id: the event is updated, not doubled)"
run ddci-incident --name "checkout returns 500" --severity High --service shop --env prod \
	--started-at "$INCIDENT_START" --finished-at now

say "What Datadog holds"
run ddci-dora list deployments --query 'service:shop env:prod'
run ddci-dora list failures

say "The four DORA figures for the last hour"
git checkout -q main
run ddci-dora report --service shop --env prod --from now-1h
: "$V2"
