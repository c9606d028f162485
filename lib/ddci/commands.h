/* commands.h — ddci's commands, one table: the name and one-line summary
 * of each.  The dispatcher lists it (`ddci --help`) and each command's
 * --help opens with its own line from it, so the two cannot drift apart.
 */
#ifndef DDCI_COMMANDS_H
#define DDCI_COMMANDS_H

#include <stddef.h>

struct ddci_command {
	const char *name;    /* "deploy": run as ddci-deploy or `ddci deploy` */
	const char *summary; /* one line: what it does */
};

extern const struct ddci_command ddci_commands[];
extern const size_t ddci_ncommands;

/* The summary of "ddci-deploy" (or "deploy"), or NULL for no command. */
const char *ddci_command_summary(const char *name);

#endif
