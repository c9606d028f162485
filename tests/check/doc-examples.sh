#!/usr/bin/env bash
# tests/check/doc-examples.sh — every command line README.md and ddci(7) show,
# run as written against the fake Datadog (TAP, one test per line).
#
# The lines come from tests/lib/doc_examples.py, so the docs cannot drift: a
# README line that fails fails `make check`.  They run in order, in one
# throw-away repository (acme/shop: main, a feature branch with HEAD on it,
# tag v2.3.0 on HEAD~1), against one fake holding flaky tests, test events,
# a Synthetic test and cases, like a user following the README.  What an
# example assumes is given to it:
#   - the CI it is written for (a ddci(7) block for GitHub, GitLab or Jenkins
#     gets that CI's variables; a gate judging a change, --max-new or
#     --fail-on-changed, runs in that CI's pull/merge request);
#   - the variables in VARS below ($VERSION, $FAILED, ...); a variable the
#     test does not know fails the line, naming it;
#   - `export DD_API_KEY=...`: the fake's keys; paths under /var/spool go to
#     the test's directory; ./deploy.sh is a stub;
#   - `# exit N: "text"` after a command: that status and that text (… is any
#     text); `# "text"`: that text; a gate may pass or fail (0 or 1),
#     anything else must exit 0;
#   - `--remediates auto` deploys HEAD~1 (a rollback).
# make, sudo, man and docker lines are checked, not run: the make target
# exists, the packages are known to apt (or are a ./build/ file a target
# writes), the man page exists, there is a Dockerfile.
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BIN="${DDCI_BIN:-$ROOT/build/asan/bin}"
FAKE="${DDCI_FAKE:-$ROOT/build/asan/fake-datadog}"
KEY=fakeapikey0000000000000000000000
APP=fakeappkey000000000000000000000000000000
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1"
	shift
	printf '# %s\n' "$@"
}

