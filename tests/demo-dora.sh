# tests/demo-dora.sh — the DORA part of `make demo`, sourced by tests/demo.sh
# with W, BIN, DDCI_API_URL and V1 set, v1 already deployed, and the demo
# repository as the current directory.  Deploy v2, an incident, v2 marked as
# a change failure remediated by a rollback to v1 (type read from git), and
# the four DORA figures; then a month of another service, whose report is
# written as Markdown (with Mermaid charts) and HTML (added to DEMO_REPORTS).

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

say "A month of another service: catalog deploys twice a week; one deployment failed and was rolled back"
for d in 27 24 20 17 13 10 6 3 1; do
	when=$(($(date +%s) - d * 86400))
	commit_at=$((when - 3600 * (2 + d % 5)))
	GIT_AUTHOR_DATE="@$commit_at +0000" GIT_COMMITTER_DATE="@$commit_at +0000" \
		git commit -q --allow-empty -m "catalog: change of $d days ago"
	id=$(ddci-deploy --service catalog --env prod --started-at "$when" --finished-at "$((when + 600))" \
		--service-version "c$d")
	case $d in
	13) GOOD=$(git rev-parse HEAD) ;;
	10) # this one breaks: roll back to the version of 13 days ago, 3 hours later
		git checkout -q "$GOOD"
		fix=$(ddci-deploy --service catalog --env prod --started-at "$((when + 10800))" \
			--finished-at "$((when + 11400))" --service-version c13)
		git checkout -q main
		ddci-change-failure --deployment-id "$id" --remediation-id "$fix" --remediation-type rollback >/dev/null ;;
	esac
done
echo "(10 deployments over 27 days; the one of 10 days ago is a change failure, rolled back 3 hours later)"
run ddci-dora report --service catalog --env prod --from now-30d --markdown "$W/dora.md" --html "$W/dora.html"
DEMO_REPORTS="${DEMO_REPORTS:-}$W/dora.html	DORA report of catalog over 30 days: deployments per week, lead time, change failure rate (failures in red), time to restore
$W/dora.md	the same as Markdown with Mermaid charts
"
say "The DORA report's Markdown, with its Mermaid charts ($W/dora.md; GitHub and GitLab draw them)"
sed -n '1,/^### Lead time/p' "$W/dora.md" | sed '$d'
