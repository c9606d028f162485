/* strv.h — a growable, NULL-terminated vector of owned strings (tags,
 * services, ids given by repeatable flags). */
#ifndef DDCI_STRV_H
#define DDCI_STRV_H

#include <stddef.h>

#include "ddci/error.h"

struct ddci_strv {
	char **v;   /* NULL-terminated once anything is added */
	size_t n;
	size_t cap;
};

#define DDCI_STRV_INIT { NULL, 0, 0 }

int ddci_strv_push(struct ddci_strv *sv, const char *s) DDCI_WUR;
int ddci_strv_contains(const struct ddci_strv *sv, const char *s);
void ddci_strv_release(struct ddci_strv *sv);

#endif
