/* Unit tests for dora_report.c: the four DORA figures on a hand-computed
 * fixture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/dora_report.h"
#include "ddci/json.h"

#define H (INT64_C(3600) * 1000000000)
#define DAY (24 * H)

static void test_dora_report__median_and_p90(void **state)
{
	int64_t one[] = { 7 }, even[] = { 40, 10, 30, 20 }, ten[] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	int64_t eleven[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	(void)state;
	assert_int_equal(ddci_median_ns(NULL, 0), -1);
	assert_int_equal(ddci_p90_ns(NULL, 0), -1);
	assert_int_equal(ddci_median_ns(one, 1), 7);
	assert_int_equal(ddci_p90_ns(one, 1), 7);
	assert_int_equal(ddci_median_ns(even, 4), 25); /* (20 + 30) / 2 */
	assert_int_equal(ddci_p90_ns(even, 4), 40);    /* rank ceil(3.6) = 4 */
	assert_int_equal(ddci_p90_ns(ten, 10), 9);     /* rank 9 */
	assert_int_equal(ddci_p90_ns(eleven, 11), 10); /* rank ceil(9.9) = 10 */
}

/* A 7-day window, 4 deployments: d2 failed and was rolled back by d3
 * (finished 2 h later); d4 failed and has no remediation yet. */
static void test_dora_report__figures(void **state)
{
	char id1[] = "dep-1", id2[] = "dep-2", id3[] = "dep-3", id4[] = "dep-4";
	struct ddci_dora_dep deps[4];
	int64_t lead[] = { 5 * H, 1 * H, 3 * H, 26 * H, 2 * H };
	struct ddci_dora_report r;
	cJSON *j = NULL;
	(void)state;
	memset(deps, 0, sizeof(deps));
	deps[0].id = id1;
	deps[0].finished_ns = 1 * DAY;
	deps[1].id = id2;
	deps[1].finished_ns = 2 * DAY;
	deps[1].change_failure = 1;
	deps[1].remediation_id = id3;
	deps[2].id = id3;
	deps[2].finished_ns = 2 * DAY + 2 * H;
	deps[3].id = id4;
	deps[3].finished_ns = 5 * DAY;
	deps[3].change_failure = 1;

	assert_int_equal(ddci_dora_report_compute(&r, deps, 4, lead, NULL, 5, 0, 7 * DAY), 0);
	assert_int_equal(r.deployments, 4);
	assert_true(r.per_day > 0.5714 && r.per_day < 0.5715); /* 4 / 7 */
	assert_true(r.per_week > 3.9999 && r.per_week < 4.0001);
	assert_int_equal(r.lead_samples, 5);
	assert_int_equal(r.lead_median_ns, 3 * H);  /* 1 2 3 5 26 */
	assert_int_equal(r.lead_p90_ns, 26 * H);    /* rank ceil(4.5) = 5 */
	assert_int_equal(r.change_failures, 2);
	assert_true(r.change_failure_rate > 0.4999 && r.change_failure_rate < 0.5001);
	assert_int_equal(r.restores, 1);
	assert_int_equal(r.restore_median_ns, 2 * H);
	assert_int_equal(lead[0], 5 * H); /* the caller's samples are not reordered */

	assert_int_equal(ddci_dora_report_json(&j, &r, "shop", "prod"), 0);
	char *text = ddci_json_print(j);
	assert_non_null(strstr(text, "\"deployments\":4"));
	assert_non_null(strstr(text, "\"lead_time_median_seconds\":10800"));
	assert_non_null(strstr(text, "\"time_to_restore_median_seconds\":7200"));
	assert_non_null(strstr(text, "\"change_failure_rate\":0.5"));
	free(text);
	cJSON_Delete(j);
}

static void test_dora_report__empty_window(void **state)
{
	struct ddci_dora_report r;
	(void)state;
	assert_int_equal(ddci_dora_report_compute(&r, NULL, 0, NULL, NULL, 0, 0, DAY), 0);
	assert_int_equal(r.deployments, 0);
	assert_true(r.change_failure_rate < 0);
	assert_int_equal(r.lead_median_ns, -1);
	assert_int_equal(r.restore_median_ns, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dora_report__median_and_p90),
		cmocka_unit_test(test_dora_report__figures),
		cmocka_unit_test(test_dora_report__empty_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
