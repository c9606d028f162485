/* flaky_report.c — ddci-flaky's tests, ids and state changes, written
 * (flaky_report.h). */
#include "ddci/flaky_report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/buf.h"
#include "ddci/gitmeta.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/timeutil.h"

/* ---- list ---- */

static int on_test(void *ctx, const struct ddci_flaky_test *t)
{
	struct ddci_flaky_out *o = ctx;
	char rate[16] = "-", lost[32];
	int rc = 0;

	if (o->format == DDCI_OUTPUT_JSON || o->format == DDCI_OUTPUT_NDJSON) {
		if (o->format == DDCI_OUTPUT_JSON)
			fputs(o->n ? ",\n" : "[\n", o->f);
		rc = ddci_print_json(o->f, t->item, 0);
	} else {
		if (!o->n)
			fprintf(o->f, "%-20s %-11s %8s %10s  %s\n", "ID", "STATE", "FAILURE", "LOST", "TEST");
		if (t->failure_rate_pct >= 0)
			snprintf(rate, sizeof(rate), "%.2f%%", t->failure_rate_pct);
		ddci_duration_format(lost, sizeof(lost), t->lost_time_ms);
		ddci_print(o->f, "%-20s %-11s %8s %10s  %s%s%s%s%s\n", t->id, t->state, rate, lost,
			   t->module ? t->module : "", t->module ? " " : "", t->suite ? t->suite : "",
			   t->suite ? "." : "", t->name ? t->name : "");
	}
	o->n++;
	return rc;
}

int ddci_flaky_list_write(struct ddci_flaky_stats *st, struct ddci_client *c, const struct ddci_flaky_scope *s,
			  struct ddci_flaky_out *o)
{
	int rc = ddci_flaky_search(st, c, s, on_test, o);

	if (o->format == DDCI_OUTPUT_JSON && rc == 0)
		fputs(o->n ? "\n]\n" : "[]\n", o->f);
	else if (o->format == DDCI_OUTPUT_JSON && o->n)
		fputs("\n]\n", o->f); /* keep what was printed parseable */
	return rc;
}

/* ---- ids from --from-json ---- */

static int read_all(struct ddci_buf *b, const char *path, FILE *dash)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : dash;
	char chunk[8192];
	size_t n;
	int rc = 0;

	if (!f)
		return ddci_error_set(DDCI_EIO, "cannot read --from-json '%s': %s", path, strerror(errno));
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = ddci_buf_add(b, chunk, n);
	if (rc == 0 && ferror(f))
		rc = ddci_error_set(DDCI_EIO, "cannot read --from-json '%s': %s", path, strerror(errno));
	if (f != dash)
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

int ddci_flaky_ids_from_json(struct ddci_strv *ids, const char *path, FILE *dash)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	cJSON *v = NULL;
	int rc;

	if ((rc = read_all(&b, path, dash)) < 0)
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

/* ---- set-state ---- */

struct set_ctx {
	struct ddci_flaky_out *o;
	cJSON *results; /* JSON: one object per test */
};

static void on_result(void *ctx, const char *id, int ok, const char *error)
{
	struct set_ctx *sc = ctx;

	if (sc->results) {
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
		ddci_print(sc->o->f, "%s\tok\n", id);
	else
		ddci_print(sc->o->notices, "%s: %s: %s\n", sc->o->prog, id ? id : "(batch)",
			   error && *error ? error : "not updated");
}

static int print_results(FILE *f, const struct ddci_flaky_update_result *res, const char *state, cJSON *results)
{
	cJSON *o = cJSON_CreateObject();
	int rc;

	if (!o || !cJSON_AddStringToObject(o, "state", state) ||
	    !cJSON_AddNumberToObject(o, "succeeded", (double)res->succeeded) ||
	    !cJSON_AddNumberToObject(o, "failed", (double)res->failed) ||
	    !cJSON_AddNumberToObject(o, "batches", res->batches)) {
		cJSON_Delete(o);
		cJSON_Delete(results);
		return ddci_error_oom();
	}
	cJSON_AddItemToObject(o, "results", results);
	rc = ddci_print_json(f, o, 1);
	cJSON_Delete(o);
	return rc;
}

int ddci_flaky_set_state_write(struct ddci_flaky_update_result *res, struct ddci_client *c,
			       const char *const *ids, size_t n, const char *state, size_t batch_size,
			       struct ddci_flaky_out *o)
{
	struct set_ctx sc = { o, NULL };
	int rc;

	if (o->format == DDCI_OUTPUT_JSON && !(sc.results = cJSON_CreateArray()))
		return ddci_error_oom();
	rc = ddci_flaky_update(res, c, ids, n, state, batch_size, on_result, &sc);
	if (rc < 0 || res->dry_run || !sc.results) {
		cJSON_Delete(sc.results);
		return rc;
	}
	return print_results(o->f, res, state, sc.results);
}

int ddci_flaky_list_repo(const char **repository_id, char **owned, const char *repo_path, const char *repo_id,
			 int all_repos)
{
	struct ddci_gitmeta meta = DDCI_GITMETA_INIT;
	int rc;

	*repository_id = all_repos ? NULL : repo_id;
	*owned = NULL;
	if (all_repos || repo_id)
		return 0;
	if ((rc = ddci_gitmeta_read(&meta, repo_path, NULL, NULL, 0)) < 0)
		goto done;
	if (!meta.repository_id)
		rc = ddci_error_set(DDCI_EUSAGE, "no repository: pass --repository-id or --all-repositories");
	else if (!(*owned = strdup(meta.repository_id)))
		rc = ddci_error_oom();
	else
		*repository_id = *owned;
done:
	ddci_gitmeta_release(&meta);
	return rc;
}
