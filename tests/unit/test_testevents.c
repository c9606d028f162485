/* Unit tests for testevents.c: checks, requests, cursors, and paging
 * through a --dry-run client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/json.h"
#include "ddci/testevents.h"

static void test_testevents__check_names_the_flag(void **state)
{
	struct ddci_testevents_query q = DDCI_TESTEVENTS_QUERY_INIT;
	(void)state;
	assert_int_equal(ddci_testevents_check(&q), 0);
	q.sort = "-timestamp";
	assert_int_equal(ddci_testevents_check(&q), 0);
	q.sort = "time";
	assert_int_equal(ddci_testevents_check(&q), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--sort 'time'"));
	q.sort = NULL;
	q.limit = 1001;
	assert_int_equal(ddci_testevents_check(&q), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--page-size"));
	q.limit = 0;
	q.timezone = "UTC";
	assert_int_equal(ddci_testevents_check(&q), DDCI_EUSAGE);
	q.search = 1;
	assert_int_equal(ddci_testevents_check(&q), 0);
	q.has_time_offset = 1;
	assert_int_equal(ddci_testevents_check(&q), DDCI_EUSAGE);
	q.timezone = NULL;
	q.from_ms = 20;
	q.to_ms = 10;
	assert_int_equal(ddci_testevents_check(&q), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--from"));
}

static void test_testevents__list_path_is_escaped(void **state)
{
	struct ddci_testevents_query q = { .query = "@test.status:fail & x", .from_ms = 1700000000123,
					   .to_ms = 1700000360000, .sort = "-timestamp", .limit = 50 };
	char *path = NULL;
	cJSON *body = NULL;
	(void)state;
	assert_int_equal(ddci_testevents_request(&path, &body, &q, "a+b/c="), 0);
	assert_null(body);
	assert_string_equal(path, "/api/v2/ci/tests/events?filter%5Bquery%5D=%40test.status%3Afail%20%26%20x"
				  /* Finding 19.3: format: date-time, not epoch milliseconds. */
				  "&filter%5Bfrom%5D=2023-11-14T22%3A13%3A20.123Z&filter%5Bto%5D=2023-11-14T22%3A19%3A20.000Z"
				  "&sort=-timestamp&page%5Blimit%5D=50"
				  "&page%5Bcursor%5D=a%2Bb%2Fc%3D");
	free(path);
	q = (struct ddci_testevents_query)DDCI_TESTEVENTS_QUERY_INIT;
	assert_int_equal(ddci_testevents_request(&path, &body, &q, NULL), 0);
	assert_string_equal(path, "/api/v2/ci/tests/events");
	free(path);
}

static void test_testevents__search_body(void **state)
{
	struct ddci_testevents_query q = { .search = 1, .query = "@test.service:shop", .from_ms = 1, .to_ms = 2,
					   .sort = "timestamp", .limit = 25, .timezone = "GMT" };
	char *path = NULL, *text;
	cJSON *body = NULL;
	(void)state;
	assert_int_equal(ddci_testevents_request(&path, &body, &q, "CUR"), 0);
	assert_string_equal(path, "/api/v2/ci/tests/events/search");
	text = ddci_json_print(body);
	assert_string_equal(text, "{\"filter\":{\"query\":\"@test.service:shop\",\"from\":\"1\",\"to\":\"2\"},"
				  "\"options\":{\"timezone\":\"GMT\"},\"page\":{\"cursor\":\"CUR\",\"limit\":25},"
				  "\"sort\":\"timestamp\"}");
	free(text);
	free(path);
	cJSON_Delete(body);
	q = (struct ddci_testevents_query){ .search = 1, .has_time_offset = 1, .time_offset = -3600 };
	assert_int_equal(ddci_testevents_request(&path, &body, &q, NULL), 0);
	text = ddci_json_print(body);
	assert_string_equal(text, "{\"options\":{\"time_offset\":-3600}}");
	free(text);
	free(path);
	cJSON_Delete(body);
}

static void test_testevents__next_cursor(void **state)
{
	static const struct {
		const char *page, *cursor;
	} cases[] = {
		{ "{\"meta\":{\"page\":{\"after\":\"abc\"}}}", "abc" },
		{ "{\"meta\":{\"page\":{}},\"links\":{\"next\":\"https://app.datadoghq.com/api/v2/ci/tests/events?"
		  "filter[query]=foo&page[cursor]=eyJ%3D%3D&x=1\"}}", "eyJ==" },
		{ "{\"links\":{\"next\":\"/x?page%5Bcursor%5D=q%2Bz\"}}", "q+z" },
		{ "{\"meta\":{\"page\":{\"after\":\"\"}}}", NULL },
		{ "{\"meta\":{}}", NULL },
		{ "{\"links\":{\"next\":\"/x?page[limit]=2\"}}", NULL },
	};
	char *c;
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *p = cJSON_Parse(cases[i].page);
		assert_non_null(p);
		assert_int_equal(ddci_testevents_next_cursor(&c, p), 0);
		if (cases[i].cursor)
			assert_string_equal(c, cases[i].cursor);
		else
			assert_null(c);
		free(c);
		cJSON_Delete(p);
	}
	cJSON *bad = cJSON_Parse("{\"meta\":{\"page\":{\"after\":7}}}");
	assert_int_equal(ddci_testevents_next_cursor(&c, bad), DDCI_EPROTO);
	cJSON_Delete(bad);
}

static int count_event(void *ctx, const cJSON *ev)
{
	(void)ev;
	(*(int *)ctx)++;
	return 0;
}

static void test_testevents__dry_run_prints_the_first_request_only(void **state)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_client c;
	struct ddci_testevents_query q = { .query = "a", .limit = 2 };
	struct ddci_testevents_result res;
	int n = 0;
	struct ddci_testevents_sink sink = { count_event, NULL, NULL, &n };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	(void)state;
	assert_non_null(f);
	cfg.dry_run = 1;
	cfg.api_url = (char *)"http://127.0.0.1:9";
	ddci_client_init(&c, &cfg);
	c.out = f;
	assert_int_equal(ddci_testevents_fetch(&res, &c, &q, &sink), DDCI_DRY_RUN);
	fclose(f);
	assert_string_equal(text, "GET http://127.0.0.1:9/api/v2/ci/tests/events?filter%5Bquery%5D=a&page%5Blimit%5D=2\n");
	assert_int_equal(n, 0);
	assert_int_equal(c.requests, 0);
	free(text);
	ddci_client_release(&c);
	q.sort = "up";
	assert_int_equal(ddci_testevents_fetch(&res, &c, &q, &sink), DDCI_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_testevents__check_names_the_flag),
		cmocka_unit_test(test_testevents__list_path_is_escaped),
		cmocka_unit_test(test_testevents__search_body),
		cmocka_unit_test(test_testevents__next_cursor),
		cmocka_unit_test(test_testevents__dry_run_prints_the_first_request_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
