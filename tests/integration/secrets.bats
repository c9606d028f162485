#!/usr/bin/env bats
# No secret ever leaves ddci: every executable, in every mode (normal,
# --verbose, --dry-run, errors, spool, GitHub outputs and step summary,
# --junit/--markdown reports), with recognisable fake keys and URL
# credentials; all stdout, stderr, spool files and names, summaries, reports
# and what the fake server received are grepped: zero hits.

load '../lib/common'

API=ddsecretAPIKEY0123456789abcdef01
APP=ddsecretAPPKEY0123456789abcdef0123456789
URLPW=urlpassw0rdSECRET
TOKEN=ghtokenSECRET42
SECRETS=("$API" "$APP" "$URLPW" "$TOKEN")

setup() {
	ddci_setup --api-key "$API" --app-key "$APP" --flaky-generate 5 --events-generate 20 \
		--synthetics-generate 3 --cases-generate 5
	# Keys from files, not the environment of child processes.
	unset DD_API_KEY DD_APP_KEY
	printf '%s\n' "$API" >"$T/api.key"
	printf '%s\n' "$APP" >"$T/app.key"
	chmod 600 "$T/api.key" "$T/app.key"
	export DD_API_KEY_FILE="$T/api.key" DD_APP_KEY_FILE="$T/app.key"
	make_repo "$T/repo" "https://user:$URLPW@github.com/acme/shop.git"
	cd "$T/repo"
	SPOOL="$T/spool"
	mkdir -p "$T/reports"
	# GitHub Actions with credentials in URLs it passes on.
	export GITHUB_ACTIONS=true GITHUB_OUTPUT="$T/reports/gh-output" GITHUB_STEP_SUMMARY="$T/reports/gh-summary"
	export GITHUB_SERVER_URL="https://x-access-token:$TOKEN@github.com" GITHUB_REPOSITORY=acme/shop \
		GITHUB_SHA=$(git rev-parse HEAD) GITHUB_REF=refs/heads/main GITHUB_RUN_ID=7
}
teardown() { ddci_teardown; }

DEP_ID=ddci-dep-secrets-00000000001

# The commands, one per executable (several for those with subcommands).
commands() {
	cat <<EOC
ddci-deploy --service shop --env prod --started-at 1700000000 --repository-url https://tok:$URLPW@gitlab.com/g/p.git --commit-sha 0123456789abcdef0123456789abcdef01234567
ddci-deploy --service shop --started-at 1700000001
ddci-deploy --service shop --started-at 1700000002 --id $DEP_ID
ddci-incident --team core --started-at 1700000000 --repository-url https://u:$URLPW@github.com/a/b.git --commit-sha 0123456789abcdef0123456789abcdef01234567
ddci-change-failure --deployment-id $DEP_ID
ddci-dora list deployments
ddci-dora get deployment $DEP_ID
ddci-dora report --service shop --from 1699000000 --to 1701000000
ddci-flush --spool $SPOOL
ddci-flaky-gate --max-active 1 --repository-id github.com/acme/shop --junit $T/reports/flaky.xml --markdown $T/reports/flaky.md
ddci-failrate-gate --max-failure-rate 10 --repository-id github.com/acme/shop --junit $T/reports/fr.xml --markdown $T/reports/fr.md
ddci-flaky list --all-repositories
ddci-tests list --from now-8d
ddci-tests aggregate --from now-8d
ddci-synthetics-history gen-abc-001
ddci-cases count
ddci-cases gate --max 1
EOC
}

# run_all EXTRA... — every command that exists, with EXTRA flags; output
# collected under $T/collected.
run_all() {
	local line exe n=0
	mkdir -p "$T/collected"
	while read -r line; do
		exe=${line%% *}
		[ -x "$DDCI_BIN/$exe" ] || continue
		n=$((n + 1))
		# shellcheck disable=SC2086
		$line "$@" >"$T/collected/$n.out" 2>"$T/collected/$n.err" || true
	done < <(commands)
	echo "$n" >"$T/collected/count"
}

# no_secrets — greps everything written: zero hits allowed.
no_secrets() {
	local s hits=0 where
	for s in "${SECRETS[@]}"; do
		where=$( {
			grep -rlF -- "$s" "$T/collected" "$T/reports" "$SPOOL" "$FAKE_LOG" "$T/fake.out" 2>/dev/null
			find "$T/collected" "$T/reports" "$SPOOL" -name "*$s*" 2>/dev/null
		} | sort -u)
		if [ -n "$where" ]; then
			echo "secret '$s' found in: $where" >&2
			grep -rF -- "$s" $where 2>/dev/null | head -n 3 >&2
			hits=$((hits + 1))
		fi
	done
	[ "$hits" -eq 0 ]
}

@test "normal runs: no secret in output, reports, GitHub files or what was sent" {
	run_all
	[ "$(cat "$T/collected/count")" -ge 1 ]
	[ "$(fake_requests)" -ge 1 ]
	no_secrets
}

@test "--verbose: traces show no key and no URL password" {
	run_all --verbose
	cat "$T"/collected/*.err | grep -q .
	no_secrets
}

@test "--dry-run: printed requests show no key and no URL password" {
	run_all --dry-run
	cat "$T"/collected/*.out | grep -q .
	no_secrets
}

@test "errors: 403, 400, 500 and a dropped connection show no secret" {
	fake_faults '[{"action":"status","status":500,"count":-1}]'
	run_all --retries 1 --timeout 5
	curl -sS -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
	fake_faults '[{"action":"status","status":400,"count":-1,"body":{"errors":["key '"$API"' is bad"]}}]'
	run_all --retries 0
	curl -sS -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
	fake_faults '[{"action":"close","count":-1}]'
	run_all --retries 0 --verbose
	curl -sS -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
	# A wrong key: Datadog answers 403.
	printf 'wrong%s\n' "$API" >"$T/api.key"
	run_all --verbose
	# The fake echoed the key in its error body on purpose: ddci must mask it.
	no_secrets
}

@test "spool: spooled files and their names hold no secret, are 0600 in a 0700 directory" {
	fake_faults '[{"action":"status","status":503,"count":-1}]'
	run_all --spool "$SPOOL" --retries 0 --verbose
	[ -d "$SPOOL" ]
	[ -n "$(find "$SPOOL" -type f)" ]
	[ "$(stat -c %a "$SPOOL")" = 700 ]
	for f in $(find "$SPOOL" -type f); do
		[ "$(stat -c %a "$f")" = 600 ] || { echo "$f is $(stat -c %a "$f")" >&2; false; }
	done
	curl -sS -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
	ddci-flush --spool "$SPOOL" --verbose >"$T/collected/flush.out" 2>"$T/collected/flush.err"
	no_secrets
}

@test "keys from the environment are masked too" {
	unset DD_API_KEY_FILE DD_APP_KEY_FILE
	export DD_API_KEY="$API" DD_APP_KEY="$APP"
	run_all --verbose
	run_all --dry-run --verbose
	no_secrets
}
