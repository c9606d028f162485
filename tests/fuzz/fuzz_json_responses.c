/* fuzz_json_responses — every parser of a Datadog response body: the JSON
 * reader itself, Datadog's error text, DORA deployments, flaky tests, the
 * test events cursor, aggregate buckets and points, case counts and the
 * Synthetics version renderer.  Whatever a server sends must never crash. */
#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "ddci/analytics.h"
#include "ddci/buf.h"
#include "ddci/cases.h"
#include "ddci/dora.h"
#include "ddci/flaky.h"
#include "ddci/http.h"
#include "ddci/json.h"
#include "ddci/synthetics.h"
#include "ddci/testevents.h"

#include "fuzz_common.h"

static void item(const cJSON *it)
{
	struct ddci_dora_dep dep;
	struct ddci_flaky_test ft;
	struct ddci_agg_bucket b;
	struct ddci_agg_point pt;
	struct ddci_buf out = DDCI_BUF_INIT;
	const cJSON *series = NULL, *p;
	char key[64];
	double v;
	size_t i;

	if (ddci_dora_dep_parse(&dep, it) == 0)
		ddci_dora_dep_release(&dep);
	(void)ddci_flaky_parse_test(&ft, it);
	b.by = cJSON_GetObjectItemCaseSensitive(it, "by");
	b.computes = cJSON_GetObjectItemCaseSensitive(it, "computes");
	(void)ddci_agg_bucket_key(&b, "@test.status", key, sizeof(key));
	for (i = 0; i < 3; i++) {
		(void)ddci_agg_bucket_total(&v, &b, i);
		if (ddci_agg_bucket_series(&series, &b, i) == 0 && series) {
			cJSON_ArrayForEach(p, series)
				(void)ddci_agg_point_parse(&pt, p);
		}
	}
	if (ddci_synth_render_version(&out, it) == 0)
		ddci_buf_release(&out);
	ddci_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), *err, *cursor = NULL;
	cJSON *root = NULL;
	const cJSON *d, *it;
	struct ddci_cases_result cr;

	if (!text)
		return 0;
	err = ddci_http_error_text(text);
	free(err);
	if (ddci_json_parse(&root, text, "response") == 0 && root) {
		d = cJSON_GetObjectItemCaseSensitive(root, "data");
		if (cJSON_IsArray(d)) {
			cJSON_ArrayForEach(it, d)
				item(it);
		} else if (d) {
			item(d);
			it = cJSON_GetObjectItemCaseSensitive(d, "buckets");
			if (cJSON_IsArray(it)) {
				const cJSON *bk;
				cJSON_ArrayForEach(bk, it)
					item(bk);
			}
		}
		item(root);
		if (ddci_testevents_next_cursor(&cursor, root) == 0)
			free(cursor);
		if (ddci_cases_parse(&cr, root) == 0)
			ddci_cases_result_release(&cr);
	}
	cJSON_Delete(root);
	free(text);
	return 0;
}
