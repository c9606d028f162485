#!/usr/bin/env bats
# ddci-change-failure and ddci-deploy --remediates against the fake Datadog,
# with real rollbacks and roll-forwards in temporary repositories.

bats_require_minimum_version 1.5.0
load '../lib/common'

# v1 <- v2 (the failed one); deployed in that order.
setup() {
	ddci_setup_repo
	V1=$(git rev-parse HEAD)
	commit "$T/repo" "v2 breaks checkout"
	V2=$(git rev-parse HEAD)
	git checkout -q "$V1"
	D1=$(ddci-deploy --service shop --env prod --started-at 1700000000 --finished-at 1700000100)
	git checkout -q "$V2"
	D2=$(ddci-deploy --service shop --env prod --started-at 1700001000 --finished-at 1700001100)
}
teardown() { ddci_teardown; }

state_dep() { fake_get /_fake/state | jq -c --arg id "$1" '.deployments[] | select(.id == $id) | .attributes'; }

@test "by id: marks the change failure, no remediation" {
	run --separate-stderr ddci-change-failure --deployment-id "$D2"
	[ "$status" -eq 0 ]
	[[ "$output" == "$D2: change failure" ]]
	body=$(last_body "/api/v2/dora/deployments/$D2")
	[ "$(jq -r .data.type <<<"$body")" = dora_deployment_patch_request ]
	[ "$(jq -r .data.id <<<"$body")" = "$D2" ]
	[ "$(jq -c .data.attributes <<<"$body")" = '{"change_failure":true}' ]
	[ "$(state_dep "$D2" | jq .change_failure)" = true ]
	assert_no_secret "$output" "$stderr"
}

@test "a real rollback: redeploying v1 is inferred as rollback and explained" {
	git checkout -q "$V1"
	D3=$(ddci-deploy --service shop --env prod --started-at 1700002000 --finished-at 1700002100)
	run --separate-stderr ddci-change-failure --deployment-id "$D2" --remediation-id "$D3"
	[ "$status" -eq 0 ]
	[[ "$output" == *"rollback: ${V1:0:7} (remediation) is an ancestor of ${V2:0:7} (failed)"* ]]
	[ "$(state_dep "$D2" | jq -c .remediation)" = "{\"id\":\"$D3\",\"type\":\"rollback\"}" ]
}

@test "a real roll-forward: a fix on top of v2 is inferred as rollforward" {
	commit "$T/repo" "fix checkout"
	V3=$(git rev-parse HEAD)
	D3=$(ddci-deploy --service shop --env prod --started-at 1700002000 --finished-at 1700002100)
	run --separate-stderr ddci-change-failure --deployment-id "$D2" --remediation-id "$D3" --output json
	[ "$status" -eq 0 ]
	[ "$(jq -r .remediation_type <<<"$output")" = rollforward ]
	[ "$(jq -r .remediation_type_inferred <<<"$output")" = true ]
	[ "$(jq -r .reason <<<"$output")" = "rollforward: ${V3:0:7} (remediation) descends from ${V2:0:7} (failed)" ]
	[ "$(state_dep "$D2" | jq -r .remediation.type)" = rollforward ]
}

@test "--last with --remediated-by-current: the failure is the deployment before HEAD's" {
	git checkout -q "$V1"
	D3=$(ddci-deploy --service shop --env prod --started-at 1700002000 --finished-at 1700002100)
	run --separate-stderr ddci-change-failure --last --service shop --env prod --remediated-by-current
	[ "$status" -eq 0 ]
	[[ "$output" == "$D2: change failure, remediated by $D3 (rollback: "* ]]
	[ "$(state_dep "$D2" | jq -r .remediation.id)" = "$D3" ]
	[ "$(state_dep "$D3" | jq .change_failure)" = null ]
}

@test "--last picks the latest deployment of the service and env" {
	ddci-deploy --service other --env prod --started-at 1700009000 >/dev/null
	run ddci-change-failure --last --service shop --env prod
	[ "$status" -eq 0 ]
	[[ "$output" == "$D2: change failure" ]]
	jq -c 'select(.path == "/api/v2/dora/deployments") | .body' "$FAKE_LOG" | tail -n 1 | grep -q 'service:'
}

