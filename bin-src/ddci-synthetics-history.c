/* ddci-synthetics-history — what changed in a Synthetic test, version by version.
 *
 * Reads every page of the test's version history, newest first, and shows
 * each version (number, time, author) with its changes: action, property
 * path and a unified-style diff of the before/after values.  --since-version
 * and --since stop at the first older version ("what changed since the last
 * deploy"). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/cli.h"
#include "ddci/client.h"
#include "ddci/output.h"
#include "ddci/synthetics.h"
#include "ddci/synthetics_report.h"

enum { O_SINCE_VERSION = 256, O_SINCE, O_LIMIT, O_MAX_VERSIONS, O_PAGE_SIZE };

static const struct ddci_opt opts[] = {
	{ "since-version", O_SINCE_VERSION, "N", NULL, NULL, "only versions newer than version N" },
	{ "since", O_SINCE, "TIME", NULL, NULL, "only versions created after TIME (e.g. the last deploy)" },
	{ "limit", O_LIMIT, "N", NULL, "all", "at most N versions" },
	{ "max-versions", O_MAX_VERSIONS, "N", NULL, "all", "the same as --limit" },
	{ "page-size", O_PAGE_SIZE, "N", NULL, "50, the API's most", "versions per request (1-50)" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct ddci_synth_flags *a = ctx;

	switch (key) {
	case O_SINCE_VERSION: a->since_version = arg; return 0;
	case O_SINCE: a->since = arg; return 0;
	case O_LIMIT: a->limit = arg; return 0;
	case O_MAX_VERSIONS: a->max_versions = arg; return 0;
	case O_PAGE_SIZE: a->page_size = arg; return 0;
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

static const struct ddci_cmd cmd = {
	.name = "ddci-synthetics-history",
	.synopsis = "PUBLIC_ID [--since-version N | --since TIME] [OPTIONS]",
	.description =
		"Sends GET /api/v2/synthetics/tests/{public_id}/version_history page after page\n"
		"(last_version_number) until the last, newest version first. Each version is shown\n"
		"with its number, time and author and each change with its action, property path and\n"
		"a unified-style diff of the values. --output json writes the versions as Datadog\n"
		"returned them, as one JSON array.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_OUTPUT,
	.examples = "  ddci-synthetics-history abc-def-ghi\n"
		    "  ddci-synthetics-history abc-def-ghi --since \"$LAST_DEPLOY_TIME\"\n"
		    "  ddci-synthetics-history abc-def-ghi --since-version 12 --output json\n",
	.on_opt = on_opt,
};

struct history {
	struct ddci_synth_flags f; /* first: on_opt's */
	struct ddci_synth_query q;
};

/* The test's public id, the only argument; the flags into the query. */
static int check(void *ctx, struct ddci_config *cfg, int first, int argc, char **argv)
{
	struct history *h = ctx;
	int rc;

	(void)cfg;
	if (first < argc)
		h->q.public_id = argv[first++];
	if ((rc = ddci_cli_no_more(first, argc, argv)) < 0)
		return rc;
	return ddci_synth_history_query(&h->q, &h->f);
}

static int run(void *ctx, struct ddci_client *client, struct ddci_config *cfg)
{
	const struct ddci_synth_query *q = &((struct history *)ctx)->q;
	struct ddci_synth_out o = { .f = stdout, .f_name = "stdout", .json = cfg->output == DDCI_OUTPUT_JSON };
	struct ddci_synth_result res;
	char num[32];
	int rc;

	rc = ddci_synth_history_write(&res, client, q, &o);
	if (rc == DDCI_DRY_RUN)
		return 0;
	if (rc < 0)
		return rc;
	if (cfg->verbose)
		fprintf(stderr, "%s: %" PRId64 " versions in %d pages\n", cfg->prog, res.versions, res.pages);
	snprintf(num, sizeof(num), "%" PRId64, res.versions);
	return ddci_gh_output("versions", num);
}

int main(int argc, char **argv)
{
	static const struct ddci_cli_job job = { .need = DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY, .check = check,
						 .run = run };
	struct history h = { 0 };

	return ddci_cli_main(&cmd, &h, &job, argc, argv);
}
