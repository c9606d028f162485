/* synthetics_report.c — ddci-synthetics-history's flags into a query, and
 * the versions written as they arrive (synthetics_report.h). */
#include "ddci/synthetics_report.h"

#include <stdlib.h>

#include "ddci/buf.h"
#include "ddci/output.h"
#include "ddci/timeutil.h"

int ddci_synth_history_query(struct ddci_synth_query *q, const struct ddci_synth_flags *a)
{
	int rc;

	if (a->since_version && (rc = ddci_parse_int64(&q->since_version, a->since_version, 0, INT64_MAX,
						       "--since-version")) < 0)
		return rc;
	if (a->since && (rc = ddci_time_parse(&q->since_ns, a->since, ddci_time_now_ns(), "--since")) < 0)
		return rc;
	if ((rc = ddci_parse_paging(&q->limit, &q->max_versions, a->page_size, DDCI_SYNTH_MAX_LIMIT, a->limit,
				    a->max_versions, "--max-versions")) < 0)
		return rc;
	return ddci_synth_check(q);
}

static int flushed(const struct ddci_synth_out *o)
{
	if (fflush(o->f) != 0 || ferror(o->f))
		return ddci_error_set(DDCI_EIO, "cannot write to %s", o->f_name);
	return 0;
}

/* Through the output boundary: JSON text, or lines for a terminal and a CI
 * log (a diff line from the server starting with "::" is not a command). */
static int on_version(void *ctx, const cJSON *v)
{
	struct ddci_synth_out *o = ctx;
	struct ddci_buf b = DDCI_BUF_INIT;
	char *clean;
	int rc;

	if (o->json) {
		fputs(o->n ? ",\n" : "[\n", o->f);
		rc = ddci_put_json(o->f, v, 0);
	} else {
		if (o->n)
			fputc('\n', o->f);
		rc = ddci_synth_render_version(&b, v);
		if (rc == 0 && !(clean = ddci_output_clean(ddci_buf_str(&b), DDCI_CHAN_LINES)))
			rc = DDCI_ENOMEM;
		else if (rc == 0) {
			fputs(clean, o->f);
			free(clean);
		}
		ddci_buf_release(&b);
	}
	o->n++;
	return rc == 0 ? flushed(o) : rc;
}

int ddci_synth_history_write(struct ddci_synth_result *res, struct ddci_client *c, const struct ddci_synth_query *q,
			     struct ddci_synth_out *o)
{
	int rc = ddci_synth_history(res, c, q, on_version, o);

	if (rc != 0)
		return rc;
	if (o->json)
		fputs(o->n ? "\n]\n" : "[]\n", o->f);
	else if (o->n == 0)
		fprintf(o->f, "no versions%s\n", q->since_version || q->since_ns ? " since then" : "");
	return flushed(o);
}
