/* ddci — git-style dispatcher: `ddci deploy ...` runs `ddci-deploy ...`,
 * `ddci help deploy` runs `ddci-deploy --help`.
 *
 * The command is looked up next to this executable first, then on PATH. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddci/cli.h"
#include "ddci/commands.h"
#include "ddci/output.h"

static void usage(FILE *f)
{
	fputs("Usage: ddci <command> [OPTIONS]\n\nCommands:\n", f);
	for (size_t i = 0; i < ddci_ncommands; i++)
		fprintf(f, "  %-20s %s\n", ddci_commands[i].name, ddci_commands[i].summary);
	fputs("\n'ddci help <command>' (or 'ddci <command> --help') describes a command; 'man 7 ddci' the\n"
	      "shared configuration.\n",
	      f);
}

/* "; did you mean 'deploy'?" for a near miss of a command name, else "". */
static const char *near(char *buf, size_t n, const char *word)
{
	const char *names[64], *hit;
	size_t k = 0;

	for (size_t i = 0; i < ddci_ncommands && k < sizeof(names) / sizeof(names[0]); i++)
		names[k++] = ddci_commands[i].name;
	hit = ddci_cli_suggest(word, strlen(word), names, k);
	snprintf(buf, n, "%s%s%s", hit ? " (did you mean '" : "", hit ? hit : "", hit ? "'?)" : "");
	return buf;
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 128], name[96];
	ssize_t n;

	char hint[96];
	char *help_argv[4];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (!strcmp(argv[1], "help") && argc == 2)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "help")) { /* ddci help deploy = ddci deploy --help */
		if (argc > 3) {
			fprintf(stderr, "ddci: help takes one command, e.g. 'ddci help deploy'\n");
			return 2;
		}
		help_argv[0] = argv[0];
		help_argv[1] = argv[2];
		help_argv[2] = "--help";
		help_argv[3] = NULL;
		argv = help_argv;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("ddci %s\n", ddci_cli_version_string());
		return 0;
	}
	if (!valid_name(argv[1])) {
		ddci_print(stderr, "ddci: invalid command name '%s'\n", argv[1]); /* sanitised: any bytes */
		return 2;
	}
	snprintf(name, sizeof(name), "ddci-%s", argv[1]);
	argv[1] = name;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/%s", self, name);
			if (access(path, X_OK) == 0) {
				execv(path, argv + 1);
				fprintf(stderr, "ddci: cannot run '%s': %s\n", path, strerror(errno));
				return 2;
			}
		}
	}
	execvp(name, argv + 1);
	if (errno == ENOENT) {
		fprintf(stderr, "ddci: '%s' is not a ddci command%s; see 'ddci --help'\n", name + 5,
			near(hint, sizeof(hint), name + 5));
		return 2;
	}
	fprintf(stderr, "ddci: cannot run '%s': %s\n", name, strerror(errno));
	return 2;
}
