/* gate_cmd.h — a gate command from its flags to its exit status: what
 * ddci-flaky-gate and ddci-failrate-gate share (the keys, every check
 * before anything is sent, the scope read from git and the CI where the
 * flags leave it out, the gate, the verdict and the report files).  A gate
 * command is its option table filling one of these structs, and main()
 * calling its ddci_*_gate_main().
 */
#ifndef DDCI_GATE_CMD_H
#define DDCI_GATE_CMD_H

#include <stdio.h>

#include "ddci/cli.h"
#include "ddci/gate_failrate.h"
#include "ddci/gate_flaky.h"
#include "ddci/report.h"

/* ddci-flaky-gate's flags: the flow's options, the report files, and
 * where the scope comes from when the flags do not say it. */
struct ddci_flaky_gate_args {
	struct ddci_flaky_gate_opts g;
	struct ddci_report_opts report; /* --markdown, --junit, --html */
	const char *branch, *base, *repo_id;
	int all_branches;
	char base_sha[41];              /* --base resolved (filled by main) */
};

#define DDCI_FLAKY_GATE_ARGS_INIT { .g = DDCI_FLAKY_GATE_OPTS_INIT }

/* ddci-failrate-gate's flags. */
struct ddci_failrate_gate_args {
	struct ddci_failrate_gate_opts g;
	struct ddci_report_opts report; /* --markdown, --junit, --html */
	const char *from, *to, *query, *branch, *repo_id;
	char *query_made;               /* the query judged (filled and freed by main) */
};

#define DDCI_FAILRATE_GATE_ARGS_INIT { .g = DDCI_FAILRATE_GATE_OPTS_INIT }

/* Runs the gate command cmd, whose on_opt fills a: parses argv, checks
 * the flags and report files before anything is sent, reads git and the
 * CI for what the flags leave out, runs the gate and prints the verdict on
 * out (and writes the report files).  Returns the exit status. */
int ddci_flaky_gate_main(const struct ddci_cmd *cmd, struct ddci_flaky_gate_args *a, FILE *out, int argc,
			 char **argv);
int ddci_failrate_gate_main(const struct ddci_cmd *cmd, struct ddci_failrate_gate_args *a, FILE *out, int argc,
			    char **argv);

#endif
