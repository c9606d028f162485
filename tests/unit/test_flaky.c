/* Unit tests for flaky.c: query terms, request bodies, test parsing, PATCH bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/flaky.h"
#include "ddci/json.h"

static void test_flaky__query_from_scope(void **state)
{
	struct ddci_flaky_scope s = { .repository_id = "github.com/acme/shop", .branch = "main", .state = "active",
				      .service = "shop", .query = "@test.suite:Cart" };
	char *q = NULL;
	(void)state;
	assert_int_equal(ddci_flaky_query(&q, &s), 0);
	assert_string_equal(q, "flaky_test_state:active @git.repository.id_v2:\"github.com/acme/shop\" "
			       "@git.branch:main @test.service:shop @test.suite:Cart");
	free(q);
	struct ddci_flaky_scope empty = { 0 };
	assert_int_equal(ddci_flaky_query(&q, &empty), 0);
	assert_string_equal(q, "*");
	free(q);
}

static void test_flaky__query_term_quotes_and_escapes(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	(void)state;
	assert_int_equal(ddci_flaky_query_term(&b, "@git.branch", "feature/x"), 0);
	assert_int_equal(ddci_flaky_query_term(&b, "@test.name", "a \"b\" \\c"), 0);
	assert_int_equal(ddci_flaky_query_term(&b, "env", "prod"), 0);
	assert_string_equal(ddci_buf_str(&b), "@git.branch:\"feature/x\" @test.name:\"a \\\"b\\\" \\\\c\" env:prod");
	ddci_buf_release(&b);
}

static void test_flaky__search_body_has_cursor_limit_sort(void **state)
{
	struct ddci_flaky_scope s = { .repository_id = "github.com/a/b", .sort = "-failure_rate", .page_limit = 5000 };
	cJSON *doc = NULL;
	const char *v;
	int64_t n;
	(void)state;
	assert_int_equal(ddci_flaky_search_json(&doc, &s, "CUR"), 0);
	assert_int_equal(ddci_json_get_str(&v, doc, "data.type"), 0);
	assert_string_equal(v, "search_flaky_tests_request");
	assert_int_equal(ddci_json_get_str(&v, doc, "data.attributes.page.cursor"), 0);
	assert_string_equal(v, "CUR");
	assert_int_equal(ddci_json_get_int64(&n, doc, "data.attributes.page.limit"), 0);
	assert_int_equal(n, 1000);
	assert_int_equal(ddci_json_get_str(&v, doc, "data.attributes.sort"), 0);
	assert_string_equal(v, "-failure_rate");
	cJSON_Delete(doc);
	assert_int_equal(ddci_flaky_search_json(&doc, &s, NULL), 0);
	assert_null(ddci_json_path(doc, "data.attributes.page.cursor"));
	cJSON_Delete(doc);
}

static void test_flaky__parse_test(void **state)
{
	cJSON *it = cJSON_Parse("{\"id\":\"x1\",\"type\":\"flaky_test\",\"attributes\":{\"name\":\"t\",\"suite\":\"S\","
				"\"flaky_state\":\"quarantined\",\"first_flaked_sha\":\"abc1234\",\"codeowners\":[\"@a\"],"
				"\"envs\":\"prod\",\"pipeline_stats\":{\"failed_pipelines\":3,\"total_lost_time_ms\":1500},"
				"\"test_run_metadata\":{\"source_file\":\"t.py\",\"source_start\":10},"
				"\"test_stats\":{\"failure_rate_pct\":12.5}}}");
	struct ddci_flaky_test t;
	(void)state;
	assert_int_equal(ddci_flaky_parse_test(&t, it), 0);
	assert_string_equal(t.id, "x1");
	assert_string_equal(t.state, "quarantined");
	assert_string_equal(t.source_file, "t.py");
	assert_int_equal(t.source_start, 10);
	assert_int_equal(t.lost_time_ms, 1500);
	assert_true(t.failure_rate_pct > 12.49 && t.failure_rate_pct < 12.51);
	cJSON_Delete(it);
	/* missing optional fields: defaults; wrong types: an error naming the field */
	it = cJSON_Parse("{\"id\":\"x2\",\"attributes\":{\"test_run_metadata\":null}}");
	assert_int_equal(ddci_flaky_parse_test(&t, it), 0);
	assert_string_equal(t.state, "active");
	assert_true(t.failure_rate_pct < 0);
	assert_null(t.source_file);
	cJSON_Delete(it);
	it = cJSON_Parse("{\"id\":\"x3\",\"attributes\":{\"test_stats\":{\"failure_rate_pct\":\"high\"}}}");
	assert_int_equal(ddci_flaky_parse_test(&t, it), DDCI_EPROTO);
	assert_non_null(strstr(ddci_error_last(), "failure_rate_pct"));
	cJSON_Delete(it);
	it = cJSON_Parse("{\"attributes\":{}}");
	assert_int_equal(ddci_flaky_parse_test(&t, it), DDCI_EPROTO);
	cJSON_Delete(it);
}

static void test_flaky__update_body_and_enums(void **state)
{
	const char *ids[] = { "a", "b" };
	cJSON *doc = NULL;
	char *text;
	(void)state;
	assert_int_equal(ddci_flaky_update_json(&doc, ids, 2, "quarantined"), 0);
	text = ddci_json_print(doc);
	assert_string_equal(text, "{\"data\":{\"type\":\"update_flaky_test_state_request\",\"attributes\":{\"tests\":"
				  "[{\"id\":\"a\",\"new_state\":\"quarantined\"},{\"id\":\"b\",\"new_state\":\"quarantined\"}]}}}");
	free(text);
	cJSON_Delete(doc);
	assert_int_equal(ddci_flaky_update_json(&doc, ids, 2, "sleeping"), DDCI_EUSAGE);
	assert_null(doc);
	assert_int_equal(ddci_flaky_check_sort("pipelines_duration_lost"), 0);
	assert_int_equal(ddci_flaky_check_sort("-fqn"), 0);
	assert_int_equal(ddci_flaky_check_sort("name"), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--sort"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flaky__query_from_scope),
		cmocka_unit_test(test_flaky__query_term_quotes_and_escapes),
		cmocka_unit_test(test_flaky__search_body_has_cursor_limit_sort),
		cmocka_unit_test(test_flaky__parse_test),
		cmocka_unit_test(test_flaky__update_body_and_enums),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
