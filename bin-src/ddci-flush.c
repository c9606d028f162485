/* ddci-flush — deliver the events that were spooled while Datadog was
 * unreachable.
 *
 * Oldest first, under a lock (concurrent runs wait instead of sending twice),
 * deleting each file only once Datadog took it; rejected events are moved to
 * DIR/rejected/.  Ids are deterministic, so a late delivery never doubles. */
#include <stdio.h>

#include "ddci/cli.h"
#include "ddci/client.h"
#include "ddci/endpoint.h"
#include "ddci/flush.h"
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

int main(int argc, char **argv)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_flush_stats st = { 0, 0, 0, 0 };
	struct ddci_client client;
	int rc, prc;

	ddci_client_init(&client, &cfg);
	rc = ddci_cli_start(&cmd, &cfg, NULL, argc, argv, DDCI_NEED_API_KEY);
	if (rc) {
		rc = rc == 1 ? 0 : rc;
		goto done;
	}
	if (!cfg.spool_dir || !*cfg.spool_dir) {
		rc = ddci_error_set(DDCI_EUSAGE, "missing --spool (or DDCI_SPOOL_DIR): which spool directory?");
		goto done;
	}
	ddci_cli_client(&client, &cfg);
	rc = ddci_flush(&st, &client, cfg.spool_dir, ddci_endpoint_classify);
	if (rc == DDCI_DRY_RUN)
		rc = 0;
	prc = ddci_flush_report(stdout, cfg.output, &st);
	if (rc == 0)
		rc = prc;
done:
	return ddci_cli_end(&cmd, &cfg, &client, rc);
}
