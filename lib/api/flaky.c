/* flaky.c — flaky test search (every page, one in memory) and state updates. */
#include "ddci/flaky.h"

#include <stdlib.h>
#include <string.h>

#include "ddci/endpoint.h"
#include "ddci/json.h"

const char *const ddci_flaky_sorts[] = {
	"fqn", "-fqn", "first_flaked", "-first_flaked", "last_flaked", "-last_flaked", "failure_rate",
	"-failure_rate", "pipelines_failed", "-pipelines_failed", "pipelines_duration_lost",
	"-pipelines_duration_lost", NULL,
};

const char *const ddci_flaky_states[] = { "active", "quarantined", "disabled", "fixed", NULL };

static int in_list(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

int ddci_flaky_check_sort(const char *sort)
{
	if (in_list(ddci_flaky_sorts, sort))
		return 0;
	return ddci_error_set(DDCI_EUSAGE,
			      "invalid --sort '%s': expected one of fqn, first_flaked, last_flaked, failure_rate, "
			      "pipelines_failed, pipelines_duration_lost (prefix '-' for descending)",
			      sort ? sort : "");
}

int ddci_flaky_check_state(const char *state, const char *what)
{
	if (in_list(ddci_flaky_states, state))
		return 0;
	return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': expected active, quarantined, disabled or fixed", what,
			      state ? state : "");
}

int ddci_flaky_query_term(struct ddci_buf *b, const char *key, const char *value)
{
	int quote = !*value || strpbrk(value, " \t:()/\"\\") != NULL;

	if (b->len)
		ddci_buf_addc(b, ' ');
	ddci_buf_addf(b, "%s:", key);
	if (!quote)
		return ddci_buf_adds(b, value);
	ddci_buf_addc(b, '"');
	for (const char *p = value; *p && !ddci_buf_error(b); p++) {
		if (*p == '"' || *p == '\\')
			ddci_buf_addc(b, '\\');
		ddci_buf_addc(b, *p);
	}
	return ddci_buf_addc(b, '"');
}

int ddci_flaky_query(char **out, const struct ddci_flaky_scope *s)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	const struct {
		const char *key, *value;
	} terms[] = {
		{ "flaky_test_state", s->state },       { "@git.repository.id_v2", s->repository_id },
		{ "@git.branch", s->branch },           { "@test.service", s->service },
		{ "env", s->env },                      { "@test.codeowners", s->codeowner },
	};
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]) && rc == 0; i++)
		if (terms[i].value && *terms[i].value)
			rc = ddci_flaky_query_term(&b, terms[i].key, terms[i].value);
	if (s->query && *s->query)
		ddci_buf_addf(&b, "%s%s", b.len ? " " : "", s->query);
	return ddci_flaky_query_end(out, &b);
}

int ddci_flaky_query_end(char **out, struct ddci_buf *b)
{
	int rc;

	*out = NULL;
	if (!b->len)
		ddci_buf_adds(b, "*");
	if ((rc = ddci_buf_error(b)) < 0) {
		ddci_buf_release(b);
		return rc;
	}
	*out = ddci_buf_detach(b);
	return 0;
}

int ddci_flaky_search_json(cJSON **out, const struct ddci_flaky_scope *s, const char *cursor)
{
	cJSON *attrs = cJSON_CreateObject(), *filter, *page, *doc = NULL;
	char *query = NULL;
	int64_t limit = s->page_limit > 0 ? s->page_limit : 100;
	int rc;

	*out = NULL;
	if (limit > DDCI_FLAKY_PAGE_MAX)
		limit = DDCI_FLAKY_PAGE_MAX;
	if ((rc = ddci_flaky_query(&query, s)) < 0)
		goto done;
	if (!attrs || !(filter = cJSON_AddObjectToObject(attrs, "filter")) ||
	    !cJSON_AddStringToObject(filter, "query", query) || !(page = cJSON_AddObjectToObject(attrs, "page")) ||
	    ddci_json_add_int64(page, "limit", limit) < 0 || ddci_json_add_str(page, "cursor", cursor) < 0 ||
	    ddci_json_add_str(attrs, "sort", s->sort) < 0) {
		rc = ddci_error_oom();
		goto done;
	}
	doc = ddci_jsonapi_wrap("search_flaky_tests_request", NULL, attrs);
	attrs = NULL;
	if (!doc) {
		rc = ddci_error_oom();
		goto done;
	}
	*out = doc;
done:
	cJSON_Delete(attrs);
	free(query);
	return rc;
}

static int str_array_opt(const cJSON **out, const cJSON *item, const char *path)
{
	const cJSON *v = ddci_json_path(item, path);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	/* The seed's own example has "envs": "prod": take a string as one value. */
	if (cJSON_IsArray(v) || cJSON_IsString(v)) {
		*out = v;
		return 0;
	}
	return ddci_error_set(DDCI_EPROTO, "field '%s' is not an array of strings", path);
}

