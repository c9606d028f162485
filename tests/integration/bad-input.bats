#!/usr/bin/env bats
# Bad input, table-driven: each row is a command that must exit 2 (or 4 when
# only Datadog can know), name the offending flag, variable or field in one
# line of stderr, and send nothing (the fake's request log stays empty).
#
# Row: EXIT|NEEDLE|COMMAND   (COMMAND is shell words; `env` sets variables;
# NEEDLE may be "A||B": either names the field)
#
# (--spool '' means off, by design, so it is not a row.)

load '../lib/common'

setup() {
	ddci_setup_repo
	echo "not a directory" >"$T/file"
}
teardown() { ddci_teardown; }

LONG=$(printf 'x%.0s' $(seq 1 5000))
HUGE=99999999999999999999999999999999999999
NONUTF8=$'\xff\xfe\xc3'
TAGS101=$(for i in $(seq 1 101); do printf -- '--tag k%d:v ' "$i"; done)
SHA=0123456789abcdef0123456789abcdef01234567
DEP="ddci-deploy --service shop --started-at 1700000000"
INC="ddci-incident --team core --started-at 1700000000"

ROWS_DEPLOY=(
	"2|--started-at|$DEP --started-at garbage"
	"2|--started-at|$DEP --started-at 2024-13-01T00:00:00Z"
	"2|--started-at|$DEP --started-at 2024-02-30T00:00:00Z"
	"2|--started-at|$DEP --started-at -5"
	"2|--started-at|$DEP --started-at 99999999999999999999"
	"2|--started-at|$DEP --started-at ''"
	"2|--started-at|$DEP --started-at now-5x"
	"2|--started-at|$DEP --started-at now+5m"
	"2|--started-at|$DEP --started-at 2201-01-01T00:00:00Z"
	"2|--started-at|$DEP --started-at 1969-12-31T23:59:59Z"
	"2|--started-at|$DEP --started-at '2024-01-01 00:00:00'"
	"2|--started-at|$DEP --started-at 0x65000000"
	"2|--finished-at|$DEP --finished-at 1600000000"
	"2|--finished-at|$DEP --finished-at soon"
	"2|--id|$DEP --id short"
	"2|--id|$DEP --id 'has space in the id value'"
	"2|--id|$DEP --id $LONG"
	"2|--id|$DEP --id 'ddci-$NONUTF8-000000000000'"
	"2|--id|$DEP --id ''"
	"2|--tag|$DEP --tag novalue"
	"2|--tag|$DEP --tag :value"
	"2|--tag|$DEP --tag key:"
	"2|--tag|$DEP --tag ''"
	"2|--tag|$DEP $TAGS101"
	"2|--service|ddci-deploy --started-at 1700000000"
	"2|--service|ddci-deploy --service '' --started-at 1700000000"
	"2|--commit-sha|$DEP --commit-sha xyz"
	"2|--commit-sha|$DEP --commit-sha zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
	"2|--site|$DEP --site datadoghq.con"
	"2|--site|$DEP --site datadoghq.com.evil.net"
	"2|--site|$DEP --site ''"
	"2|--site|$DEP --site 'datadoghq.com/x'"
	"2|--api-url|$DEP --api-url http://example.com"
	"2|--api-url|$DEP --api-url ftp://127.0.0.1"
	"2|--api-url|$DEP --api-url 'not a url'"
	"2|--api-url|$DEP --api-url ''"
	"2|--timeout|$DEP --timeout 0"
	"2|--timeout|$DEP --timeout -1"
	"2|--timeout|$DEP --timeout abc"
	"2|--timeout|$DEP --timeout 99999999999999999999"
	"2|--timeout|$DEP --timeout 1.5x"
	"2|--timeout|$DEP --timeout $HUGE"
	"2|--started-at|$DEP --started-at $HUGE"
	"2|--retries|$DEP --retries -1"
	"2|--retries|$DEP --retries 1000"
	"2|--retries|$DEP --retries many"
	"2|--output|$DEP --output xml"
	"2|--bogus|$DEP --bogus"
	"2|--service|ddci-deploy --started-at 1700000000 --service"
	"2|--ca-bundle|$DEP --ca-bundle ''"
	"2|--remediates|$DEP --remediates 'bad id'"
	"2|DD_API_KEY|env -u DD_API_KEY $DEP"
	"2|DD_API_KEY|env DD_API_KEY= $DEP"
	"2|DD_API_KEY|env DD_API_KEY='bad key with spaces' $DEP"
	"2|DD_API_KEY_FILE|env -u DD_API_KEY DD_API_KEY_FILE=$BATS_TEST_TMPDIR/nonexistent $DEP"
	"2|DD_SITE|env DD_SITE=bogus.example $DEP"
	"2|DATADOG_SITE|env -u DD_SITE DATADOG_SITE=bogus.example $DEP"
	"2|--service|$DEP --service '$NONUTF8'"
	"2|--env|$DEP --env '$NONUTF8'"
	"2|DD_SERVICE|env DD_SERVICE='$NONUTF8' ddci-deploy --started-at 1700000000"
	"2|DD_ENV|env DD_ENV='$NONUTF8' $DEP"
	"2|--tag|$DEP --tag 'team:$NONUTF8'"
	"2|--repository-url|$DEP --repository-url 'not a url'"
	"2|--repository-url|$DEP --repository-url /srv/git/shop"
	"2|--repository-url|$DEP --repository-url 'https:///shop.git'"
	"2|DDCI_TIMEOUT|env DDCI_TIMEOUT=abc $DEP"
	"2|DDCI_RETRIES|env DDCI_RETRIES=-3 $DEP"
	"2|DDCI_API_URL|env DDCI_API_URL=http://10.0.0.1:80 $DEP"
)

