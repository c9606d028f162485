/* ddci-cases — count cases in Case Management, or gate a job on them.
 *
 * count prints the total and the count per group (status by default);
 * gate fails the job (exit 1) when more than --max cases match the query,
 * e.g. open P1 cases before a release.  Gates fail closed: when Datadog
 * cannot be read they exit 3 or 4 unless --fail-open. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/cases.h"
#include "ddci/cases_report.h"
#include "ddci/cli.h"
#include "ddci/client.h"
#include "ddci/output.h"
#include "ddci/strv.h"

enum { O_QUERY = 256, O_GROUP_BY, O_LIMIT, O_MAX };

static const struct ddci_opt opts[] = {
	{ "query", O_QUERY, "QUERY", NULL, "* (all cases)", "cases to count, e.g. 'status:open priority:P1'" },
	{ "group-by", O_GROUP_BY, "FIELD", NULL, "status", "count per value of FIELD: status, priority, ... (repeatable)" },
	{ "limit", O_LIMIT, "N", NULL, "1000", "at most N groups (1-1000)" },
	{ "max", O_MAX, "N", NULL, NULL, "gate: most matching cases allowed (required for gate)" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct ddci_cases_flags *a = ctx;

	switch (key) {
	case O_QUERY: a->query = arg; return 0;
	case O_GROUP_BY: return ddci_strv_push(&a->group_by, arg);
	case O_LIMIT: a->limit = arg; return 0;
	case O_MAX: a->max = arg; return 0;
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

static const struct ddci_cmd cmd = {
	.name = "ddci-cases",
	.synopsis = "count|gate [--query Q] [--group-by FIELD] [--max N] [OPTIONS]",
	.description =
		"Preview: Datadog's Case Management aggregate endpoint is in preview and may change.\n"
		"Sends POST /api/v2/cases/aggregate. count prints the total and the count per\n"
		"group (--group-by, status by default). gate exits 1 when more than --max cases\n"
		"match --query: a release gate on open cases; it prints what every gate prints\n"
		"(--output json: the shape of every gate, docs/schemas/gate.schema.json). Gates\n"
		"fail closed: when Datadog cannot be read they exit 3 or 4, unless --fail-open.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_OUTPUT | DDCI_CLI_GATE,
	.examples = "  ddci-cases count --query 'service:shop' --group-by priority\n"
		    "  ddci-cases gate --query 'status:open priority:P1' --max 0\n"
		    "  ddci-cases count --output json\n",
	.on_opt = on_opt,
};

struct cases {
	struct ddci_cases_flags f; /* first: on_opt's */
	struct ddci_cases_query q;
	struct ddci_cases_result res;
	int64_t max;
	int gate;
};

/* count or gate; the flags into the query (--fail-open is for gate only). */
static int check(void *ctx, struct ddci_config *cfg, int first, int argc, char **argv)
{
	struct cases *k = ctx;
	const char *sub;
	int rc;

	if ((rc = ddci_cli_subcommand(&sub, &first, argc, argv, "count|gate")) < 0 ||
	    (rc = ddci_cli_no_more(first, argc, argv)) < 0)
		return rc;
	k->gate = !strcmp(sub, "gate");
	rc = ddci_cases_query_from_flags(&k->q, &k->max, &k->f, k->gate, cfg->fail_open);
	if (!k->gate)
		cfg->fail_open = 0; /* for gate only: refused above when given to count */
	return rc;
}

static int run(void *ctx, struct ddci_client *c, struct ddci_config *cfg)
{
	struct cases *k = ctx;
	char num[32];
	int rc;

	if ((rc = ddci_cases_aggregate(&k->res, c, &k->q)) < 0 || k->res.dry_run)
		return rc;
	if (k->gate)
		return ddci_cases_report_gate(stdout, cfg->output == DDCI_OUTPUT_JSON, &k->res, k->q.query, k->max);
	rc = ddci_cases_report_counts(stdout, cfg->output, &k->res, &k->q);
	snprintf(num, sizeof(num), "%" PRId64, k->res.total);
	return rc == 0 ? ddci_gh_output("cases", num) : rc;
}

static void release(void *ctx)
{
	struct cases *k = ctx;

	ddci_cases_result_release(&k->res);
	ddci_cases_flags_release(&k->f);
}

int main(int argc, char **argv)
{
	static const struct ddci_cli_job job = { .need = DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY, .check = check,
						 .run = run, .release = release };
	struct cases k = { .max = -1 };

	return ddci_cli_main(&cmd, &k, &job, argc, argv);
}
