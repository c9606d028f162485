/* fuzz_common.h — helpers shared by the libFuzzer targets: splitting the
 * input into NUL-terminated pieces. */
#ifndef DDCI_FUZZ_COMMON_H
#define DDCI_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd NUL-terminated copy of data[0..n) (NULL on OOM). */
static inline char *fuzz_str(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, data, n);
		s[n] = '\0';
	}
	return s;
}

/* Splits a copy of the input at '\n' into at most max pieces (the last
 * piece keeps the rest); returns the count.  *buf must be freed. */
static inline size_t fuzz_split(char **buf, char **pieces, size_t max, const uint8_t *data, size_t n)
{
	size_t k = 0;
	char *p;

	*buf = fuzz_str(data, n);
	if (!*buf || !max)
		return 0;
	p = *buf;
	pieces[k++] = p;
	while (k < max && (p = strchr(p, '\n'))) {
		*p++ = '\0';
		pieces[k++] = p;
	}
	return k;
}

#endif