ROWS_INCIDENT=(
	"2|--started-at|$INC --started-at yesterday"
	"2|--finished-at|$INC --finished-at 1600000000"
	"2|--id|$INC --id bad!id!0000000000000"
	"2|--tag|$INC --tag nocolon"
	"2|--service|ddci-incident --started-at 1700000000"
	"2|--service|ddci-incident --service '' --started-at 1700000000"
	"2|--team|ddci-incident --team '' --started-at 1700000000"
	"2|--nope|$INC --nope"
	"2|--timeout|$INC --timeout -7"
	"2|DD_API_KEY|env -u DD_API_KEY $INC"
)

ROWS_CHANGE_FAILURE=(
	"2|--deployment-id|ddci-change-failure"
	"2|--deployment-id|ddci-change-failure --deployment-id 'a/b'"
	"2|--remediation-id|ddci-change-failure --deployment-id ddci-dep-0000000000000001 --remediation-id 'a b'"
	"2|--deployment-id||event id|ddci-change-failure --deployment-id ''"
	"2|--remediation-type|ddci-change-failure --deployment-id ddci-dep-0000000000000001 --remediation-type bogus"
	"2|--commit||nosuchrevision|ddci-change-failure --commit nosuchrevision"
	"2|--service|ddci-change-failure --last"
	"2|DD_APP_KEY|env -u DD_APP_KEY ddci-change-failure --deployment-id ddci-dep-0000000000000001"
	"4|ddci-dep-unknown-0000000001|ddci-change-failure --deployment-id ddci-dep-unknown-0000000001"
)

ROWS_DORA=(
	"2|list|ddci-dora"
	"2|frobnicate|ddci-dora frobnicate"
	"2|kind|ddci-dora list widgets"
	"2|--limit|ddci-dora list deployments --limit -1"
	"2|--limit|ddci-dora list deployments --limit abc"
	"2|--from|ddci-dora list deployments --from garbage"
	"2|--to|ddci-dora list deployments --to 2024-99-99"
	"2|get|ddci-dora get deployment"
	"2|--sort|ddci-dora list deployments --sort sideways"
	"2|--service|ddci-dora report"
	"2|--from|ddci-dora report --service shop --from never"
	"2|DD_APP_KEY|env -u DD_APP_KEY ddci-dora list deployments"
	"4|ddci-dep-unknown-0000000002|ddci-dora get deployment ddci-dep-unknown-0000000002"
)

ROWS_FLUSH=(
	"2|--spool|ddci-flush"
	"2|--spool|ddci-flush --spool ''"
	"2|spool|ddci-flush --spool $BATS_TEST_TMPDIR/file"
	"2|extra|ddci-flush --spool $BATS_TEST_TMPDIR/sp extra"
	"2|--retries|ddci-flush --spool $BATS_TEST_TMPDIR/sp --retries x"
)

