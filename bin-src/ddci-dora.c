/* ddci-dora — read and tidy DORA events, and report the four DORA figures.
 *
 *   list deployments|failures   every matching event, all pages
 *   get deployment|failure ID   one event
 *   delete deployment|failure ID
 *   report --service S          deployment frequency, lead time for changes,
 *                               change failure rate, time to restore */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/cli.h"
#include "ddci/client.h"
#include "ddci/dora.h"
#include "ddci/dora_render.h"
#include "ddci/dora_report.h"
#include "ddci/gitmeta.h"
#include "ddci/output.h"
#include "ddci/report.h"
#include "ddci/timeutil.h"

enum { O_FROM = 256, O_TO, O_QUERY, O_LIMIT, O_SORT, O_MARKDOWN, O_HTML };

static const struct ddci_opt opts[] = {
	{ "from", O_FROM, "TIME", NULL, "all (report: now-30d)", "earliest event start" },
	{ "to", O_TO, "TIME", NULL, "now", "latest event start" },
	{ "query", O_QUERY, "QUERY", NULL, NULL, "search query, e.g. 'service:shop env:prod'" },
	{ "limit", O_LIMIT, "N", NULL, "all", "at most N events" },
	{ "sort", O_SORT, "FIELD", NULL, "-started_at", "started_at, finished_at; '-' for descending" },
	{ "markdown", O_MARKDOWN, "FILE", NULL, NULL, "report: write a Markdown report with charts (Mermaid)" },
	{ "html", O_HTML, "FILE", NULL, NULL, "report: write a self-contained HTML report with charts" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

struct args {
	const char *from, *to, *query, *limit, *sort, *markdown, *html;
	const char *verb;            /* list, get, delete or report */
	enum ddci_dora_kind kind;
	const char *id;              /* get, delete */
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct args *a = ctx;

	switch (key) {
	case O_FROM: a->from = arg; return 0;
	case O_TO: a->to = arg; return 0;
	case O_QUERY: a->query = arg; return 0;
	case O_LIMIT: a->limit = arg; return 0;
	case O_MARKDOWN: a->markdown = arg; return 0;
	case O_HTML: a->html = arg; return 0;
	case O_SORT:
		if (strcmp(arg, "started_at") && strcmp(arg, "-started_at") && strcmp(arg, "finished_at") &&
		    strcmp(arg, "-finished_at"))
			return ddci_error_set(DDCI_EUSAGE,
					      "invalid --sort '%s': expected started_at, -started_at, finished_at or -finished_at",
					      arg);
		a->sort = arg;
		return 0;
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

static const struct ddci_cmd cmd = {
	.name = "ddci-dora",
	.synopsis = "list deployments|failures [--from T] [--to T] [--query Q] [--limit N] [--sort F]\n"
		    "       get|delete deployment|failure ID\n"
		    "       report --service S [--env E] [--from now-30d] [--to now] [--markdown F] [--html F]",
	.description =
		"list prints every matching event (all pages) as a table, or a JSON array\n"
		"with --output json. report lists the deployments of a service and computes\n"
		"deployment frequency, lead time for changes (median and p90 of deploy finish\n"
		"minus commit time, for every commit between consecutive deployments, read\n"
		"with libgit2 from --repo), change failure rate and time to restore (median\n"
		"of remediation finish minus failed deployment finish). Needs the application key.\n"
		"report --markdown and --html (and the GitHub step summary, when\n"
		"GITHUB_STEP_SUMMARY is set) chart each figure over the window: per hour up\n"
		"to 2 days, per day up to 14, per week beyond; each chart with its table.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_SERVICE | DDCI_CLI_GIT | DDCI_CLI_OUTPUT,
	.outputs = "text|json|ndjson",
	.examples = "  ddci-dora list deployments --query 'service:shop env:prod' --from now-7d\n"
		    "  ddci-dora list failures --output json --limit 20\n"
		    "  ddci-dora get deployment ddci-dep-0123456789abcdef0123456789abcdef\n"
		    "  ddci-dora delete failure ddci-fail-0123456789abcdef0123456789abcdef\n"
		    "  ddci-dora report --service shop --env prod --from now-30d\n"
		    "  ddci-dora report --service shop --env prod --from now-90d --html dora.html --markdown dora.md\n",
	.on_opt = on_opt,
};

/* ---- subcommands ---- */

static int cmd_list(struct ddci_client *c, const struct ddci_config *cfg, const struct args *a,
		    enum ddci_dora_kind kind)
{
	struct ddci_dora_query q = { kind, 0, 0, a->query, a->sort ? a->sort : "-started_at", 0 };
	int64_t now = ddci_time_now_ns();
	int rc;

	if (a->from && (rc = ddci_time_parse(&q.from_ns, a->from, now, "--from")) < 0)
		return rc;
	if (a->to && (rc = ddci_time_parse(&q.to_ns, a->to, now, "--to")) < 0)
		return rc;
	if (a->limit && (rc = ddci_parse_int64(&q.limit, a->limit, 1, INT64_C(1000000000), "--limit")) < 0)
		return rc;
	rc = ddci_dora_print_list(c, &q, cfg->output, stdout, "stdout");
	return rc == DDCI_DRY_RUN ? 0 : rc;
}

static int cmd_get(struct ddci_client *c, const struct ddci_config *cfg, enum ddci_dora_kind kind, const char *id)
{
	int rc = ddci_dora_print_event(c, kind, id, cfg->output, stdout, "stdout");

	return rc == DDCI_DRY_RUN ? 0 : rc;
}

static int cmd_delete(struct ddci_client *c, enum ddci_dora_kind kind, const char *id)
{
	int rc = ddci_dora_delete(c, kind, id);

	if (rc == 0)
		ddci_print(stdout, "deleted %s %s\n", kind == DDCI_DORA_DEPLOYMENTS ? "deployment" : "failure", id);
	return rc == DDCI_DRY_RUN ? 0 : rc;
}

static int cmd_report(struct ddci_client *c, const struct ddci_config *cfg, const struct args *a)
{
	struct ddci_gitmeta meta = DDCI_GITMETA_INIT;
	struct ddci_dora_report r;
	char from[40], to[40];
	int64_t now = ddci_time_now_ns(), from_ns = now - 30 * 86400 * DDCI_NS_PER_SEC, to_ns = now;
	int rc;

	if (!cfg->service || !*cfg->service)
		return ddci_error_set(DDCI_EUSAGE, "report: missing --service (or DD_SERVICE)");
	if (a->query || a->limit || a->sort)
		return ddci_error_set(DDCI_EUSAGE, "report takes --service, --env, --from, --to, --markdown and --html only");
	if (a->from && (rc = ddci_time_parse(&from_ns, a->from, now, "--from")) < 0)
		return rc;
	if (a->to && (rc = ddci_time_parse(&to_ns, a->to, now, "--to")) < 0)
		return rc;
	/* The repository is optional: without it there is no lead time. */
	if (ddci_gitmeta_read(&meta, cfg->repo_path, NULL, NULL, 0) < 0) {
		ddci_print(stderr, "%s: warning: no lead time: %s\n", cmd.name, ddci_error_last());
		ddci_gitmeta_release(&meta);
	}
	rc = ddci_dora_report(&r, c, meta.repo, cfg->service, cfg->env, from_ns, to_ns);
	if (rc != 0)
		goto done;
	ddci_time_format_rfc3339(from, sizeof(from), r.from_ns);
	ddci_time_format_rfc3339(to, sizeof(to), r.to_ns);
	if (!r.deployments) /* most often a misspelled service or env */
		fprintf(stderr, "%s: warning: 0 deployments found for service '%s'%s%s%s from %s to %s; check --service "
			"and --env ('ddci-dora list deployments' shows what there is)\n", cmd.name, cfg->service,
			cfg->env ? " and env '" : "", cfg->env ? cfg->env : "", cfg->env ? "'" : "", from, to);
	if ((rc = ddci_dora_report_files(&r, cfg->service, cfg->env, a->markdown, a->html)) < 0)
		goto done;
	rc = ddci_dora_report_print(stdout, &r, cfg->service, cfg->env, meta.repo != NULL, cfg->output);
done:
	ddci_gitmeta_release(&meta);
	return rc == DDCI_DRY_RUN ? 0 : rc;
}

/* The subcommand, its arguments and which flags it takes. */
static int check(void *ctx, struct ddci_config *cfg, int first, int argc, char **argv)
{
	struct args *a = ctx;
	const char *verb;
	int rc, nargs, report, one;

	if ((rc = ddci_cli_subcommand(&verb, &first, argc, argv, "list|get|delete|report")) < 0)
		return rc;
	a->verb = verb;
	nargs = argc - first; /* after the subcommand */
	report = !strcmp(verb, "report");
	one = !strcmp(verb, "get") || !strcmp(verb, "delete");
	if (!report && nargs < 1)
		return ddci_error_set(DDCI_EUSAGE, "%s: missing event kind: deployment or failure", verb);
	if (!report && (rc = ddci_dora_kind_parse(&a->kind, argv[first])) < 0)
		return rc;
	if (one && nargs == 2 && (rc = ddci_dora_check_ref(argv[first + 1], "event id")) < 0)
		return rc;
	if ((!strcmp(verb, "list") && nargs != 1) || (report && nargs != 0) || (one && nargs != 2))
		return ddci_error_set(DDCI_EUSAGE, "%s: wrong number of arguments", verb);
	a->id = one ? argv[first + 1] : NULL;
	if (cfg->output == DDCI_OUTPUT_NDJSON && strcmp(verb, "list"))
		return ddci_error_set(DDCI_EUSAGE, "--output ndjson is for list only");
	if ((a->markdown || a->html) && !report)
		return ddci_error_set(DDCI_EUSAGE, "%s is for report only", a->markdown ? "--markdown" : "--html");
	if ((rc = ddci_report_check_path(a->markdown, "--markdown")) < 0)
		return rc;
	return ddci_report_check_path(a->html, "--html");
}

static int run(void *ctx, struct ddci_client *c, struct ddci_config *cfg)
{
	struct args *a = ctx;

	if (!strcmp(a->verb, "list"))
		return cmd_list(c, cfg, a, a->kind);
	if (!strcmp(a->verb, "get"))
		return cmd_get(c, cfg, a->kind, a->id);
	if (!strcmp(a->verb, "delete"))
		return cmd_delete(c, a->kind, a->id);
	return cmd_report(c, cfg, a);
}

int main(int argc, char **argv)
{
	static const struct ddci_cli_job job = { .need = DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY, .check = check,
						 .run = run };
	struct args a = { .kind = DDCI_DORA_DEPLOYMENTS };

	return ddci_cli_main(&cmd, &a, &job, argc, argv);
}
