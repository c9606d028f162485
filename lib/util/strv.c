/* strv.c — vector of owned strings. */
#include "ddci/strv.h"

#include <stdlib.h>
#include <string.h>

int ddci_strv_push(struct ddci_strv *sv, const char *s)
{
	char *copy;

	if (sv->n + 1 >= sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));
		if (!v)
			return ddci_error_oom();
		sv->v = v;
		sv->cap = cap;
	}
	copy = strdup(s);
	if (!copy)
		return ddci_error_oom();
	sv->v[sv->n++] = copy;
	sv->v[sv->n] = NULL;
	return 0;
}

int ddci_strv_contains(const struct ddci_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

void ddci_strv_release(struct ddci_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
