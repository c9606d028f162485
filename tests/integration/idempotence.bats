#!/usr/bin/env bats
# Re-runs and reporters (issue 21): a retried deploy step records one
# deployment, the start time comes from every CI that has one, --no-fail
# never hides a misconfiguration, --remediates failing after the send exits
# 3/4 and says how to finish.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup() {
	ddci_setup_repo
}
teardown() { ddci_teardown; }

deployments() { fake_get /_fake/state | jq '.deployments | length'; }
# started_at of the last deployment sent, as written (jq would round it)
last_started() { grep '"/api/v2/dora/deployment"' "$FAKE_LOG" | tail -n 1 | grep -o '"started_at":[0-9]*' | cut -d: -f2; }

@test "finding 5: a retried GitHub step with a relative start time records one deployment" {
	export GITHUB_ACTIONS=true GITHUB_RUN_ID=4242 GITHUB_JOB=deploy GITHUB_RUN_ATTEMPT=1
	export GITHUB_REPOSITORY=acme/shop GITHUB_SERVER_URL=https://github.com
	id1=$(ddci-deploy --service shop --env prod --started-at now-5m)
	sleep 1 # the retry comes a second or more later: now-5m is another time
	GITHUB_RUN_ATTEMPT=2 id2=$(ddci-deploy --service shop --env prod --started-at now-5m)
	[ "$id1" = "$id2" ]
	[ "$(deployments)" -eq 1 ]
	# another job of the same run is another deployment
	GITHUB_JOB=deploy-eu id3=$(ddci-deploy --service shop --env prod --started-at now-5m)
	[ "$id3" != "$id1" ]
	[ "$(deployments)" -eq 2 ]
}

@test "finding 5: GitLab retries (new CI_JOB_ID, same pipeline and job name) and Jenkins re-runs are one deployment" {
	export GITLAB_CI=true CI_PIPELINE_ID=77 CI_JOB_NAME=deploy CI_JOB_ID=1
	id1=$(ddci-deploy --service shop --env prod --started-at now-10m)
	sleep 1
	id2=$(CI_JOB_ID=2 ddci-deploy --service shop --env prod --started-at now-10m)
	[ "$id1" = "$id2" ]
	unset GITLAB_CI
	export JENKINS_URL=http://jenkins BUILD_TAG=jenkins-shop-12
	id3=$(ddci-deploy --service shop --env prod --started-at now-10m)
	sleep 1
	id4=$(ddci-deploy --service shop --env prod --started-at now-10m)
	[ "$id3" = "$id4" ]
	[ "$id3" != "$id1" ]
	[ "$(deployments)" -eq 2 ]
}

@test "finding 5: a retried incident step with a relative start time records one incident" {
	incidents() { fake_get /_fake/state | jq '.failures | length'; }
	export GITHUB_ACTIONS=true GITHUB_RUN_ID=4242 GITHUB_JOB=on-failure GITHUB_RUN_ATTEMPT=1
	export GITHUB_REPOSITORY=acme/shop GITHUB_SERVER_URL=https://github.com
	id1=$(ddci-incident --name 'checkout down' --service shop --env prod --started-at now-20m)
	sleep 1 # the retry comes a second or more later: now-20m is another time
	GITHUB_RUN_ATTEMPT=2 id2=$(ddci-incident --name 'checkout down' --service shop --env prod --started-at now-20m)
	[ "$id1" = "$id2" ]
	[ "$(incidents)" -eq 1 ]
	# --no-git still knows the job
	id3=$(ddci-incident --name 'checkout down' --service shop --env prod --started-at now-20m --no-git)
	[ "$id3" = "$id1" ]
	# another job is another incident; outside CI an absolute start tells them apart
	GITHUB_JOB=other id4=$(ddci-incident --name 'checkout down' --service shop --env prod --started-at now-20m)
	[ "$id4" != "$id1" ]
	unset GITHUB_ACTIONS GITHUB_RUN_ID GITHUB_JOB
	ddci-incident --name 'checkout down' --service shop --started-at 1700000000 >/dev/null
	ddci-incident --name 'checkout down' --service shop --started-at 1700001000 >/dev/null
	[ "$(incidents)" -eq 4 ]
}

@test "finding 5: outside CI a relative start time does not make a second deployment" {
	ddci-deploy --service shop --env prod --started-at now-5m >/dev/null
	sleep 1
	ddci-deploy --service shop --env prod --started-at now-5m >/dev/null
	[ "$(deployments)" -eq 1 ]
	# absolute start times still tell deployments of one commit apart
	ddci-deploy --service shop --env prod --started-at 1700000000 >/dev/null
	ddci-deploy --service shop --env prod --started-at 1700001000 >/dev/null
	[ "$(deployments)" -eq 3 ]
}

