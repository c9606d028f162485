/* Unit tests for synthetics.c: paths, checks and the rendering of changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/json.h"
#include "ddci/synthetics.h"

static cJSON *parse(const char *text)
{
	cJSON *v = cJSON_Parse(text);
	assert_non_null(v);
	return v;
}

static char *render_version(const char *json)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	cJSON *v = parse(json);

	assert_int_equal(ddci_synth_render_version(&b, v), 0);
	cJSON_Delete(v);
	return ddci_buf_detach(&b);
}

static void test_synthetics__check(void **state)
{
	struct ddci_synth_query q = { .public_id = "abc-def-ghi" };
	(void)state;
	assert_int_equal(ddci_synth_check(&q), 0);
	q.public_id = "abc/../x";
	assert_int_equal(ddci_synth_check(&q), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "PUBLIC_ID"));
	q.public_id = "";
	assert_int_equal(ddci_synth_check(&q), DDCI_EUSAGE);
	q.public_id = "abc-def-ghi";
	q.limit = 51;
	assert_int_equal(ddci_synth_check(&q), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--page-size"));
	q.limit = 50;
	q.since_version = -1;
	assert_int_equal(ddci_synth_check(&q), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--since-version"));
}

static void test_synthetics__path(void **state)
{
	struct ddci_synth_query q = { .public_id = "abc-def-ghi" };
	char *p = NULL;
	(void)state;
	assert_int_equal(ddci_synth_path(&p, &q, 0), 0);
	assert_string_equal(p, "/api/v2/synthetics/tests/abc-def-ghi/version_history");
	free(p);
	q.limit = 2;
	assert_int_equal(ddci_synth_path(&p, &q, 7), 0);
	assert_string_equal(p, "/api/v2/synthetics/tests/abc-def-ghi/version_history?limit=2&last_version_number=7");
	free(p);
	q.limit = 0;
	assert_int_equal(ddci_synth_path(&p, &q, 3), 0);
	assert_string_equal(p, "/api/v2/synthetics/tests/abc-def-ghi/version_history?last_version_number=3");
	free(p);
}

static void test_synthetics__diff_of_lines(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	(void)state;
	assert_int_equal(ddci_synth_render_diff(&b, "a\nb\nc\n", "a\nB\nc\nd\n", "> "), 0);
	assert_string_equal(ddci_buf_str(&b), ">  a\n> -b\n> +B\n>  c\n> +d\n");
	ddci_buf_reset(&b);
	assert_int_equal(ddci_synth_render_diff(&b, NULL, "new", ""), 0);
	assert_string_equal(ddci_buf_str(&b), "+new\n");
	ddci_buf_reset(&b);
	assert_int_equal(ddci_synth_render_diff(&b, "old", NULL, ""), 0);
	assert_string_equal(ddci_buf_str(&b), "-old\n");
	/* Found by fuzzing: two empty texts (no lines at all) diff to nothing,
	 * without pointer arithmetic on a NULL line array. */
	ddci_buf_reset(&b);
	assert_int_equal(ddci_synth_render_diff(&b, "", "", ""), 0);
	assert_string_equal(ddci_buf_str(&b), "");
	ddci_buf_release(&b);
}

static void test_synthetics__diff_elides_long_context(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	(void)state;
	assert_int_equal(ddci_synth_render_diff(&b, "1\n2\n3\n4\n5\n6\nx\n7\n8\n9\n10\n", "1\n2\n3\n4\n5\n6\ny\n7\n8\n9\n10\n", ""), 0);
	assert_string_equal(ddci_buf_str(&b), " ...\n 4\n 5\n 6\n-x\n+y\n 7\n 8\n 9\n ...\n");
	ddci_buf_release(&b);
}

