/* ddci-flaky — search flaky tests; set their state (quarantine, disable, fixed, active).
 *
 * `list` streams every page of the flaky test search (one page in memory) as
 * a table, JSON or NDJSON; `set-state` PATCHes states in batches and reports
 * each test's result, exiting 4 when any update failed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/buf.h"
#include "ddci/cli.h"
#include "ddci/client.h"
#include "ddci/flaky.h"
#include "ddci/gitmeta.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/strv.h"
#include "ddci/timeutil.h"

enum {
	O_BRANCH = 256, O_ALL_BRANCHES, O_CODEOWNER, O_QUERY, O_REPO_ID, O_SORT, O_STATE, O_LIMIT, O_PAGE_SIZE,
	O_FROM_JSON, O_BATCH, O_ALL_REPOS
};

static const struct ddci_opt opts[] = {
	{ "state", O_STATE, "STATE", NULL, NULL, "list: only this state; set-state: the new state (active, quarantined, disabled, fixed)" },
	{ "sort", O_SORT, "SORT", NULL, "fqn", "list order: [-]fqn, first_flaked, last_flaked, failure_rate, pipelines_failed, pipelines_duration_lost" },
	{ "limit", O_LIMIT, "N", NULL, "all", "list at most N tests" },
	{ "branch", O_BRANCH, "BRANCH", NULL, NULL, "only flaky tests seen on this branch" },
	{ "codeowner", O_CODEOWNER, "OWNER", NULL, NULL, "only tests owned by OWNER" },
	{ "query", O_QUERY, "QUERY", NULL, NULL, "more search terms" },
	{ "repository-id", O_REPO_ID, "ID", NULL, "origin", "repository (github.com/org/repo)" },
	{ "all-repositories", O_ALL_REPOS, NULL, NULL, NULL, "do not scope the search to this repository" },
	{ "page-size", O_PAGE_SIZE, "N", NULL, "100", "tests per request (1-1000)" },
	{ "from-json", O_FROM_JSON, "FILE", NULL, NULL, "set-state: ids from `list --output json` output ('-' = stdin)" },
	{ "batch-size", O_BATCH, "N", NULL, "100", "set-state: tests per PATCH (1-1000)" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

struct args {
	struct ddci_flaky_scope scope;
	const char *state, *repo_id, *from_json;
	int64_t batch;
	int all_repos;
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct args *a = ctx;

	switch (key) {
	case O_STATE: a->state = arg; return ddci_flaky_check_state(arg, "--state");
	case O_SORT: a->scope.sort = arg; return ddci_flaky_check_sort(arg);
	case O_LIMIT: return ddci_parse_int64(&a->scope.max_tests, arg, 1, INT64_MAX / 2, "--limit");
	case O_BRANCH: a->scope.branch = arg; return 0;
	case O_CODEOWNER: a->scope.codeowner = arg; return 0;
	case O_QUERY: a->scope.query = arg; return 0;
	case O_REPO_ID: a->repo_id = arg; return 0;
	case O_ALL_REPOS: a->all_repos = 1; return 0;
	case O_PAGE_SIZE: return ddci_parse_int64(&a->scope.page_limit, arg, 1, DDCI_FLAKY_PAGE_MAX, "--page-size");
	case O_FROM_JSON: a->from_json = arg; return 0;
	case O_BATCH: return ddci_parse_int64(&a->batch, arg, 1, 1000, "--batch-size");
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

static const struct ddci_cmd cmd = {
	.name = "ddci-flaky",
	.synopsis = "list [OPTIONS] | set-state --state STATE (ID... | --from-json FILE) [OPTIONS]",
	.description =
		"Preview: Datadog's Flaky Test Management endpoints are in preview and may change.\n"
		"list: every flaky test of this repository (POST /api/v2/test/flaky-test-management/tests,\n"
		"all pages, streamed) as a table, JSON array or NDJSON.\n"
		"set-state: PATCH the same path in batches; prints each test's result and exits 4\n"
		"when any test could not be updated. --dry-run prints the batches.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_SERVICE | DDCI_CLI_GIT | DDCI_CLI_OUTPUT,
	.outputs = "text|json|ndjson",
	.examples = "  ddci-flaky list --state active --sort -failure_rate\n"
		    "  ddci-flaky set-state --state quarantined 4eb1887a8adb1847 9f0c2d1e3b4a5c6d\n"
		    "  ddci-flaky list --state active --output json | ddci-flaky set-state --state quarantined --from-json -\n",
	.on_opt = on_opt,
};

/* ---- list ---- */

struct list_ctx {
	enum ddci_output out;
	int64_t n;
};

