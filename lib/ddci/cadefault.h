/* cadefault.h — which CA store ddci uses when the user names none
 * (--ca-bundle, SSL_CERT_FILE, CURL_CA_BUNDLE, SSL_CERT_DIR): libcurl's own
 * default, unless a hashed certificate directory provably holds the same
 * certificates and the TLS library reads it lazily (perf notes: OpenSSL
 * then loads the one issuer it needs instead of parsing the whole bundle at
 * every start, two thirds of a small request's CPU). */
#ifndef DDCI_CADEFAULT_H
#define DDCI_CADEFAULT_H

/* Does `dir` cover `bundle`: is the bundle a file in `dir` (after following
 * links) and does `dir` hold at least as many OpenSSL hash links
 * (<8 hex digits>.<n>) as the bundle has certificates (at least one)?
 * 1 yes, 0 no (including anything unreadable). */
int ddci_ca_dir_covers(const char *dir, const char *bundle);

/* The hashed directory to use instead of libcurl's default, or NULL for
 * libcurl's default.  `ssl_version` is libcurl's TLS backend
 * (curl_version_info()->ssl_version), `curl_bundle` libcurl's built-in CA
 * bundle (CURLINFO_CAINFO; NULL when it has none or cannot say), `dir` the
 * candidate (DDCI_CA_DIR, /etc/ssl/certs).  Lazy loading is OpenSSL's (and
 * its forks'); other backends get their own default. */
const char *ddci_ca_lazy_dir(const char *ssl_version, const char *curl_bundle, const char *dir);

#endif
