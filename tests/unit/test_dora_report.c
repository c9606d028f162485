/* Unit tests for dora_report.c: the four DORA figures on a hand-computed
 * fixture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/dora_render.h"
#include "ddci/dora_report.h"
#include "ddci/json.h"
#include "mermaid_check.h"

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

/* deps[0..3): d1 on day 1; d2 on day 2, failed and rolled back by d3,
 * finished 2 h later. */
static void rolled_back(struct ddci_dora_dep *deps, char *id1, char *id2, char *id3)
{
	deps[0].id = id1;
	deps[0].finished_ns = 1 * DAY;
	deps[1].id = id2;
	deps[1].finished_ns = 2 * DAY;
	deps[1].change_failure = 1;
	deps[1].remediation_id = id3;
	deps[2].id = id3;
	deps[2].finished_ns = 2 * DAY + 2 * H;
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
	rolled_back(deps, id1, id2, id3);
	deps[3].id = id4;
	deps[3].finished_ns = 5 * DAY;
	deps[3].change_failure = 1;

	assert_int_equal(ddci_dora_report_compute(&r, deps, 4, NULL, 0, lead, NULL, 5, 0, 7 * DAY), 0);
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
	assert_int_equal(ddci_dora_report_compute(&r, NULL, 0, NULL, 0, NULL, NULL, 0, 0, DAY), 0);
	assert_int_equal(r.deployments, 0);
	assert_true(r.change_failure_rate < 0);
	assert_int_equal(r.lead_median_ns, -1);
	assert_int_equal(r.restore_median_ns, -1);
}

/* 2024-01-01 was a Monday. */
#define MON INT64_C(1704067200000000000)

/* The fixture of test_dora_report__figures, 10 days into a 4-week window. */
static void fixture(struct ddci_dora_dep deps[4], char ids[4][8])
{
	memset(deps, 0, 4 * sizeof(*deps));
	for (int i = 0; i < 4; i++) {
		snprintf(ids[i], 8, "dep-%d", i + 1);
		deps[i].id = ids[i];
	}
	deps[0].finished_ns = MON + 1 * DAY;
	deps[1].finished_ns = MON + 2 * DAY;
	deps[1].change_failure = 1;
	deps[1].remediation_id = ids[2];
	deps[2].finished_ns = MON + 2 * DAY + 2 * H;
	deps[3].finished_ns = MON + 9 * DAY;
	deps[3].change_failure = 1;
}

static void test_dora_report__buckets_by_week(void **state)
{
	struct ddci_dora_dep deps[4];
	char ids[4][8];
	int64_t lead[] = { 5 * H, 1 * H, 3 * H, 26 * H };
	int64_t at[] = { MON + 1 * DAY, MON + 2 * DAY, MON + 2 * DAY, MON + 9 * DAY };
	struct ddci_dora_report r;
	(void)state;
	fixture(deps, ids);
	/* 28 days from a Wednesday: weeks start on Mondays */
	assert_int_equal(ddci_dora_report_compute(&r, deps, 4, NULL, 0, lead, at, 4, MON + 2 * DAY, MON + 30 * DAY), 0);
	assert_int_equal(r.bucket_ns, 7 * DAY);
	assert_int_equal(r.nbuckets, 5);
	assert_int_equal(r.buckets[0].start_ns, MON);
	assert_int_equal(r.buckets[1].start_ns, MON + 7 * DAY);
	assert_int_equal(r.buckets[0].deployments, 3);
	assert_int_equal(r.buckets[0].change_failures, 1);
	assert_int_equal(r.buckets[1].deployments, 1);
	assert_int_equal(r.buckets[1].change_failures, 1);
	assert_int_equal(r.buckets[2].deployments, 0);
	assert_int_equal(r.buckets[0].lead_samples, 3);
	assert_int_equal(r.buckets[0].lead_median_ns, 3 * H); /* 1 3 5 */
	assert_int_equal(r.buckets[1].lead_median_ns, 26 * H);
	assert_int_equal(r.buckets[2].lead_median_ns, -1);
	assert_int_equal(r.buckets[0].restores, 1);
	assert_int_equal(r.buckets[0].restore_median_ns, 2 * H);
	assert_int_equal(r.buckets[1].restore_median_ns, -1);
	/* the totals are unchanged */
	assert_int_equal(r.lead_median_ns, 4 * H); /* 1 3 5 26 */
	assert_int_equal(r.restore_median_ns, 2 * H);
}

