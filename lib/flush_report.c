/* flush_report.c — ddci-flush's counts as text or JSON (flush_report.h). */
#include "ddci/flush_report.h"

#include "ddci/endpoint.h"
#include "ddci/json.h"
#include "ddci/output.h"

int ddci_flush_report(FILE *f, enum ddci_output format, const struct ddci_flush_stats *st)
{
	int left = st->found - st->sent - st->rejected;
	cJSON *o;
	int rc;

	if (left < 0)
		left = 0;
	if (format != DDCI_OUTPUT_JSON) {
		fprintf(f, "%d delivered, %d rejected, %d left\n", st->sent, st->rejected, left);
		return 0;
	}
	o = cJSON_CreateObject();
	if (!o || ddci_json_add_int64(o, "delivered", st->sent) < 0 ||
	    ddci_json_add_int64(o, "rejected", st->rejected) < 0 || ddci_json_add_int64(o, "left", left) < 0) {
		cJSON_Delete(o);
		return ddci_error_oom();
	}
	rc = ddci_print_json(f, o, 1);
	cJSON_Delete(o);
	return rc;
}

int ddci_flush_run(FILE *f, enum ddci_output format, struct ddci_client *c, const char *spool_dir)
{
	struct ddci_flush_stats st = { 0, 0, 0, 0 };
	int rc, prc;

	if (!spool_dir || !*spool_dir)
		return ddci_error_set(DDCI_EUSAGE, "missing --spool (or DDCI_SPOOL_DIR): which spool directory?");
	rc = ddci_flush(&st, c, spool_dir, ddci_endpoint_classify);
	if (rc == DDCI_DRY_RUN)
		rc = 0;
	prc = ddci_flush_report(f, format, &st);
	return rc == 0 ? prc : rc;
}
