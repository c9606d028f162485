/* cli.h — option tables, parsing and generated --help.
 *
 * A command declares its own options in a table; the shared ones (site,
 * api-url, timeout, ...) are added by group.  The same tables drive
 * getopt_long, --help and the man-page check, so they cannot drift.
 */
#ifndef DDCI_CLI_H
#define DDCI_CLI_H

#include <stdio.h>

#include "ddci/client.h"
#include "ddci/config.h"
#include "ddci/error.h"

struct ddci_opt {
	const char *name;  /* long name, without "--" */
	int key;           /* handed to on_opt; a letter for a short option too, else >= 256 */
	const char *arg;   /* "SECONDS": takes an argument; NULL: a switch */
	const char *env;   /* environment variable, for --help */
	const char *def;   /* default, for --help */
	const char *help;  /* one line */
};

/* Shared option groups a command takes. */
enum {
	DDCI_CLI_NET = 1 << 0,     /* --site --api-url --timeout --retries --ca-bundle --dry-run --verbose */
	DDCI_CLI_SERVICE = 1 << 1, /* --service --env --service-version */
	DDCI_CLI_GIT = 1 << 2,     /* --repo */
	DDCI_CLI_OUTPUT = 1 << 3,  /* --output text|json */
	DDCI_CLI_SPOOL = 1 << 4,   /* --spool */
	DDCI_CLI_REPORTER = 1 << 5,/* --no-fail */
	DDCI_CLI_GATE = 1 << 6     /* --fail-open */
};

struct ddci_cmd {
	const char *name;      /* "ddci-deploy" */
	const char *synopsis;  /* "[OPTIONS]" or "list|get ... [OPTIONS]" */
	const char *description; /* a paragraph or more, may be NULL */
	const struct ddci_opt *opts; /* command options, ended by { NULL } */
	unsigned groups;       /* DDCI_CLI_* */
	const char *outputs;   /* output formats accepted by --output, e.g. "text|json" */
	const char *examples;  /* lines of shell */
	/* Called for each command option; returns 0 or DDCI_EUSAGE (with a message). */
	int (*on_opt)(void *ctx, int key, const char *arg);
};

/* Parses argv.  Shared options go into cfg, the command's to on_opt.
 * Returns 0 with *first_arg set to the first positional argument;
 * 1 when --help or --version was printed (exit 0); DDCI_EUSAGE on misuse
 * (message set: "unknown option '--x'", ...). */
int ddci_cli_parse(int *first_arg, const struct ddci_cmd *cmd, struct ddci_config *cfg,
		   void *ctx, int argc, char **argv) DDCI_WUR;

/* A command's job: what main() hands ddci_cli_main. */
struct ddci_cli_job {
	unsigned need; /* the keys it needs (DDCI_NEED_*) */
	/* The positional arguments argv[first..argc) and the usage checks due
	 * before the keys are looked at; NULL: no argument is taken. */
	int (*check)(void *ctx, struct ddci_config *cfg, int first, int argc, char **argv);
	/* The job, with the client set up (ddci_cli_client). */
	int (*run)(void *ctx, struct ddci_client *c, struct ddci_config *cfg);
	void (*release)(void *ctx); /* what on_opt, check and run kept in ctx; may be NULL */
};

/* Every command's main: parses argv (on_opt gets ctx), job->check, the
 * keys (ddci_config_finish), job->run, then prints the error and releases
 * everything.  --help and --version exit 0.  Returns the
 * exit status. */
int ddci_cli_main(const struct ddci_cmd *cmd, void *ctx, const struct ddci_cli_job *job, int argc, char **argv);

/* The subcommand at argv[*first], one of `names` ("list|search"): *sub is
 * set and *first moves past it.  DDCI_EUSAGE "missing subcommand: expected
 * list or search" or "unknown subcommand 'x': expected list or search". */
int ddci_cli_subcommand(const char **sub, int *first, int argc, char **argv, const char *names) DDCI_WUR;
/* DDCI_EUSAGE "unexpected argument 'x'" when argv[first] exists, else 0. */
int ddci_cli_no_more(int first, int argc, char **argv) DDCI_WUR;

/* The name in names[0..count) closest to word[0..n) by edit distance (at
 * most 1 for words of up to 4 characters, else 2), or NULL: "did you mean". */
const char *ddci_cli_suggest(const char *word, size_t n, const char *const *names, size_t count);

void ddci_cli_help(FILE *f, const struct ddci_cmd *cmd);
void ddci_cli_version(FILE *f, const struct ddci_cmd *cmd);
/* The version alone ("0.1.0", or "0.1.0+g<commit>" for unreleased code). */
const char *ddci_cli_version_string(void);

/* Prints "<prog>: <message>" (redacted) to stderr when rc < 0, adds
 * "try '<prog> --help'" for usage errors, honours cfg->no_fail / fail_open
 * (warning and exit 0), and returns the exit status for rc.
 * rc may also be DDCI_EXIT_GATE (1) for a failed gate. */
int ddci_cli_finish(const struct ddci_cmd *cmd, const struct ddci_config *cfg, int rc);

/* Every command's long option names (shared and own), for tests/man check:
 * prints one per line. Used by `ddci-<x> --list-options` (hidden). */
void ddci_cli_list_options(FILE *f, const struct ddci_cmd *cmd);

/* Sets up the client a command hands to its calls: --dry-run prints the
 * request on stdout, --verbose traces every attempt on stderr, and an
 * event Datadog takes late is a warning on stderr. */
void ddci_cli_client(struct ddci_client *c, const struct ddci_config *cfg);

#endif
