/* test_json.c — int64 as exact text, the JSON:API envelope, getters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ddci/json.h"

static void test_json__int64_prints_exact(void **state)
{
	cJSON *o = cJSON_CreateObject();
	char *s;
	int64_t back = 0;

	(void)state;
	assert_non_null(o);
	assert_int_equal(ddci_json_add_int64(o, "ts", INT64_C(1795639027123456789)), 0);
	assert_int_equal(ddci_json_add_int64(o, "neg", INT64_MIN), 0);
	s = ddci_json_print(o);
	assert_non_null(s);
	assert_string_equal(s, "{\"ts\":1795639027123456789,\"neg\":-9223372036854775808}");
	/* A node we built reads back exactly. */
	assert_int_equal(ddci_json_get_int64(&back, o, "ts"), 0);
	assert_true(back == INT64_C(1795639027123456789));
	free(s);
	cJSON_Delete(o);
}

static void test_json__add_str_skips_empty(void **state)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	(void)state;
	assert_int_equal(ddci_json_add_str(o, "a", "x"), 0);
	assert_int_equal(ddci_json_add_str(o, "b", ""), 0);
	assert_int_equal(ddci_json_add_str(o, "c", NULL), 0);
	s = ddci_json_print(o);
	assert_string_equal(s, "{\"a\":\"x\"}");
	free(s);
	cJSON_Delete(o);
}

static void test_json__wrap(void **state)
{
	cJSON *attrs = cJSON_CreateObject();
	cJSON *doc;
	char *s;

	(void)state;
	assert_int_equal(ddci_json_add_str(attrs, "service", "shop"), 0);
	doc = ddci_jsonapi_wrap("dora_deployment", NULL, attrs);
	assert_non_null(doc);
	s = ddci_json_print(doc);
	assert_string_equal(s, "{\"data\":{\"type\":\"dora_deployment\",\"attributes\":{\"service\":\"shop\"}}}");
	free(s);
	cJSON_Delete(doc);

	doc = ddci_jsonapi_wrap(NULL, "abc", cJSON_CreateObject());
	s = ddci_json_print(doc);
	assert_string_equal(s, "{\"data\":{\"id\":\"abc\",\"attributes\":{}}}");
	free(s);
	cJSON_Delete(doc);
}

static const char *doc_text =
	"{\"data\":{\"id\":\"d1\",\"attributes\":{\"n\":42,\"big\":1795639027123456789,"
	"\"f\":1.5,\"ok\":true,\"nil\":null,\"list\":[{\"x\":\"first\"},{\"x\":\"second\"}]}},"
	"\"meta\":{\"pagination\":{\"next_page\":7}}}";

static void test_json__getters(void **state)
{
	cJSON *doc = NULL;
	const char *s = NULL;
	int64_t n = 0;
	double d = 0;
	int b = 0;
	const cJSON *arr = NULL;

	(void)state;
	assert_int_equal(ddci_json_parse(&doc, doc_text, "response"), 0);
	assert_int_equal(ddci_json_get_str(&s, doc, "data.id"), 0);
	assert_string_equal(s, "d1");
	assert_int_equal(ddci_json_get_int64(&n, doc, "data.attributes.n"), 0);
	assert_int_equal(n, 42);
	/* Parsed big integers go through a double: within a microsecond. */
	assert_int_equal(ddci_json_get_int64(&n, doc, "data.attributes.big"), 0);
	assert_true(llabs((long long)(n - INT64_C(1795639027123456789))) < 1000);
	assert_int_equal(ddci_json_get_double(&d, doc, "data.attributes.f"), 0);
	assert_true(d == 1.5);
	assert_int_equal(ddci_json_get_bool_opt(&b, doc, "data.attributes.ok"), 0);
	assert_int_equal(b, 1);
	assert_int_equal(ddci_json_get_array(&arr, doc, "data.attributes.list"), 0);
	assert_int_equal(cJSON_GetArraySize(arr), 2);
	assert_int_equal(ddci_json_get_str(&s, doc, "data.attributes.list.1.x"), 0);
	assert_string_equal(s, "second");

	/* Optional: absent or null leaves *out untouched. */
	s = "keep";
	assert_int_equal(ddci_json_get_str_opt(&s, doc, "data.attributes.nope"), 0);
	assert_string_equal(s, "keep");
	assert_int_equal(ddci_json_get_str_opt(&s, doc, "data.attributes.nil"), 0);
	assert_string_equal(s, "keep");
	n = 5;
	assert_int_equal(ddci_json_get_int64_opt(&n, doc, "x.y.z"), 0);
	assert_int_equal(n, 5);
	cJSON_Delete(doc);
}

