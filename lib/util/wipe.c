/* wipe.c — see ddci/wipe.h.
 *
 * explicit_bzero() where the C library declares it (glibc 2.25+, FreeBSD,
 * OpenBSD); elsewhere (macOS, musl without _DEFAULT_SOURCE, older glibc)
 * memset() called through a volatile function pointer, which the compiler
 * cannot prove to be memset and so cannot drop as a dead store, followed by
 * a compiler barrier where GCC-style asm exists.
 */
#include "ddci/wipe.h"

#include <string.h>

#if (defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))) || \
	defined(__FreeBSD__) || defined(__OpenBSD__)
#define HAVE_EXPLICIT_BZERO 1
#endif

#ifndef HAVE_EXPLICIT_BZERO
static void *(*volatile wipe_memset)(void *, int, size_t) = memset;
#endif

void ddci_wipe(void *p, size_t n)
{
	if (!p || !n)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, n);
#else
	wipe_memset(p, 0, n);
#if defined(__GNUC__) || defined(__clang__)
	__asm__ __volatile__("" : : "r"(p) : "memory");
#endif
#endif
}

void ddci_wipe_str(char *s)
{
	if (s)
		ddci_wipe(s, strlen(s));
}