static void test_synthetics__before_after_values(void **state)
{
	char *t;
	(void)state;
	t = render_version("{\"id\":\"u\",\"type\":\"version_metadata\",\"attributes\":{\"author_uuid\":\"a-b\","
			   "\"version_number\":5,\"version_payload_created_at\":\"2024-01-01T00:00:00+00:00\","
			   "\"change_metadata\":[{\"action\":\"updated\",\"action_metadata\":{\"property_path\":"
			   "\"config.request.url\",\"before_value\":\"https://x/v1\",\"after_value\":\"https://x/v2\"}}]}}");
	assert_string_equal(t, "version 5  2024-01-01T00:00:00+00:00  by a-b\n"
			       "  updated config.request.url\n"
			       "    --- before\n"
			       "    +++ after\n"
			       "    -https://x/v1\n"
			       "    +https://x/v2\n");
	free(t);
}

static void test_synthetics__non_string_values_are_json(void **state)
{
	char *t;
	(void)state;
	t = render_version("{\"attributes\":{\"version_number\":2,\"change_metadata\":[{\"action\":\"created\","
			   "\"action_metadata\":{\"property_path\":\"locations\",\"after_value\":[\"aws:eu-west-1\"]}}]}}");
	assert_non_null(strstr(t, "  created locations\n"));
	assert_non_null(strstr(t, "    +[\"aws:eu-west-1\"]\n"));
	assert_null(strstr(t, "    -["));
	free(t);
}

static void test_synthetics__diff_patches_become_hunks(void **state)
{
	char *t;
	(void)state;
	t = render_version("{\"attributes\":{\"version_number\":3,\"change_metadata\":[{\"action\":\"updated\","
			   "\"action_metadata\":{\"property_path\":\"message\",\"diff_patches\":[{\"start1\":4,\"start2\":4,"
			   "\"length1\":9,\"length2\":9,\"diffs\":[{\"operation\":\"EQUAL\",\"change_text\":\"ing \"},"
			   "{\"operation\":\"DELETE\",\"change_text\":\"1\"},{\"operation\":\"INSERT\",\"change_text\":\"2\"},"
			   "{\"operation\":\"equal\",\"change_text\":\"\\nend\"}]}]}}]}}");
	assert_string_equal(t, "version 3\n"
			       "  updated message\n"
			       "    --- before\n"
			       "    +++ after\n"
			       "    @@ -5,9 +5,9 @@\n"
			       "    -ing 1\n"
			       "    +ing 2\n"
			       "     end\n");
	free(t);
}

static void test_synthetics__hostile_input_is_rendered_safely(void **state)
{
	char *t;
	(void)state;
	/* control characters escaped; wrong types and missing fields tolerated */
	t = render_version("{\"attributes\":{\"version_number\":\"x\",\"author_uuid\":\"\\u001b[31mred\","
			   "\"change_metadata\":[1,{\"action\":7,\"action_metadata\":{\"diff_patches\":[{\"diffs\":"
			   "[{\"operation\":\"weird\",\"change_text\":\"a\"},{\"operation\":null},{}]},3]}},"
			   "{\"action_metadata\":\"nope\"}]}}");
	assert_non_null(strstr(t, "version ?"));
	assert_non_null(strstr(t, "\\x1b[31mred"));
	assert_null(strchr(t, 0x1b));
	assert_non_null(strstr(t, "unknown operations"));
	free(t);
	t = render_version("{}");
	assert_string_equal(t, "version ?\n  (no change details)\n");
	free(t);
	t = render_version("[]");
	assert_non_null(t);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetics__check),
		cmocka_unit_test(test_synthetics__path),
		cmocka_unit_test(test_synthetics__diff_of_lines),
		cmocka_unit_test(test_synthetics__diff_elides_long_context),
		cmocka_unit_test(test_synthetics__before_after_values),
		cmocka_unit_test(test_synthetics__non_string_values_are_json),
		cmocka_unit_test(test_synthetics__diff_patches_become_hunks),
		cmocka_unit_test(test_synthetics__hostile_input_is_rendered_safely),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