static int print_test(void *ctx, const struct ddci_flaky_test *t)
{
	struct list_ctx *lc = ctx;
	char rate[16] = "-";
	int rc = 0;

	if (lc->out == DDCI_OUTPUT_JSON || lc->out == DDCI_OUTPUT_NDJSON) {
		if (lc->out == DDCI_OUTPUT_JSON)
			fputs(lc->n ? ",\n" : "[\n", stdout);
		rc = ddci_print_json(stdout, t->item, 0);
	} else {
		if (!lc->n)
			printf("%-20s %-11s %8s %10s  %s\n", "ID", "STATE", "FAILURE", "LOST", "TEST");
		if (t->failure_rate_pct >= 0)
			snprintf(rate, sizeof(rate), "%.2f%%", t->failure_rate_pct);
		char lost[32];
		ddci_duration_format(lost, sizeof(lost), t->lost_time_ms);
		ddci_print(stdout, "%-20s %-11s %8s %10s  %s%s%s%s%s\n", t->id, t->state, rate, lost, t->module ? t->module : "",
		       t->module ? " " : "", t->suite ? t->suite : "", t->suite ? "." : "", t->name ? t->name : "");
	}
	lc->n++;
	return rc;
}

static int cmd_list(struct ddci_client *c, struct args *a, enum ddci_output out)
{
	struct list_ctx lc = { out, 0 };
	struct ddci_flaky_stats st;
	int rc;

	a->scope.state = a->state;
	rc = ddci_flaky_search(&st, c, &a->scope, print_test, &lc);
	if (out == DDCI_OUTPUT_JSON && rc == 0)
		fputs(lc.n ? "\n]\n" : "[]\n", stdout);
	else if (out == DDCI_OUTPUT_JSON && lc.n)
		fputs("\n]\n", stdout); /* keep what was printed parseable */
	if (rc == 0 && out == DDCI_OUTPUT_TEXT)
		fprintf(stderr, "%lld flaky test%s (%d page%s)\n", (long long)st.tests, st.tests == 1 ? "" : "s",
			st.pages, st.pages == 1 ? "" : "s");
	return rc;
}

/* ---- set-state ---- */

static int read_file(struct ddci_buf *b, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char chunk[8192];
	size_t n;
	int rc = 0;

	if (!f)
		return ddci_error_set(DDCI_EIO, "cannot read --from-json '%s': %s", path, strerror(errno));
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = ddci_buf_add(b, chunk, n);
	if (rc == 0 && ferror(f))
		rc = ddci_error_set(DDCI_EIO, "cannot read --from-json '%s': %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	return rc;
}

/* Ids from `list --output json` (an array of tests), {"data":[...]}, or an
 * array of id strings; NDJSON lines too. */
static int ids_from_value(struct ddci_strv *ids, const cJSON *v, const char *path)
{
	const cJSON *arr = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "data") : v, *it;
	int rc;

	if (cJSON_IsObject(arr)) { /* one test (NDJSON line) */
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(arr, "id");
		if (!cJSON_IsString(id))
			return ddci_error_set(DDCI_EUSAGE, "invalid --from-json '%s': a test without an \"id\"", path);
		return ddci_strv_push(ids, id->valuestring);
	}
	if (!cJSON_IsArray(arr))
		return ddci_error_set(DDCI_EUSAGE, "invalid --from-json '%s': expected an array of flaky tests", path);
	cJSON_ArrayForEach(it, arr) {
		const cJSON *id = cJSON_IsString(it) ? it : cJSON_GetObjectItemCaseSensitive(it, "id");
		if (!cJSON_IsString(id) || !*id->valuestring)
			return ddci_error_set(DDCI_EUSAGE, "invalid --from-json '%s': a test without an \"id\"", path);
		if ((rc = ddci_strv_push(ids, id->valuestring)) < 0)
			return rc;
	}
	return 0;
}

static int ids_from_json(struct ddci_strv *ids, const char *path)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	cJSON *v = NULL;
	int rc;

	if ((rc = read_file(&b, path)) < 0)
		goto done;
	v = cJSON_Parse(ddci_buf_str(&b));
	if (v) {
		rc = ids_from_value(ids, v, path);
		goto done;
	}
	/* NDJSON: one test per line. */
	for (char *line = b.ptr, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!line[strspn(line, " \t\r")])
			continue;
		cJSON_Delete(v);
		if (!(v = cJSON_Parse(line))) {
			rc = ddci_error_set(DDCI_EUSAGE, "invalid --from-json '%s': not JSON", path);
			goto done;
		}
		if ((rc = ids_from_value(ids, v, path)) < 0)
			goto done;
	}
done:
	cJSON_Delete(v);
	ddci_buf_release(&b);
	return rc;
}

struct set_ctx {
	int json;
	cJSON *results;
};