ROWS_FLAKY_GATE=(
	"2|--max|ddci-flaky-gate --repository-id github.com/acme/shop"
	"2|--max-active|ddci-flaky-gate --max-active -1"
	"2|--max-active|ddci-flaky-gate --max-active abc"
	"2|--max-active|ddci-flaky-gate --max-active 99999999999999999999"
	"2|--max-failure-rate|ddci-flaky-gate --max-failure-rate 101"
	"2|--max-failure-rate|ddci-flaky-gate --max-failure-rate -5"
	"2|--max-failure-rate|ddci-flaky-gate --max-failure-rate nan"
	"2|--max-lost-time|ddci-flaky-gate --max-lost-time forever"
	"2|--max-new|ddci-flaky-gate --max-new -2"
	"2|--page-size|ddci-flaky-gate --max-active 1 --page-size 0"
	"2|--page-size|ddci-flaky-gate --max-active 1 --page-size 1001"
	"2|--base|ddci-flaky-gate --max-new 1 --base nosuchbranch --repository-id github.com/acme/shop"
	"2|DD_APP_KEY|env -u DD_APP_KEY ddci-flaky-gate --max-active 1"
	"2|--junit|ddci-flaky-gate --max-active 1 --junit ''"
	"2|--html|ddci-flaky-gate --max-active 1 --html $BATS_TEST_TMPDIR/no/such/dir/r.html"
	"2|--markdown|ddci-flaky-gate --max-active 1 --markdown /"
)

ROWS_FAILRATE_GATE=(
	"2|--max-failure-rate|ddci-failrate-gate --repository-id github.com/acme/shop"
	"2|--max-failure-rate|ddci-failrate-gate --max-failure-rate 200"
	"2|--max-failure-rate|ddci-failrate-gate --max-failure-rate -1"
	"2|--max-failure-rate|ddci-failrate-gate --max-failure-rate ten"
	"2|--from|ddci-failrate-gate --max-failure-rate 5 --from garbage"
	"2|--to|ddci-failrate-gate --max-failure-rate 5 --to garbage"
	"2|--group-limit|ddci-failrate-gate --max-failure-rate 5 --group-limit 0"
	"2|--min-runs|ddci-failrate-gate --max-failure-rate 5 --min-runs -1"
	"2|--interval|ddci-failrate-gate --max-failure-rate 5 --interval soon"
	"2|--group-by|ddci-failrate-gate --max-failure-rate 5 --group-by ''"
	"2|--unknown|ddci-failrate-gate --max-failure-rate 5 --unknown"
	"2|--junit|ddci-failrate-gate --max-failure-rate 5 --junit ''"
	"2|--html|ddci-failrate-gate --max-failure-rate 5 --html ''"
)

ROWS_FLAKY=(
	"2|frobnicate|ddci-flaky frobnicate"
	"2|--state|ddci-flaky list --state bogus --all-repositories"
	"2|--sort|ddci-flaky list --sort bogus --all-repositories"
	"2|--limit|ddci-flaky list --limit -1 --all-repositories"
	"2|--page-size|ddci-flaky list --page-size 5000 --all-repositories"
	"2|--state|ddci-flaky set-state --state melted id1"
	"2|--state|ddci-flaky set-state id1"
	"2|--from-json|ddci-flaky set-state --state quarantined --from-json $BATS_TEST_TMPDIR/nonexistent.json"
	"2|--batch-size|ddci-flaky set-state --state quarantined --batch-size 0 id1"
)

ROWS_TESTS=(
	"2|frobnicate|ddci-tests frobnicate"
	"2|--sort|ddci-tests list --sort sideways"
	"2|--limit|ddci-tests list --limit 0"
	"2|--page-size|ddci-tests list --page-size 1001"
	"2|--limit|ddci-tests list --limit $HUGE"
	"2|--from|ddci-tests list --from garbage"
	"2|--to|ddci-tests list --to garbage"
	"2|--max-events|ddci-tests list --max-events -1"
	"2|--time-offset|ddci-tests search --time-offset abc"
	"2|--time-offset|ddci-tests search --timezone UTC --time-offset 5"
	"2|--compute|ddci-tests aggregate --compute bogus"
	"2|--compute|ddci-tests aggregate --compute avg"
	"2|--interval|ddci-tests aggregate --interval soon"
	"2|DD_APP_KEY|env -u DD_APP_KEY ddci-tests list"
)

ROWS_SYNTHETICS=(
	"2|PUBLIC_ID|ddci-synthetics-history"
	"2|PUBLIC_ID|ddci-synthetics-history 'bad id!'"
	"2|PUBLIC_ID|ddci-synthetics-history '$NONUTF8'"
	"2|--limit|ddci-synthetics-history abc-def-ghi --limit 0"
	"2|--page-size|ddci-synthetics-history abc-def-ghi --page-size 51"
	"2|--since|ddci-synthetics-history abc-def-ghi --since garbage"
	"2|--since-version|ddci-synthetics-history abc-def-ghi --since-version -1"
	"2|--max-versions|ddci-synthetics-history abc-def-ghi --max-versions abc"
	"4|abc-def-nop|ddci-synthetics-history abc-def-nop"
)

