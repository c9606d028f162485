/* Unit tests for dora.c: ids, tags, request bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/dora.h"
#include "ddci/json.h"

static void test_dora__id_rules(void **state)
{
	(void)state;
	assert_int_equal(ddci_dora_check_id("abcdefghijklmnop", "--id"), 0);
	assert_int_equal(ddci_dora_check_id("a-b_c.d:e0123456789", "--id"), 0);
	assert_int_equal(ddci_dora_check_id("short", "--id"), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--id"));
	assert_int_equal(ddci_dora_check_id("abcdefghijklmnop/", "--id"), DDCI_EUSAGE);
	assert_int_equal(ddci_dora_check_id("abcdefghijklmnop q", "--id"), DDCI_EUSAGE);
	char long_id[130];
	memset(long_id, 'a', 129);
	long_id[129] = '\0';
	assert_int_equal(ddci_dora_check_id(long_id, "--id"), DDCI_EUSAGE);
	long_id[128] = '\0';
	assert_int_equal(ddci_dora_check_id(long_id, "--id"), 0);
}

static void test_dora__tags(void **state)
{
	struct ddci_strv t = DDCI_STRV_INIT;
	char buf[16];
	(void)state;
	assert_int_equal(ddci_dora_check_tags(&t), 0);
	assert_int_equal(ddci_strv_push(&t, "team:core"), 0);
	assert_int_equal(ddci_strv_push(&t, "url:https://x"), 0);
	assert_int_equal(ddci_dora_check_tags(&t), 0);
	for (int i = 0; i < 98; i++) {
		snprintf(buf, sizeof(buf), "k%d:v", i);
		assert_int_equal(ddci_strv_push(&t, buf), 0);
	}
	assert_int_equal(ddci_dora_check_tags(&t), 0);
	assert_int_equal(ddci_strv_push(&t, "one:toomany"), 0);
	assert_int_equal(ddci_dora_check_tags(&t), DDCI_EUSAGE);
	ddci_strv_release(&t);
	const char *bad[] = { "nocolon", ":value", "key:", "" };
	for (size_t i = 0; i < 4; i++) {
		struct ddci_strv b = DDCI_STRV_INIT;
		assert_int_equal(ddci_strv_push(&b, bad[i]), 0);
		assert_int_equal(ddci_dora_check_tags(&b), DDCI_EUSAGE);
		assert_non_null(strstr(ddci_error_last(), "--tag"));
		ddci_strv_release(&b);
	}
}

static void test_dora__derived_ids_are_stable_and_distinct(void **state)
{
	struct ddci_deployment a = { .service = "shop", .env = "prod", .commit_sha = "abc", .started_ns = 1 };
	struct ddci_deployment b = a;
	char x[DDCI_ID_MAX], y[DDCI_ID_MAX];
	(void)state;
	ddci_dora_deployment_id(x, &a);
	ddci_dora_deployment_id(y, &b);
	assert_string_equal(x, y);
	assert_int_equal(ddci_dora_check_id(x, "id"), 0);
	assert_int_equal(strncmp(x, "ddci-dep-", 9), 0);
	b.env = "staging";
	ddci_dora_deployment_id(y, &b);
	assert_string_not_equal(x, y);
	/* NUL separators: ("ab","c") differs from ("a","bc") */
	b = a;
	b.service = "shopp";
	b.env = "rod";
	ddci_dora_deployment_id(y, &b);
	assert_string_not_equal(x, y);
	b.id = "given-id-0123456789";
	ddci_dora_deployment_id(y, &b);
	assert_string_equal(y, "given-id-0123456789");
}

static void test_dora__deployment_body(void **state)
{
	struct ddci_strv tags = DDCI_STRV_INIT;
	struct ddci_deployment d = {
		.service = "shop", .env = "prod", .version = "1.0", .started_ns = INT64_C(1795639027123456789),
		.finished_ns = INT64_C(1795639028000000001), .commit_sha = "66adc9350f2cc9b250b69abddab733dd55e1a588",
		.repository_url = "https://github.com/acme/shop.git", .tags = &tags,
	};
	cJSON *body = NULL;
	char *text;
	(void)state;
	assert_int_equal(ddci_strv_push(&tags, "a:b"), 0);
	assert_int_equal(ddci_dora_deployment_json(&body, &d), 0);
	text = ddci_json_print(body);
	assert_non_null(strstr(text, "\"started_at\":1795639027123456789"));
	assert_non_null(strstr(text, "\"finished_at\":1795639028000000001"));
	assert_non_null(strstr(text, "\"git\":{\"commit_sha\":\"66adc9350f2cc9b250b69abddab733dd55e1a588\""));
	assert_non_null(strstr(text, "\"custom_tags\":[\"a:b\"]"));
	assert_null(strstr(text, "\"team\""));
	assert_null(strstr(text, "e+"));
	free(text);
	cJSON_Delete(body);
	ddci_strv_release(&tags);
}

static void test_dora__failure_body(void **state)
{
	struct ddci_strv svc = DDCI_STRV_INIT;
	struct ddci_failure f = { .name = "down", .severity = "High", .services = &svc, .started_ns = 5 };
	cJSON *body = NULL;
	char *text;
	(void)state;
	assert_int_equal(ddci_strv_push(&svc, "shop"), 0);
	assert_int_equal(ddci_dora_failure_json(&body, &f), 0);
	text = ddci_json_print(body);
	assert_non_null(strstr(text, "\"services\":[\"shop\"]"));
	assert_non_null(strstr(text, "\"started_at\":5"));
	assert_null(strstr(text, "finished_at"));
	assert_non_null(strstr(text, "\"id\":\"ddci-fail-"));
	free(text);
	cJSON_Delete(body);
	ddci_strv_release(&svc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dora__id_rules),
		cmocka_unit_test(test_dora__tags),
		cmocka_unit_test(test_dora__derived_ids_are_stable_and_distinct),
		cmocka_unit_test(test_dora__deployment_body),
		cmocka_unit_test(test_dora__failure_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