int ddci_flaky_parse_test(struct ddci_flaky_test *t, const cJSON *item)
{
	const cJSON *a;
	int rc;

	memset(t, 0, sizeof(*t));
	t->item = item;
	t->failure_rate_pct = -1;
	if (!cJSON_IsObject(item))
		return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: a flaky test is not an object");
	if ((rc = ddci_json_get_str(&t->id, item, "id")) < 0)
		return rc;
	a = ddci_json_path(item, "attributes");
	if (!cJSON_IsObject(a))
		return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: flaky test '%s' has no attributes",
				      t->id);
	if ((rc = ddci_json_get_str_opt(&t->name, a, "name")) < 0 ||
	    (rc = ddci_json_get_str_opt(&t->suite, a, "suite")) < 0 ||
	    (rc = ddci_json_get_str_opt(&t->module, a, "module")) < 0 ||
	    (rc = ddci_json_get_str_opt(&t->state, a, "flaky_state")) < 0 ||
	    (rc = ddci_json_get_str_opt(&t->category, a, "flaky_category")) < 0 ||
	    (rc = ddci_json_get_str_opt(&t->first_flaked_sha, a, "first_flaked_sha")) < 0 ||
	    (rc = ddci_json_get_str_opt(&t->first_flaked_branch, a, "first_flaked_branch")) < 0 ||
	    (rc = ddci_json_get_str_opt(&t->last_flaked_sha, a, "last_flaked_sha")) < 0 ||
	    (rc = ddci_json_get_str_opt(&t->last_flaked_branch, a, "last_flaked_branch")) < 0 ||
	    (rc = ddci_json_get_str_opt(&t->source_file, a, "test_run_metadata.source_file")) < 0 ||
	    (rc = ddci_json_get_int64_opt(&t->source_start, a, "test_run_metadata.source_start")) < 0 ||
	    (rc = ddci_json_get_double_opt(&t->failure_rate_pct, a, "test_stats.failure_rate_pct")) < 0 ||
	    (rc = ddci_json_get_int64_opt(&t->failed_pipelines, a, "pipeline_stats.failed_pipelines")) < 0 ||
	    (rc = ddci_json_get_int64_opt(&t->lost_time_ms, a, "pipeline_stats.total_lost_time_ms")) < 0 ||
	    (rc = ddci_json_get_int64_opt(&t->first_flaked_ts, a, "first_flaked_ts")) < 0 ||
	    (rc = ddci_json_get_int64_opt(&t->last_flaked_ts, a, "last_flaked_ts")) < 0 ||
	    (rc = str_array_opt(&t->codeowners, a, "codeowners")) < 0 ||
	    (rc = str_array_opt(&t->services, a, "services")) < 0)
		return ddci_error_wrap(rc, "unexpected response from Datadog: flaky test '%s'", t->id);
	if (!t->state)
		t->state = "active";
	return 0;
}

/* Paging: the cursor comes from meta.pagination.next_page; the first page
 * has none. */
struct search_ctx {
	const struct ddci_flaky_scope *scope;
	struct ddci_flaky_stats *stats;
	int (*on_test)(void *ctx, const struct ddci_flaky_test *t);
	void *ctx;
};

static int search_next(struct ddci_pager *p, const cJSON *page)
{
	struct search_ctx *sc = p->ctx;
	const char *cursor = NULL;
	cJSON *body;
	int rc;

	if (page && (rc = ddci_json_get_str_opt(&cursor, page, "meta.pagination.next_page")) < 0)
		return ddci_error_wrap(rc, "unexpected response from Datadog");
	if (page && (!cursor || !*cursor))
		return 0;
	if ((rc = ddci_flaky_search_json(&body, sc->scope, cursor)) < 0)
		return rc;
	ddci_pager_set_request(p, NULL, body);
	return 1;
}

static int search_page(void *ctx, const cJSON *page)
{
	struct search_ctx *sc = ctx;
	const cJSON *data = ddci_json_path(page, "data"), *it;
	struct ddci_flaky_test t;
	int rc;

	if (!cJSON_IsArray(data))
		return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: '%s' in the flaky tests page",
				      data ? "data is not an array" : "no data array");
	cJSON_ArrayForEach(it, data) {
		if ((rc = ddci_flaky_parse_test(&t, it)) < 0)
			return rc;
		sc->stats->tests++;
		if (sc->on_test && (rc = sc->on_test(sc->ctx, &t)) != 0)
			return rc;
		if (sc->scope->max_tests > 0 && sc->stats->tests >= sc->scope->max_tests)
			return 1;
	}
	return 0;
}