ROWS_CASES=(
	"2|frobnicate|ddci-cases frobnicate"
	"2|--group-by|ddci-cases count --group-by 'BAD FIELD'"
	"2|--limit|ddci-cases count --limit 0"
	"2|--limit|ddci-cases count --limit 10001"
	"2|--max|ddci-cases gate"
	"2|--max|ddci-cases gate --max -1"
	"2|--max|ddci-cases gate --max lots"
	"2|--max|ddci-cases gate --max $HUGE"
	"2|DD_APP_KEY|env -u DD_APP_KEY ddci-cases count"
)

# table NAME... — runs every row of the named arrays whose executable exists.
table() {
	local arr row want needle cmd exe n=0 problems=()
	for arr in "$@"; do
		local -n rows="$arr"
		for row in "${rows[@]}"; do
			want=${row%%|*}
			cmd=${row#*|}
			needle=${cmd%%|*}
			cmd=${cmd#*|}
			if [[ "$cmd" == "|"* ]]; then # NEEDLE "A||B"
				cmd=${cmd#|}
				needle="$needle|${cmd%%|*}"
				cmd=${cmd#*|}
			fi
			exe=$(sed -E 's/^env( +(-u +[A-Z_]+|[A-Z_]+=[^ ]*))* +//' <<<"$cmd" | cut -d' ' -f1)
			[ -x "$DDCI_BIN/$exe" ] || continue
			n=$((n + 1))
			local before after rc=0
			before=$(fake_requests)
			eval "$cmd" >"$T/out" 2>"$T/err" </dev/null || rc=$?
			after=$(fake_requests)
			local err lines
			err=$(cat "$T/err")
			lines=$(grep -c . "$T/err" || true)
			if [ "$rc" -ne "$want" ]; then
				problems+=("exit $rc, want $want: ${cmd:0:160} :: ${err:0:200}")
			elif [ "$lines" -ne 1 ]; then
				problems+=("$lines lines of stderr: ${cmd:0:160} :: ${err:0:300}")
			elif [[ "$err" != *"${needle%%|*}"* && "$err" != *"${needle#*|}"* ]]; then
				problems+=("stderr does not name '$needle': ${cmd:0:160} :: ${err:0:200}")
			elif [ "$want" -eq 2 ] && [ "$after" -ne "$before" ]; then
				problems+=("sent $((after - before)) request(s): ${cmd:0:160}")
			fi
		done
		unset -n rows
	done
	echo "$n bad inputs tried" >>"$BATS_FILE_TMPDIR/tried"
	if [ ${#problems[@]} -gt 0 ]; then
		printf '%s\n' "${problems[@]}" >&2
		return 1
	fi
}

@test "ddci-deploy: bad times, ids, tags, sites, URLs, numbers, flags, keys" { table ROWS_DEPLOY; }
@test "ddci-incident: bad input" { table ROWS_INCIDENT; }
@test "ddci-change-failure: bad input" { table ROWS_CHANGE_FAILURE; }
@test "ddci-dora: bad input" { table ROWS_DORA; }
@test "ddci-flush: bad input" { table ROWS_FLUSH; }
@test "ddci-flaky-gate: bad input" { table ROWS_FLAKY_GATE; }
@test "ddci-failrate-gate: bad input" { table ROWS_FAILRATE_GATE; }
@test "ddci-flaky: bad input" { table ROWS_FLAKY; }
@test "ddci-tests: bad input" { table ROWS_TESTS; }
@test "ddci-synthetics-history: bad input" { table ROWS_SYNTHETICS; }
@test "ddci-cases: bad input" { table ROWS_CASES; }

@test "the table has at least 100 bad inputs" {
	local n=0 arr
	for arr in ROWS_DEPLOY ROWS_INCIDENT ROWS_CHANGE_FAILURE ROWS_DORA ROWS_FLUSH ROWS_FLAKY_GATE \
		ROWS_FAILRATE_GATE ROWS_FLAKY ROWS_TESTS ROWS_SYNTHETICS ROWS_CASES; do
		local -n rows="$arr"
		n=$((n + ${#rows[@]}))
		unset -n rows
	done
	echo "# $n rows" >&3
	[ "$n" -ge 100 ]
}