W=$(mktemp -d)
fake_pid=
cleanup() {
	[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

for tool in python3 jq git curl; do
	command -v $tool >/dev/null 2>&1 || { nok "$tool is installed" "tests/deps.sh test"; echo "1..$n"; exit 1; }
done

# ---- the world the examples run in --------------------------------------
export HOME="$W/home" GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=t@example.com
export GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=t@example.com DDCI_STATE_DIR="$W/state"
unset GITHUB_ACTIONS GITHUB_OUTPUT GITHUB_STEP_SUMMARY GITHUB_SHA GITHUB_REF GITHUB_BASE_REF GITHUB_HEAD_REF \
	GITHUB_REPOSITORY GITHUB_SERVER_URL GITHUB_RUN_ID GITHUB_JOB GITLAB_CI CI_COMMIT_SHA CI_PIPELINE_CREATED_AT \
	JENKINS_URL GIT_COMMIT BUILD_URL BUILD_TAG CIRCLECI BUILDKITE TF_BUILD BITBUCKET_BUILD_NUMBER TRAVIS \
	TEAMCITY_VERSION CODEBUILD_BUILD_ID DD_SITE DATADOG_SITE DD_SERVICE DD_ENV DD_VERSION DDCI_SPOOL_DIR \
	DDCI_DRY_RUN SSL_CERT_FILE CURL_CA_BUNDLE DATADOG_API_KEY DD_APPLICATION_KEY DATADOG_APP_KEY \
	DD_API_KEY_FILE DD_APP_KEY_FILE CI DDCI_JOB_STARTED_AT DDCI_RATE_SHARE XDG_RUNTIME_DIR
mkdir -p "$HOME" "$W/spool"
export PATH="$BIN:$PATH" DD_API_KEY=$KEY DD_APP_KEY=$APP DDCI_TIMEOUT=30 DDCI_RETRIES=3

repo="$W/repo"
git init -q -b main "$repo" 2>/dev/null || { git init -q "$repo" && git -C "$repo" checkout -q -b main; }
cd "$repo" || exit 1
git remote add origin https://github.com/acme/shop.git
for c in one two; do echo "$c" >>a.txt && git add a.txt && git commit -qm "$c"; done
git tag v2.3.0
git checkout -q -b feature
mkdir -p tests && echo "def test_cart(): pass" >tests/test_cart.py && git add tests && git commit -qm "three"
printf '#!/bin/sh\necho "deploying (a stub for the example)"\n' >deploy.sh && chmod +x deploy.sh
HEAD_SHA=$(git rev-parse HEAD)

"$FAKE" --port 0 --port-file "$W/port" --log "$W/requests.jsonl" --events-generate 2000 --synthetics-generate 5 \
	--cases-generate 30 >"$W/fake.out" 2>&1 &
fake_pid=$!
for _ in $(seq 1 400); do [ -s "$W/port" ] && break; sleep 0.05; done
[ -s "$W/port" ] || { nok "the fake Datadog starts" "$(cat "$W/fake.out")"; echo "1..$n"; exit 1; }
URL="http://127.0.0.1:$(cat "$W/port")"
export DDCI_API_URL=$URL
post() { curl -sS --fail -X POST -H 'Content-Type: application/json' --data-binary "$2" "$URL$1" >/dev/null; }

# Flaky tests of acme/shop, two with the ids the README names.
flaky() {
	jq -nc --arg id "$1" --argjson rate "$2" --arg src "$3" '{id:$id, repository_id:"github.com/acme/shop",
	  branches:["main","feature"], attributes:{name:("test_"+$id), suite:"CartTest", module:"shop/unit",
	  flaky_state:"active", first_flaked_sha:"0c6be03165b7f7ffe96e076ffb29afb2825616c3", first_flaked_branch:"main",
	  codeowners:["@acme/shop"], services:["shop"], envs:["ci"], pipeline_stats:{failed_pipelines:2,
	  total_lost_time_ms:600000}, test_run_metadata:{source_file:$src, source_start:1, source_end:2},
	  test_stats:{failure_rate_pct:$rate}}}'
}
post /_fake/flaky-tests "$(jq -sc . <<<"$(flaky 4eb1887a8adb1847 12 tests/test_cart.py)
$(flaky 9f0c2d1e3b4a5c6d 30 tests/test_search.py) $(flaky 1a2b3c4d5e6f7a8b 4 tests/test_pay.py)")"
# The Synthetic test abc-def-ghi: the generated test's versions.
post /_fake/synthetics/abc-def-ghi/versions "$(ddci-synthetics-history gen-abc-001 --output json)"
# Deployments and a failure the README names by id or variable.
dep() { ddci-deploy --service shop --env prod --started-at "$1" --finished-at "$2" --id "$3" >/dev/null; }
dep 1700000000 1700000300 ddci-dep-0123456789abcdef0123456789abcdef
dep 1700001000 1700001300 readme-failed-deployment-0001
dep 1700002000 1700002300 readme-fixing-deployment-0001
dep 1700003000 1700003300 readme-any-deployment-000001
ddci-incident --name "checkout returns 500" --severity High --service shop --env prod --started-at 1700000000 \
	--id ddci-fail-0123456789abcdef0123456789abcdef >/dev/null
rfc() { date -u -d "@$(($(date +%s) - $1))" +%Y-%m-%dT%H:%M:%SZ; }

# What the examples' variables stand for.
declare -A VARS=(
	[VERSION]=1.4.2
	[CI_JOB_STARTED_AT]="$(rfc 600)"
	[INCIDENT_START]="$(rfc 3600)"
	[FAILED]=readme-failed-deployment-0001
	[FIX]=readme-fixing-deployment-0001
	[ID]=readme-any-deployment-000001
	[T]="$(rfc 60)"
	[LAST_DEPLOY_TIME]="$(rfc 86400)"
	[CI_ENVIRONMENT_NAME]=production
	[STARTED]="$(rfc 600)"
)

# ci_env CI PR SETUP: the variables of that CI (and of a pull request in it).
ci_env() {
	case "$1" in
	github)
		echo "GITHUB_ACTIONS=true GITHUB_RUN_ID=4242 GITHUB_RUN_ATTEMPT=1 GITHUB_JOB=deploy"
		echo "GITHUB_REPOSITORY=acme/shop GITHUB_SERVER_URL=https://github.com GITHUB_SHA=$HEAD_SHA"
		echo "GITHUB_OUTPUT=$W/gh-output GITHUB_STEP_SUMMARY=$W/gh-summary"
		[ "$3" = true ] && echo "DDCI_JOB_STARTED_AT=$(($(date +%s) - 300))"
		if [ "$2" = 1 ]; then
			echo "GITHUB_EVENT_NAME=pull_request GITHUB_REF=refs/pull/7/merge GITHUB_BASE_REF=main GITHUB_HEAD_REF=feature"
		else
			echo "GITHUB_REF=refs/heads/main"
		fi
		;;
	gitlab)
		echo "GITLAB_CI=true CI_PIPELINE_ID=77 CI_JOB_NAME=deploy CI_JOB_ID=1001 CI_COMMIT_SHA=$HEAD_SHA"
		echo "CI_JOB_STARTED_AT=$(rfc 300) CI_PROJECT_URL=https://gitlab.com/acme/shop"
		[ "$2" = 1 ] && echo "CI_MERGE_REQUEST_IID=7 CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main"
		;;
	jenkins)
		echo "JENKINS_URL=http://jenkins.example BUILD_TAG=jenkins-shop-12 STAGE_NAME=Deploy GIT_COMMIT=$HEAD_SHA"
		[ "$2" = 1 ] && echo "CHANGE_ID=7 CHANGE_TARGET=main"
		;;
	esac
	return 0
}

