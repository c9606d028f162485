/* version.h — the version this build reports. */
#ifndef DDCI_VERSION_H
#define DDCI_VERSION_H

/* "0.1.0" for a release, "0.1.0+g<commit>[.dirty]" for a build of any other
 * commit (mk/version.sh): --version, the User-Agent, report footers. */
const char *ddci_version(void);

#endif
