/* wipe.h — overwriting secrets (keys, headers that carried them) before
 * their memory is freed, in a way the compiler may not optimise away, on
 * every C library. */
#ifndef DDCI_WIPE_H
#define DDCI_WIPE_H

#include <stddef.h>

/* Zeroes n bytes at p (p may be NULL when n is 0). */
void ddci_wipe(void *p, size_t n);

/* Zeroes the string s up to its NUL; NULL-safe. */
void ddci_wipe_str(char *s);

#endif
