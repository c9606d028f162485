/* fuzz_validate — ids, tags, enums, query terms, compute specs and report
 * escaping: every check a flag value goes through before a request. */
#include <stdint.h>
#include <stdlib.h>

#include "ddci/analytics.h"
#include "ddci/buf.h"
#include "ddci/cases.h"
#include "ddci/dora.h"
#include "ddci/flaky.h"
#include "ddci/remediation.h"
#include "ddci/report.h"
#include "ddci/strv.h"
#include "ddci/synthetics.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *p[8], *spec;
	size_t n = fuzz_split(&buf, p, 8, data, size), i;
	struct ddci_strv tags = DDCI_STRV_INIT;
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_agg_compute comp;
	struct ddci_synth_query sq = { 0 };
	struct ddci_cases_query cq = { 0 };
	enum ddci_dora_kind kind;
	enum ddci_remediation_type rt;
	char *q = NULL;

	if (!n) {
		free(buf);
		return 0;
	}
	(void)ddci_dora_check_id(p[0], "--id");
	(void)ddci_dora_check_ref(p[0], "--deployment-id");
	for (i = 0; i < n; i++)
		if (ddci_strv_push(&tags, p[i]) < 0)
			break;
	(void)ddci_dora_check_tags(&tags);
	(void)ddci_dora_kind_parse(&kind, p[0]);
	(void)ddci_remediation_type_parse(&rt, p[0], "--type");
	(void)ddci_flaky_check_sort(p[0]);
	(void)ddci_flaky_check_state(p[0], "--state");
	for (i = 0; i + 1 < n; i += 2)
		if (ddci_flaky_query_term(&b, p[i], p[i + 1]) < 0)
			break;
	ddci_buf_reset(&b);
	{
		struct ddci_flaky_scope s = { 0 };
		s.repository_id = p[0];
		s.branch = n > 1 ? p[1] : NULL;
		s.service = n > 2 ? p[2] : NULL;
		s.codeowner = n > 3 ? p[3] : NULL;
		s.query = n > 4 ? p[4] : NULL;
		if (ddci_flaky_query(&q, &s) == 0)
			free(q);
	}
	sq.public_id = p[0];
	(void)ddci_synth_check(&sq);
	cq.group_by = &tags;
	cq.query = p[0];
	(void)ddci_cases_check(&cq);
	if ((spec = strdup(p[0]))) {
		(void)ddci_agg_parse_compute(&comp, spec);
		free(spec);
	}
	(void)ddci_report_xml_escape(&b, p[0]);
	(void)ddci_report_md_escape(&b, p[0]);
	ddci_buf_release(&b);
	ddci_strv_release(&tags);
	free(buf);
	return 0;
}
