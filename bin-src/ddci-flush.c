/* ddci-flush — deliver the events that were spooled while Datadog was
 * unreachable.
 *
 * Oldest first, under a lock (concurrent runs wait instead of sending twice),
 * deleting each file only once Datadog took it; rejected events are moved to
 * DIR/rejected/.  Ids are deterministic, so a late delivery never doubles. */
#include <stdio.h>

#include "ddci/cli.h"
#include "ddci/flush_report.h"

static const struct ddci_opt opts[] = {
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

static int on_opt(void *ctx, int key, const char *arg)
{
	(void)ctx;
	(void)key;
	(void)arg;
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

static const struct ddci_cmd cmd = {
	.name = "ddci-flush",
	.synopsis = "[--spool DIR] [OPTIONS]",
	.description =
		"Sends every event in the spool directory (--spool or DDCI_SPOOL_DIR), oldest\n"
		"first, and deletes each file once Datadog accepted it. Events Datadog rejects\n"
		"are moved to DIR/rejected/. Safe to run concurrently and to re-run. Prints\n"
		"\"N delivered, N rejected, N left\"; exits 0 when everything was delivered,\n"
		"3 when Datadog is still unreachable (events left), 4 when some were rejected.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_OUTPUT | DDCI_CLI_SPOOL | DDCI_CLI_REPORTER,
	.examples = "  ddci-flush --spool /var/spool/ddci\n"
		    "  DDCI_SPOOL_DIR=$CI_PROJECT_DIR/.ddci-spool ddci-flush --no-fail\n",
	.on_opt = on_opt,
};

static int run(void *ctx, struct ddci_client *c, struct ddci_config *cfg)
{
	(void)ctx;
	return ddci_flush_run(stdout, cfg->output, c, cfg->spool_dir);
}

int main(int argc, char **argv)
{
	static const struct ddci_cli_job job = { .need = DDCI_NEED_API_KEY, .run = run };

	return ddci_cli_main(&cmd, NULL, &job, argc, argv);
}
