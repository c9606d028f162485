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

int main(int argc, char **argv)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_client client;
	struct ddci_cases_result res = { 0 };
	struct ddci_cases_query q = { 0 };
	struct ddci_cases_flags a = { 0 };
	int64_t max = -1;
	char num[32];
	const char *sub;
	int rc, first, gate;

	ddci_client_init(&client, &cfg);
	rc = ddci_cli_parse(&first, &cmd, &cfg, &a, argc, argv);
	if (rc == 1) {
		rc = 0;
		goto done;
	}
	if (rc < 0 || (rc = ddci_cli_subcommand(&sub, &first, argc, argv, "count|gate")) < 0 ||
	    (rc = ddci_cli_no_more(first, argc, argv)) < 0)
		goto done;
	gate = !strcmp(sub, "gate");
	rc = ddci_cases_query_from_flags(&q, &max, &a, gate, cfg.fail_open);
	if (!gate)
		cfg.fail_open = 0; /* for gate only: refused above when given to count */
	if (rc < 0)
		goto done;
	if ((rc = ddci_config_finish(&cfg, DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY)) < 0)
		goto done;
	ddci_cli_client(&client, &cfg);
	if ((rc = ddci_cases_aggregate(&res, &client, &q)) < 0 || res.dry_run)
		goto done;
	if (gate) {
		rc = ddci_cases_report_gate(stdout, cfg.output == DDCI_OUTPUT_JSON, &res, q.query, max);
		goto done;
	}
	rc = ddci_cases_report_counts(stdout, cfg.output, &res, &q);
	snprintf(num, sizeof(num), "%" PRId64, res.total);
	if (rc == 0)
		rc = ddci_gh_output("cases", num);
done:
	rc = ddci_cli_finish(&cmd, &cfg, rc);
	ddci_cases_result_release(&res);
	ddci_client_release(&client);
	ddci_cases_flags_release(&a);
	ddci_config_release(&cfg);
	return rc;
}
