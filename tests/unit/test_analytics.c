/* Unit tests for analytics.c: aggregate requests, computes, buckets, points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/analytics.h"
#include "ddci/json.h"

static void test_analytics__request_json(void **state)
{
	struct ddci_agg_request r = { .query = "@test.service:shop", .from_ms = 1700000000000, .to_ms = 1700000600000 };
	cJSON *doc = NULL;
	char *text;
	(void)state;
	r.ncomputes = 2;
	r.computes[0].aggregation = "count";
	r.computes[1].aggregation = "pc95";
	r.computes[1].metric = "@duration";
	r.computes[1].timeseries = 1;
	r.computes[1].interval = "1h";
	r.ngroups = 1;
	r.groups[0].facet = "@test.status";
	r.groups[0].limit = 10;
	assert_int_equal(ddci_agg_request_json(&doc, &r), 0);
	text = ddci_json_print(doc);
	assert_string_equal(text, "{\"compute\":[{\"aggregation\":\"count\",\"type\":\"total\"},{\"aggregation\":\"pc95\","
				  "\"metric\":\"@duration\",\"type\":\"timeseries\",\"interval\":\"1h\"}],\"filter\":{"
				  "\"query\":\"@test.service:shop\",\"from\":\"1700000000000\",\"to\":\"1700000600000\"},"
				  /* Finding 19.4: no page.cursor, which the request schema does not have. */
				  "\"group_by\":[{\"facet\":\"@test.status\",\"limit\":10}]}");
	free(text);
	cJSON_Delete(doc);
}

static void test_analytics__parse_compute(void **state)
{
	struct ddci_agg_compute c;
	char a[] = "avg:@duration", b[] = "count", bad[] = "mean:@duration", nometric[] = "avg";
	(void)state;
	assert_int_equal(ddci_agg_parse_compute(&c, a), 0);
	assert_string_equal(c.aggregation, "avg");
	assert_string_equal(c.metric, "@duration");
	assert_int_equal(ddci_agg_parse_compute(&c, b), 0);
	assert_null(c.metric);
	assert_int_equal(ddci_agg_parse_compute(&c, bad), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--compute"));
	assert_int_equal(ddci_agg_parse_compute(&c, nometric), DDCI_EUSAGE);
}

static void test_analytics__bucket_values(void **state)
{
	cJSON *it = cJSON_Parse("{\"by\":{\"@test.status\":\"fail\",\"@n\":42},\"computes\":{\"c0\":17,\"c1\":\"2.5\","
				"\"c2\":[{\"time\":\"2024-01-01T00:00:00.000Z\",\"value\":3},{\"time\":1704067200000,\"value\":null}],"
				"\"c3\":\"x\"}}");
	struct ddci_agg_bucket b = { cJSON_GetObjectItem(it, "by"), cJSON_GetObjectItem(it, "computes") };
	struct ddci_agg_point p;
	const cJSON *series;
	char buf[32];
	double v;
	(void)state;
	assert_string_equal(ddci_agg_bucket_key(&b, "@test.status", buf, sizeof(buf)), "fail");
	assert_string_equal(ddci_agg_bucket_key(&b, "@n", buf, sizeof(buf)), "42");
	assert_string_equal(ddci_agg_bucket_key(&b, "@none", buf, sizeof(buf)), "");
	assert_int_equal(ddci_agg_bucket_total(&v, &b, 0), 0);
	assert_true(v == 17);
	assert_int_equal(ddci_agg_bucket_total(&v, &b, 1), 0);
	assert_true(v == 2.5);
	assert_int_equal(ddci_agg_bucket_total(&v, &b, 3), DDCI_EPROTO);
	assert_int_equal(ddci_agg_bucket_total(&v, &b, 7), 0);
	assert_true(v == 0);
	assert_int_equal(ddci_agg_bucket_series(&series, &b, 2), 0);
	assert_int_equal(cJSON_GetArraySize(series), 2);
	assert_int_equal(ddci_agg_point_parse(&p, cJSON_GetArrayItem(series, 0)), 0);
	assert_int_equal(p.time_ms, 1704067200000);
	assert_true(p.value == 3);
	assert_int_equal(ddci_agg_point_parse(&p, cJSON_GetArrayItem(series, 1)), 0);
	assert_int_equal(p.time_ms, 1704067200000);
	assert_int_equal(ddci_agg_bucket_series(&series, &b, 0), DDCI_EPROTO);
	cJSON_Delete(it);
	/* Found by fuzzing: a time too large for int64 is a protocol error, not UB. */
	it = cJSON_Parse("[{\"time\":1.7e28,\"value\":1},{\"time\":-5,\"value\":1}]");
	assert_non_null(it);
	assert_int_equal(ddci_agg_point_parse(&p, cJSON_GetArrayItem(it, 0)), DDCI_EPROTO);
	assert_int_equal(ddci_agg_point_parse(&p, cJSON_GetArrayItem(it, 1)), DDCI_EPROTO);
	cJSON_Delete(it);
}

/* What ddci-failrate-gate judges (moved out of the command). */
static void test_analytics__scope_query(void **state)
{
	char *q = NULL;

	(void)state;
	assert_int_equal(ddci_agg_scope_query(&q, NULL, "github.com/acme/shop", "web", "feat/x y", "ci"), 0);
	assert_string_equal(q, "@git.repository.id_v2:\"github.com/acme/shop\" @test.service:web "
			       "@git.branch:\"feat/x y\" env:ci");
	free(q);
	/* A query replaces the repository, not the narrowing. */
	assert_int_equal(ddci_agg_scope_query(&q, "@test.suite:a", "github.com/acme/shop", NULL, NULL, "ci"), 0);
	assert_string_equal(q, "@test.suite:a env:ci");
	free(q);
	assert_int_equal(ddci_agg_scope_query(&q, NULL, NULL, NULL, NULL, NULL), 0);
	assert_string_equal(q, "*");
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analytics__request_json),
		cmocka_unit_test(test_analytics__parse_compute),
		cmocka_unit_test(test_analytics__bucket_values),
		cmocka_unit_test(test_analytics__scope_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