static void test_json__getter_messages(void **state)
{
	cJSON *doc = NULL;
	const char *s = NULL;
	int64_t n = 0;

	(void)state;
	assert_int_equal(ddci_json_parse(&doc, doc_text, "response"), 0);
	assert_int_equal(ddci_json_get_str(&s, doc, "data.type"), DDCI_EPROTO);
	assert_string_equal(ddci_error_last(), "missing field 'data.type' in response");
	assert_int_equal(ddci_json_get_str(&s, doc, "meta.pagination.next_page"), DDCI_EPROTO);
	assert_string_equal(ddci_error_last(),
			    "field 'meta.pagination.next_page' is a number, expected a string");
	/* Wrong type is an error even for the optional form. */
	assert_int_equal(ddci_json_get_int64_opt(&n, doc, "data.id"), DDCI_EPROTO);
	assert_string_equal(ddci_error_last(), "field 'data.id' is a string, expected an integer");
	assert_int_equal(ddci_json_get_int64(&n, doc, "data.attributes.f"), DDCI_EPROTO);
	assert_non_null(strstr(ddci_error_last(), "expected an integer"));
	assert_int_equal(ddci_json_get_str(&s, doc, "data.attributes.nil"), DDCI_EPROTO);
	assert_string_equal(ddci_error_last(), "field 'data.attributes.nil' is null, expected a string");
	cJSON_Delete(doc);
}

static void test_json__parse_error_position(void **state)
{
	cJSON *doc = NULL;

	(void)state;
	assert_int_equal(ddci_json_parse(&doc, "{\"data\": {\"id\": x}}", "response"), DDCI_EPROTO);
	assert_null(doc);
	assert_string_equal(ddci_error_last(), "invalid JSON in response at byte 16");
	assert_int_equal(ddci_json_parse(&doc, "{} trailing", "response"), DDCI_EPROTO);
	assert_null(doc);
	assert_int_equal(ddci_json_parse(&doc, "", "response"), DDCI_EPROTO);
	assert_string_equal(ddci_error_last(), "empty response");
}

/* Finding 19.8: parsed int64 beyond 2^53 read and print exactly (no double round-trip). */
static void test_json__parsed_int64_exact(void **state)
{
	const char *in = "{\"s\":\"x\\\"1\",\"a\":1796280091771195122,\"b\":[1.5e3,-9007199254740993,3,{\"c\":1796280091771195123}]}";
	cJSON *doc = NULL;
	int64_t v = 0;
	double d = 0;
	char *text;
	(void)state;
	assert_int_equal(ddci_json_parse(&doc, in, "response"), 0);
	assert_int_equal(ddci_json_get_int64(&v, doc, "a"), 0);
	assert_true(v == INT64_C(1796280091771195122));
	assert_int_equal(ddci_json_get_int64(&v, doc, "b.1"), 0);
	assert_true(v == INT64_C(-9007199254740993));
	assert_int_equal(ddci_json_get_int64(&v, doc, "b.3.c"), 0);
	assert_true(v == INT64_C(1796280091771195123));
	assert_int_equal(ddci_json_get_double(&d, doc, "a"), 0);
	assert_true(d > 1.79e18);
	assert_true(cJSON_IsNumber(ddci_json_path(doc, "a")));
	text = ddci_json_print(doc);
	assert_string_equal(text, "{\"s\":\"x\\\"1\",\"a\":1796280091771195122,\"b\":[1500,-9007199254740993,3,"
				  "{\"c\":1796280091771195123}]}");
	free(text);
	assert_true(cJSON_IsNumber(ddci_json_path(doc, "a"))); /* printing leaves the types as they were */
	text = ddci_json_print_pretty(ddci_json_path(doc, "b"));
	assert_non_null(strstr(text, "-9007199254740993"));
	free(text);
	cJSON_Delete(doc);
}

static void test_json__utf8_valid(void **state)
{
	(void)state;
	assert_true(ddci_utf8_valid(""));
	assert_true(ddci_utf8_valid("plain ascii"));
	assert_true(ddci_utf8_valid("caf\xc3\xa9 \xe2\x98\x95 \xf0\x9d\x84\x9e"));
	assert_false(ddci_utf8_valid("\xff\xfe"));
	assert_false(ddci_utf8_valid("\xc0\xaf"));         /* overlong '/' */
	assert_false(ddci_utf8_valid("\xe0\x80\xaf"));     /* overlong */
	assert_false(ddci_utf8_valid("\xed\xa0\x80"));     /* surrogate */
	assert_false(ddci_utf8_valid("\xf4\x90\x80\x80")); /* above U+10FFFF */
	assert_false(ddci_utf8_valid("\xc3"));             /* cut short */
	assert_false(ddci_utf8_valid("a\xe2\x98"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json__utf8_valid),
		cmocka_unit_test(test_json__parsed_int64_exact),
		cmocka_unit_test(test_json__int64_prints_exact),
		cmocka_unit_test(test_json__add_str_skips_empty),
		cmocka_unit_test(test_json__wrap),
		cmocka_unit_test(test_json__getters),
		cmocka_unit_test(test_json__getter_messages),
		cmocka_unit_test(test_json__parse_error_position),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
