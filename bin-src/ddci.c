/* ddci — git-style dispatcher: `ddci deploy ...` runs `ddci-deploy ...`.
 *
 * The command is looked up next to this executable first, then on PATH. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddci/commands.h"
#include "ddci/output.h"

#ifndef DDCI_VERSION
#define DDCI_VERSION "0.0.0"
#endif

static void usage(FILE *f)
{
	fputs("Usage: ddci <command> [OPTIONS]\n\nCommands:\n", f);
	for (size_t i = 0; i < ddci_ncommands; i++)
		fprintf(f, "  %-20s %s\n", ddci_commands[i].name, ddci_commands[i].summary);
	fputs("\n'ddci <command> --help' describes a command; 'man 7 ddci' the shared configuration.\n", f);
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

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("ddci %s\n", DDCI_VERSION);
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
		fprintf(stderr, "ddci: '%s' is not a ddci command; see 'ddci --help'\n", name + 5);
		return 2;
	}
	fprintf(stderr, "ddci: cannot run '%s': %s\n", name, strerror(errno));
	return 2;
}
