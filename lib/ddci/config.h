/* config.h — the settings every command shares: flag > environment > default.
 *
 * Flags are stored by the option parser (cli.h); ddci_config_finish() fills
 * what is still unset from the environment and the defaults, resolves the
 * API base URL from the site, and validates everything before any request.
 */
#ifndef DDCI_CONFIG_H
#define DDCI_CONFIG_H

#include <stdint.h>

#include "ddci/error.h"
#include "ddci/url.h" /* ddci_host_is_loopback */

enum ddci_output { DDCI_OUTPUT_TEXT = 0, DDCI_OUTPUT_JSON, DDCI_OUTPUT_NDJSON, DDCI_OUTPUT_TABLE };

struct ddci_config {
	const char *prog;      /* "ddci-deploy": prefix of messages */
	char *api_key;         /* DD_API_KEY, DATADOG_API_KEY, DD_API_KEY_FILE */
	char *app_key;         /* DD_APP_KEY, DD_APPLICATION_KEY, DATADOG_APP_KEY, DD_APP_KEY_FILE */
	char *site;            /* --site, DD_SITE, DATADOG_SITE; default datadoghq.com */
	char *api_url;         /* --api-url, DDCI_API_URL; default https://api.<site>; no trailing '/' */
	char *service;         /* --service, DD_SERVICE */
	char *env;             /* --env, DD_ENV */
	char *version;         /* --service-version, DD_VERSION */
	int64_t timeout_ms;    /* --timeout, DDCI_TIMEOUT; default 30 s; -1 = unset */
	int retries;           /* --retries, DDCI_RETRIES; default 3; -1 = unset */
	char *repo_path;       /* --repo; default "." */
	int dry_run;           /* --dry-run, DDCI_DRY_RUN=1; -1 = unset */
	int verbose;           /* --verbose */
	enum ddci_output output;
	char *ca_bundle;       /* --ca-bundle, SSL_CERT_FILE, CURL_CA_BUNDLE */
	char *ca_path;         /* SSL_CERT_DIR: hashed CA directory when no bundle (default /etc/ssl/certs) */
	char *spool_dir;       /* --spool, DDCI_SPOOL_DIR */
	int no_fail;           /* --no-fail (reporters) */
	int fail_open;         /* --fail-open (gates) */
	int64_t deadline_mono_ns; /* set by finish: monotonic time the command must end by */
	int loopback;          /* api_url's host is a loopback address */
};

#define DDCI_CONFIG_INIT { .timeout_ms = -1, .retries = -1, .dry_run = -1 }

/* What ddci_config_finish() must insist on. */
enum {
	DDCI_NEED_API_KEY = 1,
	DDCI_NEED_APP_KEY = 2
};

/* Fills unset fields from the environment and defaults, then validates
 * (site in the documented list, URL scheme/host, timeout, retries, keys as
 * required by `need`).  In dry-run mode missing keys are not an error.
 * Registers the keys with redact.h.  Returns 0 or DDCI_EUSAGE. */
int ddci_config_finish(struct ddci_config *cfg, unsigned need) DDCI_WUR;
/* The keys `need` names are there (always true in a dry run); done by
 * ddci_config_finish(), and by a command whose needs depend on its flags. */
int ddci_config_require(const struct ddci_config *cfg, unsigned need) DDCI_WUR;

/* Replaces *field with a copy of value (frees the old one). */
int ddci_config_set(char **field, const char *value) DDCI_WUR;

void ddci_config_release(struct ddci_config *cfg);

/* 0 when cfg->site serves the endpoint family ("dora", "tests", ...; NULL:
 * any); DDCI_EUSAGE naming the site when Datadog's API reference says it
 * does not (DORA on ddog-gov.com, the US1-FED site).  Checked before
 * anything is sent. */
int ddci_site_serves(const struct ddci_config *cfg, const char *family) DDCI_WUR;

/* The documented sites, NULL-terminated ("app.<site>" is accepted too and
 * mapped to the site). */
extern const char *const ddci_sites[];

#endif