@test "finding 6: --remediates auto failing after the send exits 4, says what was sent and how to finish" {
	run --separate-stderr ddci-deploy --service shop --env prod --started-at now-5m --remediates auto
	[ "$status" -eq 4 ]
	[ "$(deployments)" -eq 1 ]
	id=$(fake_get /_fake/state | jq -r '.deployments[0].id')
	[[ "$stderr" == *"deployment $id was sent"* ]]
	[[ "$stderr" == *"ddci-change-failure --deployment-id FAILED_ID --remediation-id $id"* ]]
	[[ "$stderr" != *"pass --remediation-type"* ]]
	# Datadog unreachable for the change failure: exit 3
	fake_faults '[{"path":"/api/v2/dora/deployments","action":"status","status":503,"count":-1}]'
	run --separate-stderr ddci-deploy --service shop --env prod --started-at 1700000000 --remediates auto --retries 0
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"was sent"* ]]
}

@test "finding 7: --no-fail never hides a usage error (exit 2)" {
	run --separate-stderr ddci-deploy --env prod --started-at now --no-fail
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--service"* ]]
	run --separate-stderr ddci-deploy --service shop --started-at garbage --no-fail
	[ "$status" -eq 2 ]
	run --separate-stderr ddci-change-failure --no-fail
	[ "$status" -eq 2 ]
	[ "$(fake_requests)" -eq 0 ]
	# outages are still swallowed
	fake_faults '[{"path":"/api/v2/dora/deployment","action":"status","status":503,"count":-1}]'
	run --separate-stderr ddci-deploy --service shop --started-at now --no-fail --retries 0
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"--no-fail"* ]]
}

@test "finding 8: the start time comes from DDCI_JOB_STARTED_AT and each CI's own variable" {
	DDCI_JOB_STARTED_AT=1700000000 ddci-deploy --service shop >/dev/null
	[ "$(last_started)" = 1700000000000000000 ]
	GITHUB_ACTIONS=true GITHUB_RUN_ID=1 GITHUB_JOB=d DDCI_JOB_STARTED_AT=2023-11-14T22:13:20Z ddci-deploy --service shop >/dev/null
	[ "$(last_started)" = 1700000000000000000 ]
	BUILDKITE=true BUILDKITE_BUILD_ID=b BUILDKITE_STEP_ID=s BUILDKITE_BUILD_CREATED_AT=2023-11-14T22:13:21Z \
		ddci-deploy --service shop >/dev/null
	[ "$(last_started)" = 1700000001000000000 ]
	TF_BUILD=True BUILD_BUILDID=9 SYSTEM_JOBNAME=deploy SYSTEM_PIPELINESTARTTIME='2023-11-14 22:13:22+00:00' \
		ddci-deploy --service shop >/dev/null
	[ "$(last_started)" = 1700000002000000000 ]
	GITLAB_CI=true CI_JOB_STARTED_AT=2023-11-14T22:13:23Z CI_PIPELINE_CREATED_AT=2023-11-14T22:00:00Z \
		ddci-deploy --service shop >/dev/null
	[ "$(last_started)" = 1700000003000000000 ]
	# a bad DDCI_JOB_STARTED_AT is named
	run --separate-stderr env DDCI_JOB_STARTED_AT=yesterday ddci-deploy --service shop
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"DDCI_JOB_STARTED_AT"* ]]
}

@test "finding 8: where the CI gives no start time, the message says what to pass" {
	run --separate-stderr env GITHUB_ACTIONS=true ddci-deploy --service shop --env prod
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"GitHub Actions"*"--started-at"*"DDCI_JOB_STARTED_AT"* ]]
	run --separate-stderr ddci-deploy --service shop --env prod
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--started-at"*"DDCI_JOB_STARTED_AT"* ]]
	[ "$(fake_requests)" -eq 0 ]
}

@test "issue 18 finding 10: --no-git still takes the CI's start time and run identity" {
	export GITLAB_CI=true CI_JOB_STARTED_AT=2023-11-14T22:13:20Z CI_PIPELINE_ID=5 CI_JOB_NAME=deploy
	run --separate-stderr ddci-deploy --service shop --no-git
	[ "$status" -eq 0 ]
	body=$(last_body /api/v2/dora/deployment)
	[ "$(last_started)" = 1700000000000000000 ]
	[ "$(jq -r '.data.attributes.git // "none"' <<<"$body")" = none ]
}
