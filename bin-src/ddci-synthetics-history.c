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
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/redact.h"
#include "ddci/synthetics.h"
#include "ddci/timeutil.h"

enum { O_SINCE_VERSION = 256, O_SINCE, O_LIMIT, O_MAX_VERSIONS, O_PAGE_SIZE };

static const struct ddci_opt opts[] = {
	{ "since-version", O_SINCE_VERSION, "N", NULL, NULL, "only versions newer than version N" },
	{ "since", O_SINCE, "TIME", NULL, NULL, "only versions created after TIME (e.g. the last deploy)" },
	{ "limit", O_LIMIT, "N", NULL, "all", "at most N versions" },
	{ "max-versions", O_MAX_VERSIONS, "N", NULL, "all", "the same as --limit" },
	{ "page-size", O_PAGE_SIZE, "N", NULL, "50, the API's most", "versions per request (1-50)" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

struct args {
	const char *since_version, *since, *limit, *max_versions, *page_size;
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct args *a = ctx;

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

struct sink {
	int json;
	int64_t n;
};

/* Through the output boundary: JSON text, or lines for a terminal and a CI
 * log (a diff line from the server starting with "::" is not a command). */
static int put_text(const char *text, enum ddci_chan ch)
{
	char *clean = ddci_output_clean(text, ch);

	if (!clean)
		return DDCI_ENOMEM;
	fputs(clean, stdout);
	free(clean);
	return 0;
}

static int on_version(void *ctx, const cJSON *v)
{
	struct sink *s = ctx;
	struct ddci_buf b = DDCI_BUF_INIT;
	char *text = NULL;
	int rc;

	if (s->json) {
		if (!(text = ddci_json_print(v)))
			return ddci_error_oom();
		fputs(s->n ? ",\n" : "[\n", stdout);
		rc = put_text(text, DDCI_CHAN_JSON);
		free(text);
	} else {
		if (s->n)
			fputc('\n', stdout);
		rc = ddci_synth_render_version(&b, v);
		if (rc == 0)
			rc = put_text(ddci_buf_str(&b), DDCI_CHAN_LINES);
		ddci_buf_release(&b);
	}
	s->n++;
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = ddci_error_set(DDCI_EIO, "cannot write to stdout");
	return rc;
}

static int build_query(struct ddci_synth_query *q, const struct args *a)
{
	int64_t n;
	int rc;

	if (a->since_version && (rc = ddci_parse_int64(&q->since_version, a->since_version, 0, INT64_MAX,
						       "--since-version")) < 0)
		return rc;
	if (a->since && (rc = ddci_time_parse(&q->since_ns, a->since, ddci_time_now_ns(), "--since")) < 0)
		return rc;
	q->limit = DDCI_SYNTH_MAX_LIMIT;
	if (a->page_size) {
		if ((rc = ddci_parse_int64(&n, a->page_size, 1, DDCI_SYNTH_MAX_LIMIT, "--page-size")) < 0)
			return rc;
		q->limit = (int)n;
	}
	if (a->limit && a->max_versions)
		return ddci_error_set(DDCI_EUSAGE, "--limit and --max-versions are the same: give one");
	if (a->limit && (rc = ddci_parse_int64(&q->max_versions, a->limit, 1, INT64_MAX, "--limit")) < 0)
		return rc;
	if (a->max_versions &&
	    (rc = ddci_parse_int64(&q->max_versions, a->max_versions, 1, INT64_MAX, "--max-versions")) < 0)
		return rc;
	return ddci_synth_check(q);
}

static int run(struct ddci_client *client, const struct ddci_config *cfg, const struct ddci_synth_query *q)
{
	struct sink s = { cfg->output == DDCI_OUTPUT_JSON, 0 };
	struct ddci_synth_result res;
	char num[32];
	int rc;

	rc = ddci_synth_history(&res, client, q, on_version, &s);
	if (rc == DDCI_DRY_RUN)
		return 0;
	if (rc < 0)
		return rc;
	if (s.json)
		fputs(s.n ? "\n]\n" : "[]\n", stdout);
	else if (s.n == 0)
		printf("no versions%s\n", q->since_version || q->since_ns ? " since then" : "");
	if (fflush(stdout) != 0 || ferror(stdout))
		return ddci_error_set(DDCI_EIO, "cannot write to stdout");
	if (cfg->verbose)
		fprintf(stderr, "%s: %" PRId64 " versions in %d pages\n", cfg->prog, res.versions, res.pages);
	snprintf(num, sizeof(num), "%" PRId64, res.versions);
	return ddci_gh_output("versions", num);
}

int main(int argc, char **argv)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_client client;
	struct ddci_synth_query q = { 0 };
	struct args a = { 0 };
	int rc, first;

	ddci_client_init(&client, &cfg);
	rc = ddci_cli_parse(&first, &cmd, &cfg, &a, argc, argv);
	if (rc == 1) {
		rc = 0;
		goto done;
	}
	if (rc < 0)
		goto done;
	if (first < argc)
		q.public_id = argv[first++];
	if ((rc = ddci_cli_no_more(first, argc, argv)) < 0)
		goto done;
	if ((rc = build_query(&q, &a)) < 0)
		goto done;
	if ((rc = ddci_config_finish(&cfg, DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY)) < 0)
		goto done;
	ddci_cli_client(&client, &cfg);
	rc = run(&client, &cfg, &q);
done:
	return ddci_cli_end(&cmd, &cfg, &client, rc);
}