@test "--commit with a short sha finds the deployment of that commit" {
	run ddci-change-failure --commit "${V2:0:8}" --service shop --env prod
	[ "$status" -eq 0 ]
	[[ "$output" == "$D2: change failure" ]]
	run ddci-change-failure --commit "$V1"
	[ "$status" -eq 0 ]
	[[ "$output" == "$D1: change failure" ]]
}

@test "--commit of a commit never deployed exits 2" {
	commit "$T/repo" "never deployed"
	run --separate-stderr ddci-change-failure --commit HEAD --service shop
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no deployment found"* ]]
}

@test "an explicit --remediation-type is sent as given" {
	git checkout -q "$V1"
	D3=$(ddci-deploy --service shop --env prod --started-at 1700002000 --finished-at 1700002100)
	run ddci-change-failure --deployment-id "$D2" --remediation-id "$D3" --remediation-type rollforward
	[ "$status" -eq 0 ]
	[ "$(state_dep "$D2" | jq -r .remediation.type)" = rollforward ]
}

@test "--clear marks the deployment as not a change failure" {
	ddci-change-failure --deployment-id "$D2"
	run ddci-change-failure --deployment-id "$D2" --clear
	[ "$status" -eq 0 ]
	[[ "$output" == "$D2: change failure cleared" ]]
	[ "$(last_body "/api/v2/dora/deployments/$D2" | jq -c .data.attributes)" = '{"change_failure":false}' ]
	[ "$(state_dep "$D2" | jq .change_failure)" = false ]
}

@test "a shallow clone cannot tell rollback from rollforward: exit 2 with the hint" {
	commit "$T/repo" "fix"
	git clone -q --depth 1 "file://$T/repo" "$T/shallow"
	cd "$T/shallow"
	D3=$(ddci-deploy --service shop --env prod --started-at 1700002000 --finished-at 1700002100)
	run --separate-stderr ddci-change-failure --deployment-id "$D2" --remediation-id "$D3"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *shallow* ]]
	[[ "$stderr" == *"--remediation-type"* ]]
	[ "$(state_dep "$D2" | jq .change_failure)" = null ]
	# with the type given it goes through
	run ddci-change-failure --deployment-id "$D2" --remediation-id "$D3" --remediation-type rollforward
	[ "$status" -eq 0 ]
}

@test "an unknown deployment id exits 4 with the 404" {
	run --separate-stderr ddci-change-failure --deployment-id ddci-dep-00000000000000000000000000000000
	[ "$status" -eq 4 ]
	[[ "$stderr" == *404* ]]
}

@test "bad usage exits 2 and sends nothing" {
	run ddci-change-failure
	[ "$status" -eq 2 ]
	run ddci-change-failure --deployment-id "$D2" --last --service shop
	[ "$status" -eq 2 ]
	run ddci-change-failure --deployment-id "$D2" --clear --remediation-id "$D1"
	[ "$status" -eq 2 ]
	run ddci-change-failure --deployment-id "$D2" --remediation-type sideways
	[ "$status" -eq 2 ]
	run ddci-change-failure --last
	[ "$status" -eq 2 ]
	[ "$(fake_requests)" -eq 2 ] # the two deploys of setup
}

@test "the application key is required" {
	unset DD_APP_KEY
	run --separate-stderr ddci-change-failure --deployment-id "$D2"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *APP_KEY* ]]
}

@test "ddci-deploy --remediates auto marks the previous deployment (rollback)" {
	git checkout -q "$V1"
	run --separate-stderr ddci-deploy --service shop --env prod --started-at 1700002000 --remediates auto
	[ "$status" -eq 0 ]
	D3=$output
	[[ "$stderr" == *"marked $D2 as a change failure remediated by $D3 (rollback: "* ]]
	[ "$(state_dep "$D2" | jq -c .remediation)" = "{\"id\":\"$D3\",\"type\":\"rollback\"}" ]
	[ "$(state_dep "$D2" | jq .change_failure)" = true ]
}

@test "ddci-deploy --remediates ID with a fix on top (rollforward)" {
	commit "$T/repo" "fix"
	run --separate-stderr ddci-deploy --service shop --env prod --started-at 1700002000 --remediates "$D2"
	[ "$status" -eq 0 ]
	[ "$(state_dep "$D2" | jq -r .remediation.type)" = rollforward ]
	[ "$(state_dep "$D2" | jq -r .remediation.id)" = "$output" ]
}
