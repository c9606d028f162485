# tests/lib/common.bash — shared setup for the bats integration tests.
#
#   load '../lib/common'
#   setup()    { ddci_setup; }          # temp dir, fake Datadog, keys, PATH
#   teardown() { ddci_teardown; }
#
# Every test gets its own temp dir and its own fake-datadog on a free port.

: "${DDCI_ROOT:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${DDCI_BIN:=$DDCI_ROOT/build/asan/bin}"
: "${DDCI_FAKE:=$DDCI_ROOT/build/asan/fake-datadog}"

FAKE_API_KEY=fakeapikey0000000000000000000000
FAKE_APP_KEY=fakeappkey000000000000000000000000000000

# fake_start [ARGS...] — start the fake server; sets FAKE_URL, FAKE_PORT, FAKE_LOG.
fake_start() {
	FAKE_LOG="$T/fake.log"
	local portfile="$T/fake.port"
	rm -f "$portfile"
	"$DDCI_FAKE" --port 0 --port-file "$portfile" --log "$FAKE_LOG" "$@" >"$T/fake.out" 2>&1 &
	FAKE_PID=$!
	# Until it listens or dies: generating big data sets (--events-generate)
	# under ASan on a loaded machine takes a while; 5 minutes is a hang.
	for _ in $(seq 1 6000); do
		[ -s "$portfile" ] && break
		kill -0 "$FAKE_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -s "$portfile" ] || { cat "$T/fake.out" >&2; return 1; }
	FAKE_PORT=$(cat "$portfile")
	FAKE_URL="http://127.0.0.1:$FAKE_PORT"
	export DDCI_API_URL="$FAKE_URL"
}

fake_stop() {
	if [ -n "${FAKE_PID:-}" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
		FAKE_PID=
	fi
}

# ddci_env: a test's own environment (keys for the fake, nothing of the CI
# running the tests, its own HOME, git config and rate-limit state); no
# fake server.
ddci_env() {
	T="$BATS_TEST_TMPDIR"
	export PATH="$DDCI_BIN:$PATH"
	export DD_API_KEY="$FAKE_API_KEY" DD_APP_KEY="$FAKE_APP_KEY"
	export DDCI_TIMEOUT=20 DDCI_RETRIES=3
	# Nothing from the CI running these tests may leak into them.
	unset GITHUB_ACTIONS GITHUB_OUTPUT GITHUB_STEP_SUMMARY GITHUB_SHA GITHUB_REF GITHUB_BASE_REF \
		GITHUB_HEAD_REF GITHUB_REPOSITORY GITHUB_SERVER_URL GITHUB_RUN_ID GITLAB_CI CI_COMMIT_SHA \
		CI_PIPELINE_CREATED_AT JENKINS_URL GIT_COMMIT BUILD_URL CIRCLECI BUILDKITE TF_BUILD \
		BITBUCKET_BUILD_NUMBER TRAVIS TEAMCITY_VERSION CODEBUILD_BUILD_ID DD_SITE DATADOG_SITE \
		DD_SERVICE DD_ENV DD_VERSION DDCI_SPOOL_DIR DDCI_DRY_RUN SSL_CERT_FILE CURL_CA_BUNDLE \
		DATADOG_API_KEY DD_APPLICATION_KEY DATADOG_APP_KEY DD_API_KEY_FILE DD_APP_KEY_FILE CI
	export GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=t@example.com
	export GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=t@example.com
	export GIT_CONFIG_NOSYSTEM=1 HOME="$T/home"
	# Rate-limit state shared by a test's processes, never by two tests.
	export DDCI_STATE_DIR="$T/ddci-state"
	unset DDCI_RATE_SHARE XDG_RUNTIME_DIR
	mkdir -p "$HOME"
	git config --global init.defaultBranch main
	git config --global protocol.file.allow always
}

# ddci_setup [FAKE_ARGS...]: ddci_env and a fake Datadog started with
# FAKE_ARGS (data sets, keys).
ddci_setup() {
	ddci_env
	fake_start "$@"
}

# ddci_setup_repo [ORIGIN_URL]: ddci_setup, then a two-commit repository in
# $T/repo (make_repo) as the current directory.
ddci_setup_repo() {
	ddci_setup
	make_repo "$T/repo" "$@"
	cd "$T/repo"
}

ddci_teardown() {
	fake_stop
}

# make_repo DIR [ORIGIN_URL] — a repository with two commits; prints nothing.
make_repo() {
	local dir="$1" origin="${2:-https://user:secret@github.com/acme/shop.git}"
	mkdir -p "$dir"
	git -C "$dir" init -q
	echo one >"$dir/a.txt"
	git -C "$dir" add a.txt
	git -C "$dir" commit -qm "first" --date=2024-01-01T00:00:00Z
	echo two >>"$dir/a.txt"
	git -C "$dir" commit -qam "second" --date=2024-01-02T00:00:00Z
	[ "$origin" = none ] || git -C "$dir" remote add origin "$origin"
}

# commit DIR MESSAGE [FILE] — one more commit touching FILE (default a.txt).
commit() {
	local dir="$1" msg="$2" file="${3:-a.txt}"
	mkdir -p "$(dirname "$dir/$file")"
	echo "$msg" >>"$dir/$file"
	git -C "$dir" add "$file"
	git -C "$dir" commit -qm "$msg"
}

# fake_get PATH — GET a control endpoint, e.g. fake_get /_fake/state
fake_get() { curl -sS --fail "$FAKE_URL$1"; }
# fake_post PATH JSON
fake_post() { curl -sS --fail -X POST -H 'Content-Type: application/json' --data-binary "$2" "$FAKE_URL$1"; }

# fake_requests [PATH_SUBSTRING] — number of API requests logged (control calls excluded).
fake_requests() {
	local sub="${1:-/api/}"
	[ -f "$FAKE_LOG" ] || { echo 0; return; }
	jq -c --arg s "$sub" 'select(.path | contains($s))' "$FAKE_LOG" | wc -l
}

# fake_faults JSON_ARRAY — queue faults
fake_faults() { fake_post /_fake/faults "{\"faults\":$1}" >/dev/null; }

# last_body PATH_SUBSTRING — the body of the last logged request to it
last_body() { jq -c --arg s "$1" 'select(.path | contains($s)) | .body' "$FAKE_LOG" | tail -n 1; }

# assert_no_secret TEXT... — none of the test secrets appear
assert_no_secret() {
	local s
	for s in "$FAKE_API_KEY" "$FAKE_APP_KEY" secret; do
		if printf '%s' "$*" | grep -qF -- "$s"; then
			echo "secret '$s' found in: $*" >&2
			return 1
		fi
	done
}