static void test_dora_report__buckets_by_day_and_hour(void **state)
{
	struct ddci_dora_dep deps[4];
	char ids[4][8];
	struct ddci_dora_report r;
	(void)state;
	fixture(deps, ids);
	assert_int_equal(ddci_dora_report_compute(&r, deps, 4, NULL, 0, NULL, NULL, 0, MON, MON + 7 * DAY), 0);
	assert_int_equal(r.bucket_ns, DAY);
	assert_int_equal(r.nbuckets, 7);
	assert_int_equal(r.buckets[2].deployments, 2);
	assert_int_equal(r.buckets[6].deployments, 1); /* after the window: the last bucket */
	assert_int_equal(ddci_dora_report_compute(&r, deps, 4, NULL, 0, NULL, NULL, 0, MON + 90 * 60 * INT64_C(1000000000),
						  MON + DAY), 0);
	assert_int_equal(r.bucket_ns, H);
	assert_int_equal(r.nbuckets, 23); /* 01:00 .. 23:00 */
	assert_int_equal(r.buckets[0].start_ns, MON + H);
	/* a long window: never more than DDCI_DORA_MAX_BUCKETS */
	assert_int_equal(ddci_dora_report_compute(&r, deps, 4, NULL, 0, NULL, NULL, 0, MON, MON + 900 * DAY), 0);
	assert_true(r.nbuckets <= DDCI_DORA_MAX_BUCKETS);
	assert_true(r.buckets[r.nbuckets - 1].start_ns + r.bucket_ns >= MON + 900 * DAY);
}

static void test_dora_report__markdown_and_html(void **state)
{
	struct ddci_dora_dep deps[4];
	char ids[4][8];
	int64_t lead[] = { 5 * H, 1 * H, 3 * H, 26 * H };
	int64_t at[] = { MON + 1 * DAY, MON + 2 * DAY, MON + 2 * DAY, MON + 9 * DAY };
	struct ddci_dora_report r;
	struct ddci_buf b = DDCI_BUF_INIT;
	const char *s;
	(void)state;
	fixture(deps, ids);
	assert_int_equal(ddci_dora_report_compute(&r, deps, 4, NULL, 0, lead, at, 4, MON + 2 * DAY, MON + 30 * DAY), 0);
	assert_int_equal(ddci_dora_report_markdown(&b, &r, "shop", "prod"), 0);
	s = ddci_buf_str(&b);
	assert_int_equal(mermaid_blocks(s), 4);
	assert_non_null(strstr(s, "## 📈 DORA report: shop (prod)\n\n**4 deployments, change failure rate 50.0%**"));
	assert_non_null(strstr(s, "| change failure rate | 50.0% (2 of 4) |"));
	assert_non_null(strstr(s, "### Deployments per week\n"));
	assert_non_null(strstr(s, "x-axis [\"Jan 1\", \"Jan 8\", \"Jan 15\", \"Jan 22\", \"Jan 29\"]"));
	assert_non_null(strstr(s, "    bar \"deployments\" [3, 1, 0, 0, 0]\n"));
	assert_non_null(strstr(s, "### Lead time for changes per week (median)"));
	assert_non_null(strstr(s, "    y-axis \"lead time (hours)\" 0 --> 36\n    line \"lead time\" [3, 26, 0, 0, 0]\n"));
	assert_non_null(strstr(s, "| Jan 8 | 1d 2h |"));
	assert_non_null(strstr(s, "| Jan 15 | - |")); /* no deployment, no lead time */
	/* change failures in the failure colour */
	assert_non_null(strstr(s, "\"plotColorPalette\": \"#cf222e\""));
	assert_non_null(strstr(s, "    bar \"change failure rate\" [33.33, 100, 0, 0, 0]\n"));
	assert_non_null(strstr(s, "### Time to restore per week (median)"));
	ddci_buf_reset(&b);
	assert_int_equal(ddci_dora_report_html(&b, &r, "shop", NULL), 0);
	s = ddci_buf_str(&b);
	assert_non_null(strstr(s, "<div class=\"verdict v-info\" role=\"status\">"));
	assert_non_null(strstr(s, "<strong id=\"verdict\">4 deployments, change failure rate 50.0%</strong>"));
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "href="));
	{
		size_t n = 0;
		for (const char *p = s; (p = strstr(p, "<svg class=\"chart\"")); p++)
			n++;
		assert_int_equal(n, 4);
	}
	ddci_buf_release(&b);

	/* no deployments: the charts say so instead of drawing zeros */
	assert_int_equal(ddci_dora_report_compute(&r, NULL, 0, NULL, 0, NULL, NULL, 0, MON, MON + 7 * DAY), 0);
	assert_int_equal(ddci_dora_report_markdown(&b, &r, "shop", NULL), 0);
	s = ddci_buf_str(&b);
	assert_int_equal(mermaid_blocks(s), 0);
	assert_non_null(strstr(s, "**no deployments**"));
	assert_non_null(strstr(s, "_No deployments in the window._"));
	assert_non_null(strstr(s, "_No change failures in the window._"));
	ddci_buf_release(&b);
}

