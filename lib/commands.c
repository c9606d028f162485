/* commands.c — the table of ddci's commands (see ddci/commands.h). */
#include "ddci/commands.h"

#include <string.h>

const struct ddci_command ddci_commands[] = {
	{ "deploy", "send a DORA deployment event for the current commit" },
	{ "incident", "send a DORA failure (incident) event" },
	{ "change-failure", "mark a deployment as a change failure, with its remediation" },
	{ "dora", "list, get and delete DORA events; report the four DORA figures" },
	{ "flaky-gate", "fail the job when flaky-test thresholds are exceeded" },
	{ "failrate-gate", "fail the job when the aggregate test failure rate is above a threshold" },
	{ "flaky", "search flaky tests; set their state (quarantine, disable, fixed, active)" },
	{ "tests", "list, search or aggregate CI Visibility test events (all pages, streamed)" },
	{ "synthetics-history", "show a Synthetic test's version history and what each version changed" },
	{ "cases", "count Case Management cases; fail the job when too many are open" },
	{ "flush", "deliver events spooled while Datadog was unreachable" },
};

const size_t ddci_ncommands = sizeof(ddci_commands) / sizeof(ddci_commands[0]);

const char *ddci_command_summary(const char *name)
{
	if (name && !strncmp(name, "ddci-", 5))
		name += 5;
	for (size_t i = 0; name && i < ddci_ncommands; i++)
		if (!strcmp(ddci_commands[i].name, name))
			return ddci_commands[i].summary;
	return NULL;
}
