/* mermaid_check.h — a small validator of Mermaid xychart-beta blocks for the
 * unit tests (test_chart.c, test_report.c, test_dora_report.c): no
 * mermaid-cli needed.  Include after <string.h> and <stdlib.h>. */
#ifndef DDCI_TEST_MERMAID_CHECK_H
#define DDCI_TEST_MERMAID_CHECK_H

/* Checks every ```mermaid block in md the way Mermaid's xychart-beta
 * grammar reads it: an optional %%{init: ...}%% line, "xychart-beta" (or
 * "xychart-beta horizontal"), an optional quoted title, an x-axis of quoted
 * labels (no two the same: Mermaid would merge them), a y-axis "label" MIN
 * --> MAX, then bar/line series (optionally named: bar "name" [...]) of
 * numbers, each with as many values as there are x labels.  Returns the
 * number of blocks, or -(line number) of the first bad line.  (The real
 * mermaid-cli renders them in report-screens.bats.) */
static int mermaid_blocks(const char *md)
{
	const char *p = md;
	int blocks = 0, lineno = 0, in = 0, state = 0;
	long nx = -1;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[4096];
		const char *s;

		lineno++;
		if (len >= sizeof(line))
			return -lineno;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (eol ? 1 : 0);
		s = line;
		while (*s == ' ')
			s++;
		if (!in) {
			if (!strcmp(line, "```mermaid")) {
				in = 1;
				state = 0;
				nx = -1;
			}
			continue;
		}
		if (!strcmp(line, "```")) {
			if (state < 4)
				return -lineno;
			in = 0;
			blocks++;
			continue;
		}
		if (state == 0 && !strncmp(s, "%%{init: ", 9)) {
			size_t n = strlen(s);
			if (n < 12 || strcmp(s + n - 3, "}%%"))
				return -lineno;
			continue;
		}
		if (state == 0) {
			if (strcmp(s, "xychart-beta") && strcmp(s, "xychart-beta horizontal"))
				return -lineno;
			state = 1;
		} else if (state == 1 && !strncmp(s, "title ", 6)) {
			size_t n = strlen(s);
			if (strncmp(s, "title \"", 7) || n < 8 || s[n - 1] != '"' || strchr(s + 7, '"') != s + n - 1)
				return -lineno;
			state = 2;
		} else if (state <= 2) {
			const char *q = s + 8, *labels[64];
			size_t lens[64];
			if (strncmp(s, "x-axis [", 8) || s[strlen(s) - 1] != ']')
				return -lineno;
			nx = 0;
			while (*q == '"') {
				const char *end = strchr(q + 1, '"');
				if (!end)
					return -lineno;
				for (long k = 0; k < nx && k < 64; k++)
					if (lens[k] == (size_t)(end - q - 1) && !memcmp(labels[k], q + 1, lens[k]))
						return -lineno; /* the same label twice */
				if (nx < 64) {
					labels[nx] = q + 1;
					lens[nx] = (size_t)(end - q - 1);
				}
				nx++;
				q = end + 1;
				if (*q == ',' && q[1] == ' ')
					q += 2;
				else if (*q != ']')
					return -lineno;
			}
			if (*q != ']' || nx == 0)
				return -lineno;
			state = 3;
		} else if (state == 3) {
			char *end;
			const char *q = strchr(s + 8, '"');
			if (strncmp(s, "y-axis \"", 8) || !q || strncmp(q, "\" ", 2))
				return -lineno;
			(void)strtod(q + 2, &end);
			if (end == q + 2 || strncmp(end, " --> ", 5))
				return -lineno;
			q = end + 5;
			(void)strtod(q, &end);
			if (end == q || *end)
				return -lineno;
			state = 4;
		} else {
			const char *q;
			long nv = 0;
			if (!strncmp(s, "bar ", 4))
				q = s + 4;
			else if (!strncmp(s, "line ", 5))
				q = s + 5;
			else
				return -lineno;
			if (*q == '"') { /* the series' name */
				q = strchr(q + 1, '"');
				if (!q || q[1] != ' ')
					return -lineno;
				q += 2;
			}
			if (*q++ != '[')
				return -lineno;
			for (;;) {
				char *end;
				(void)strtod(q, &end);
				if (end == q)
					return -lineno;
				nv++;
				q = end;
				if (*q == ',' && q[1] == ' ')
					q += 2;
				else
					break;
			}
			if (strcmp(q, "]") || nv != nx)
				return -lineno;
			state = 5;
		}
	}
	return in ? -lineno : blocks;
}

#endif
