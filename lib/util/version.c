/* version.c — the one file the version is compiled into, so a new commit
 * rebuilds this file and relinks, not the whole library. */
#include "ddci/version.h"

#ifndef DDCI_VERSION
#define DDCI_VERSION "0.0.0"
#endif

const char *ddci_version(void)
{
	return DDCI_VERSION;
}