int ddci_flaky_search(struct ddci_flaky_stats *stats, struct ddci_client *c, const struct ddci_flaky_scope *s,
		      int (*on_test)(void *ctx, const struct ddci_flaky_test *t), void *ctx)
{
	struct ddci_flaky_stats local;
	struct search_ctx sc = { s, stats ? stats : &local, on_test, ctx };
	struct ddci_pager p = { .call.path = DDCI_FLAKY_PATH, .next = search_next, .on_page = search_page, .ctx = &sc };

	memset(sc.stats, 0, sizeof(*sc.stats));
	return ddci_client_search_all(c, &p, DDCI_FAMILY_FLAKY, &sc.stats->pages);
}

int ddci_flaky_update_json(cJSON **out, const char *const *ids, size_t n, const char *state)
{
	cJSON *attrs = cJSON_CreateObject(), *tests, *t;
	int rc;

	*out = NULL;
	if ((rc = ddci_flaky_check_state(state, "--state")) < 0) {
		cJSON_Delete(attrs);
		return rc;
	}
	if (!attrs || !(tests = cJSON_AddArrayToObject(attrs, "tests")))
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		if (!ids[i] || !*ids[i]) {
			cJSON_Delete(attrs);
			return ddci_error_set(DDCI_EUSAGE, "empty flaky test id");
		}
		if (!(t = cJSON_CreateObject()))
			goto nomem;
		cJSON_AddItemToArray(tests, t);
		if (!cJSON_AddStringToObject(t, "id", ids[i]) || !cJSON_AddStringToObject(t, "new_state", state))
			goto nomem;
	}
	if (!(*out = ddci_jsonapi_wrap("update_flaky_test_state_request", NULL, attrs)))
		return ddci_error_oom();
	return 0;
nomem:
	cJSON_Delete(attrs);
	return ddci_error_oom();
}

static int read_results(struct ddci_flaky_update_result *res, const cJSON *doc, size_t sent,
			void (*on_result)(void *, const char *, int, const char *), void *ctx)
{
	const cJSON *results, *it;
	const char *id, *err;
	int ok, rc, has_errors = 0;
	int64_t seen = 0;

	if ((rc = ddci_json_get_array(&results, doc, "data.attributes.results")) < 0 ||
	    (rc = ddci_json_get_bool_opt(&has_errors, doc, "data.attributes.has_errors")) < 0)
		return ddci_error_wrap(rc, "unexpected response from Datadog");
	cJSON_ArrayForEach(it, results) {
		id = err = NULL;
		ok = 0;
		if ((rc = ddci_json_get_str(&id, it, "id")) < 0 || (rc = ddci_json_get_bool_opt(&ok, it, "success")) < 0 ||
		    (rc = ddci_json_get_str_opt(&err, it, "error")) < 0)
			return ddci_error_wrap(rc, "unexpected response from Datadog");
		seen++;
		if (ok)
			res->succeeded++;
		else
			res->failed++;
		if (on_result)
			on_result(ctx, id, ok, err);
	}
	/* Tests the response does not mention cannot be counted as updated. */
	if (seen < (int64_t)sent) {
		res->failed += (int64_t)sent - seen;
		if (on_result)
			on_result(ctx, NULL, 0, "the response did not report every test of the batch");
	}
	(void)has_errors;
	return 0;
}

int ddci_flaky_update(struct ddci_flaky_update_result *res, struct ddci_client *c, const char *const *ids,
		      size_t n, const char *state, size_t batch_size,
		      void (*on_result)(void *ctx, const char *id, int ok, const char *error), void *ctx)
{
	struct ddci_call call = { "PATCH", DDCI_FLAKY_PATH, NULL, DDCI_CALL_APP_KEY | DDCI_CALL_RETRY, NULL,
				  DDCI_FAMILY_FLAKY };
	cJSON *body = NULL, *doc = NULL;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (!batch_size)
		batch_size = DDCI_FLAKY_BATCH_DEFAULT;
	for (size_t off = 0; off < n; off += batch_size) {
		size_t k = n - off < batch_size ? n - off : batch_size;

		if ((rc = ddci_flaky_update_json(&body, ids + off, k, state)) < 0)
			goto done;
		call.body = body;
		rc = ddci_client_call(&doc, c, &call);
		res->batches++;
		if (rc == DDCI_DRY_RUN) {
			res->dry_run = 1;
			rc = 0;
		} else if (rc < 0) {
			goto done;
		} else {
			res->sent += (int64_t)k;
			if (!doc) {
				rc = ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: empty body");
				goto done;
			}
			if ((rc = read_results(res, doc, k, on_result, ctx)) < 0)
				goto done;
		}
		cJSON_Delete(body);
		cJSON_Delete(doc);
		body = doc = NULL;
	}
done:
	cJSON_Delete(body);
	cJSON_Delete(doc);
	return rc;
}