/* The text ddci-dora report prints, now rendered in the library: the
 * window, then one line per figure (d2 rolled back by d3, d4 open). */
static void test_dora_report__text(void **state)
{
	char id1[] = "dep-1", id2[] = "dep-2", id3[] = "dep-3";
	struct ddci_dora_dep deps[3];
	int64_t lead[] = { 1 * H, 3 * H };
	struct ddci_dora_report r;
	struct ddci_buf b = DDCI_BUF_INIT;
	const char *s;
	(void)state;
	memset(deps, 0, sizeof(deps));
	rolled_back(deps, id1, id2, id3);
	assert_int_equal(ddci_dora_report_compute(&r, deps, 3, NULL, 0, lead, NULL, 2, 0, 7 * DAY), 0);
	r.commits_missing = 2;
	assert_int_equal(ddci_dora_report_text(&b, &r, "shop", "prod", 1), 0);
	s = ddci_buf_str(&b);
	assert_non_null(strstr(s, "DORA report for shop (prod), 1970-01-01T00:00:00"));
	assert_non_null(strstr(s, "\ndeployment frequency   3 deployments: 0.43/day, 3.00/week\n"));
	assert_non_null(strstr(s, "\nlead time for changes  median 2h 00m, p90 3h 00m (2 commits)\n"));
	assert_non_null(strstr(s, "\n                       2 deployed commits are not in the local repository\n"));
	assert_non_null(strstr(s, "\nchange failure rate    33.3% (1 of 3)\n"));
	assert_non_null(strstr(s, "\ntime to restore        median 2h 00m (1 restored)\n"));
	ddci_buf_reset(&b);

	/* no repository: the lead time says how to get one */
	r.commits_missing = 0;
	assert_int_equal(ddci_dora_report_text(&b, &r, "shop", NULL, 0), 0);
	s = ddci_buf_str(&b);
	assert_non_null(strstr(s, "DORA report for shop, "));
	assert_non_null(strstr(s, "; no git repository: run inside the repository or pass --repo)\n"));
	assert_null(strstr(s, "deployed commits"));
	ddci_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dora_report__median_and_p90),
		cmocka_unit_test(test_dora_report__figures),
		cmocka_unit_test(test_dora_report__empty_window),
		cmocka_unit_test(test_dora_report__buckets_by_week),
		cmocka_unit_test(test_dora_report__buckets_by_day_and_hour),
		cmocka_unit_test(test_dora_report__markdown_and_html),
		cmocka_unit_test(test_dora_report__text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