static void on_result(void *ctx, const char *id, int ok, const char *error)
{
	struct set_ctx *sc = ctx;

	if (sc->json) {
		cJSON *o = cJSON_CreateObject();
		if (!o)
			return;
		cJSON_AddItemToArray(sc->results, o);
		if (id)
			cJSON_AddStringToObject(o, "id", id);
		cJSON_AddBoolToObject(o, "success", ok);
		if (error)
			cJSON_AddStringToObject(o, "error", error);
		return;
	}
	if (ok)
		ddci_print(stdout, "%s\tok\n", id);
	else
		ddci_print(stderr, "ddci-flaky: %s: %s\n", id ? id : "(batch)", error && *error ? error : "not updated");
}

static int cmd_set_state(struct ddci_client *c, struct args *a, int argc, char **argv, int first,
			 const struct ddci_config *cfg)
{
	struct ddci_strv ids = DDCI_STRV_INIT;
	struct ddci_flaky_update_result res;
	struct set_ctx sc = { cfg->output == DDCI_OUTPUT_JSON, NULL };
	int rc;

	if (!a->state) {
		rc = ddci_error_set(DDCI_EUSAGE, "set-state needs --state active|quarantined|disabled|fixed");
		goto done;
	}
	for (int i = first; i < argc; i++)
		if ((rc = ddci_strv_push(&ids, argv[i])) < 0)
			goto done;
	if (a->from_json && (rc = ids_from_json(&ids, a->from_json)) < 0)
		goto done;
	if (!ids.n) {
		rc = ddci_error_set(DDCI_EUSAGE, "set-state needs test ids (arguments or --from-json FILE)");
		goto done;
	}
	if (sc.json && !(sc.results = cJSON_CreateArray())) {
		rc = ddci_error_oom();
		goto done;
	}
	rc = ddci_flaky_update(&res, c, (const char *const *)ids.v, ids.n, a->state, (size_t)a->batch, on_result,
			       &sc);
	if (rc < 0 || res.dry_run)
		goto done;
	if (sc.json) {
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddStringToObject(o, "state", a->state) ||
		    !cJSON_AddNumberToObject(o, "succeeded", (double)res.succeeded) ||
		    !cJSON_AddNumberToObject(o, "failed", (double)res.failed) ||
		    !cJSON_AddNumberToObject(o, "batches", res.batches)) {
			cJSON_Delete(o);
			rc = ddci_error_oom();
			goto done;
		}
		cJSON_AddItemToObject(o, "results", sc.results);
		sc.results = NULL;
		rc = ddci_print_json(stdout, o, 1);
		cJSON_Delete(o);
		if (rc < 0)
			goto done;
	} else {
		fprintf(stderr, "%lld set to %s, %lld failed (%d batch%s)\n", (long long)res.succeeded, a->state,
			(long long)res.failed, res.batches, res.batches == 1 ? "" : "es");
	}
	if (res.failed)
		rc = ddci_error_set(DDCI_EREJECT, "%lld of %zu flaky tests could not be set to %s", (long long)res.failed,
				    ids.n, a->state);
done:
	cJSON_Delete(sc.results);
	ddci_strv_release(&ids);
	return rc;
}

int main(int argc, char **argv)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_gitmeta meta = DDCI_GITMETA_INIT;
	struct ddci_client client;
	struct args a = { 0 };
	const char *sub;
	int rc, first;

	ddci_client_init(&client, &cfg);
	rc = ddci_cli_parse(&first, &cmd, &cfg, &a, argc, argv);
	if (rc == 1) {
		rc = 0;
		goto done;
	}
	if (rc < 0 || (rc = ddci_cli_subcommand(&sub, &first, argc, argv, "list|set-state")) < 0)
		goto done;
	if ((rc = ddci_config_finish(&cfg, DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY)) < 0)
		goto done;
	ddci_cli_client(&client, &cfg);
	if (!strcmp(sub, "list")) {
		if ((rc = ddci_cli_no_more(first, argc, argv)) < 0)
			goto done;
		if (!a.all_repos && !a.repo_id) {
			if ((rc = ddci_gitmeta_read(&meta, cfg.repo_path, NULL, NULL, 0)) < 0)
				goto done;
			if (!meta.repository_id) {
				rc = ddci_error_set(DDCI_EUSAGE, "no repository: pass --repository-id or --all-repositories");
				goto done;
			}
		}
		a.scope.repository_id = a.all_repos ? NULL : a.repo_id ? a.repo_id : meta.repository_id;
		a.scope.service = cfg.service;
		a.scope.env = cfg.env;
		rc = cmd_list(&client, &a, cfg.output);
	} else {
		rc = cmd_set_state(&client, &a, argc, argv, first, &cfg);
	}
	if (rc == DDCI_DRY_RUN)
		rc = 0;
done:
	ddci_gitmeta_release(&meta);
	return ddci_cli_end(&cmd, &cfg, &client, rc);
}