# check_static CMD: make, sudo and man lines.
check_static() {
	local cmd="$1" word t missing=()
	case "$cmd" in
	"sudo apt-get install"*)
		command -v apt-cache >/dev/null || return 0
		for word in ${cmd#sudo apt-get install }; do
			case "$word" in
			-*) ;;
			*/*) [[ "$word" == ./build/* ]] || missing+=("$word") ;; # what a make target writes
			*) apt-cache show "$word" >/dev/null 2>&1 || missing+=("$word") ;;
			esac
		done
		[ ${#missing[@]} -eq 0 ] || { echo "unknown packages: ${missing[*]}"; return 1; }
		;;
	make* | "sudo make"*)
		t=$(sed -E 's/^(sudo )?make ?//; s/ .*//' <<<"$cmd")
		t=${t:-all}
		grep -Eq "^$t:|^\.PHONY:.* $t( |\$)" "$ROOT/Makefile" "$ROOT"/mk/*.mk || { echo "no make target '$t'"; return 1; }
		;;
	"man 7 ddci"*) [ -f "$ROOT/man/ddci.7.scd" ] || { echo "no man/ddci.7.scd"; return 1; } ;;
	docker* | buildah*) [ -f "$ROOT/Dockerfile" ] || { echo "no Dockerfile"; return 1; } ;;
	man*)
		t=${cmd#man }
		[ -f "$ROOT/man/${t%% *}.1.scd" ] || { echo "no man/${t%% *}.1.scd"; return 1; }
		;;
	esac
	return 0
}

# expects COMMENT: sets want_status ("" = 0, or 0|1 for gates) and want_text.
expects() {
	want_status=""
	want_text=""
	if [[ "$1" =~ ^exit\ ([0-9])(:\ *\"(.*)\")? ]]; then
		want_status=${BASH_REMATCH[1]}
		want_text=${BASH_REMATCH[3]}
	elif [[ "$1" =~ ^\"(.*)\"$ ]]; then
		want_text=${BASH_REMATCH[1]}
	fi
}

# unknown_vars CMD PRELUDE: the $VARS the command uses that nothing defines.
unknown_vars() {
	local v out=()
	for v in $(grep -oE '\$\{?[A-Za-z_][A-Za-z0-9_]*' <<<"$1" | tr -d '${' | sort -u); do
		[ -n "${VARS[$v]+x}" ] && continue
		grep -q "export $v=" <<<"$2" && continue
		out+=("\$$v")
	done
	echo "${out[*]}"
}

block=""
prelude=""
while IFS= read -r json; do
	src=$(jq -r .src <<<"$json")
	cmd=$(jq -r .cmd <<<"$json")
	comment=$(jq -r .comment <<<"$json")
	ci=$(jq -r .ci <<<"$json")
	setup=$(jq -r '.setup // false' <<<"$json")
	b=$(jq -r .block <<<"$json")
	[ "$b" = "$block" ] || { block=$b; prelude=""; }
	name="$src: $cmd"
	case "$cmd" in
	make* | sudo* | man* | docker* | buildah*)
		if why=$(check_static "$cmd"); then ok "$name"; else nok "$name" "$why"; fi
		continue
		;;
	esac
	if [[ "$cmd" == export\ * ]]; then
		line=$(sed -E "s/^export (DD_API_KEY|DD_APP_KEY)=\.\.\.\$/export \1=\${\1}/" <<<"$cmd")
		prelude+="$line"$'\n'
		ok "$name"
		continue
	fi
	unknown=$(unknown_vars "$cmd" "$prelude")
	if [ -n "$unknown" ]; then
		nok "$name" "uses $unknown, which this test does not know: add it to VARS in $0"
		continue
	fi
	expects "$comment"
	pr=0
	[[ "$cmd" == *--max-new* || "$cmd" == *--fail-on-changed* ]] && pr=1
	[ "$ci" = none ] && [ $pr = 1 ] && ci=github
	env_vars=$(ci_env "$ci" "$pr" "$setup" | tr '\n' ' ')
	url=$URL
	[ "$want_status" = 3 ] && url="http://127.0.0.1:9" # Datadog unreachable, as the example says
	run_cmd=${cmd//\/var\/spool\/ddci/$W/spool}
	[[ "$cmd" == *"--remediates auto"* ]] && git checkout -q HEAD~1
	script="$prelude"$'\n'"$run_cmd"
	# shellcheck disable=SC2086
	out=$(env $env_vars DDCI_API_URL="$url" DDCI_RETRIES=$([ "$want_status" = 3 ] && echo 0 || echo 3) \
		$(for v in "${!VARS[@]}"; do printf '%s=%s ' "$v" "${VARS[$v]}"; done) \
		bash -c "$script" 2>&1)
	status=$?
	[[ "$cmd" == *"--remediates auto"* ]] && git checkout -q feature
	allowed=${want_status:-0}
	[[ "$cmd" =~ ^ddci-(flaky-gate|failrate-gate)|^ddci-cases\ gate ]] && [ -z "$want_status" ] && allowed="0|1"
	text_ok=1
	# --no-fail must not be what made it pass: nothing was swallowed
	[[ "$cmd" == *--no-fail* && "$out" == *"(--no-fail: exit status"* ]] && text_ok=0
	if [ -n "$want_text" ]; then
		pattern=${want_text//…/*}
		# shellcheck disable=SC2053
		[[ "$out" == *$pattern* ]] || text_ok=0
	fi
	if [[ "$status" =~ ^($allowed)$ ]] && [ $text_ok = 1 ]; then
		ok "$name"
	else
		nok "$name" "exit $status (expected $allowed${want_text:+, output with \"$want_text\"}), in $ci CI" \
			"$(tail -n 6 <<<"$out")"
	fi
done < <(python3 "$ROOT/tests/lib/doc_examples.py" "$ROOT/README.md" "$ROOT/man/ddci.7.scd")

[ $n -gt 40 ] && ok "README.md and ddci(7) show $n command lines, all run above" ||
	nok "the docs show command lines" "only $n found: is tests/lib/doc_examples.py reading them?"
echo "1..$n"
[ $fails -eq 0 ]
