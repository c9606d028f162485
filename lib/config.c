/* config.c — flag > environment > default, validated before any request. */
#include "ddci/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ddci/buf.h"
#include "ddci/json.h"
#include "ddci/redact.h"
#include "ddci/timeutil.h"

const char *const ddci_sites[] = {
	"datadoghq.com", "us3.datadoghq.com", "us5.datadoghq.com", "datadoghq.eu",
	"ap1.datadoghq.com", "ap2.datadoghq.com", "ddog-gov.com", "us2.ddog-gov.com",
	NULL,
};

#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_RETRIES 3
#define MAX_RETRIES 10
#define MAX_KEY_FILE 4096

int ddci_config_set(char **field, const char *value)
{
	char *copy = NULL;

	if (value) {
		copy = strdup(value);
		if (!copy)
			return ddci_error_oom();
	}
	free(*field);
	*field = copy;
	return 0;
}

/* First non-empty environment variable of a NULL-terminated list. */
static const char *env_first(const char *const *names, const char **which)
{
	for (; *names; names++) {
		const char *v = getenv(*names);
		if (v && *v) {
			if (which)
				*which = *names;
			return v;
		}
	}
	return NULL;
}

static int from_env(char **field, const char *const *names)
{
	const char *v;

	if (*field)
		return 0;
	v = env_first(names, NULL);
	return v ? ddci_config_set(field, v) : 0;
}

/* What to call a setting in a message: the flag, or the variable it came
 * from when the flag was not given. */
static const char *origin_of(const char *flag, int given, const char *const *names)
{
	const char *which = flag;

	if (!given)
		env_first(names, &which);
	return which;
}

/* Reads a key from a file: first line, surrounding white space trimmed. */
static int read_key_file(char **out, const char *path, const char *var)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	char chunk[512];
	FILE *f = NULL;
	struct stat st;
	size_t n, start = 0, end;
	int rc = 0, fd = -1;

	ddci_buf_init(&b, MAX_KEY_FILE);
	/* Non-blocking and checked before reading: a FIFO or a device would
	 * block past --timeout or never end. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = ddci_error_set(DDCI_EUSAGE, "cannot read %s '%s': %s", var, path, strerror(errno));
		goto done;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': not a regular file", var, path);
		goto done;
	}
	if (!(f = fdopen(fd, "r"))) {
		rc = ddci_error_set(DDCI_EUSAGE, "cannot read %s '%s': %s", var, path, strerror(errno));
		goto done;
	}
	fd = -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (ddci_buf_add(&b, chunk, n) < 0) {
			rc = ddci_error_set(DDCI_EUSAGE, "%s '%s' is too large for a key", var, path);
			goto done;
		}
	}
	end = b.len;
	while (start < end && isspace((unsigned char)b.ptr[start]))
		start++;
	for (size_t i = start; i < end; i++) {
		if (b.ptr[i] == '\n' || b.ptr[i] == '\r') {
			end = i;
			break;
		}
	}
	while (end > start && isspace((unsigned char)b.ptr[end - 1]))
		end--;
	if (end == start) {
		rc = ddci_error_set(DDCI_EUSAGE, "%s '%s' is empty", var, path);
		goto done;
	}
	*out = strndup(b.ptr + start, end - start);
	if (!*out)
		rc = ddci_error_oom();
done:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (b.ptr)
		memset(b.ptr, 0, b.cap);
	ddci_buf_release(&b);
	return rc;
}

static int load_key(char **field, const char *const *vars, const char *file_var)
{
	const char *path;

	if (from_env(field, vars) < 0)
		return DDCI_ENOMEM;
	if (*field)
		return 0;
	path = getenv(file_var);
	if (path && *path)
		return read_key_file(field, path, file_var);
	return 0;
}

/* A key is printable ASCII without spaces (it goes into an HTTP header). */
static int check_key(const char *key, const char *what)
{
	for (const char *p = key; *p; p++)
		if (*p <= ' ' || *p > '~')
			return ddci_error_set(DDCI_EUSAGE,
					      "invalid %s: it contains a space or a non-printable character",
					      what);
	return 0;
}

/* Checks scheme and host of an API URL and strips a trailing '/'.
 * http:// is allowed only for loopback hosts; user-info is refused. */
static int check_api_url(struct ddci_config *cfg, const char *what)
{
	char *u = cfg->api_url, host[256];
	const char *p, *end;
	size_t n, len;
	int https;

	if (!strncasecmp(u, "https://", 8))
		https = 1, p = u + 8;
	else if (!strncasecmp(u, "http://", 7))
		https = 0, p = u + 7;
	else
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': expected https://HOST[:PORT]", what, u);

	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)))
		return ddci_error_set(DDCI_EUSAGE, "invalid %s: credentials in the URL are not allowed", what);
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close)
			return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': bad IPv6 host", what, u);
		n = (size_t)(close - p - 1);
		p++;
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		n = (size_t)((colon ? colon : end) - p);
	}
	if (n == 0 || n >= sizeof(host))
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': no host", what, u);
	memcpy(host, p, n);
	host[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)host[i]) && !strchr(".-:_", host[i]))
			return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': bad host", what, u);
	if (*end == '?' || *end == '#')
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': no query or fragment allowed", what, u);

	cfg->loopback = ddci_host_is_loopback(host);
	if (!https && !cfg->loopback)
		return ddci_error_set(DDCI_EUSAGE,
				      "invalid %s '%s': plain http is allowed only for loopback hosts; use https",
				      what, u);
	len = strlen(u);
	while (len > 0 && u[len - 1] == '/')
		u[--len] = '\0';
	return 0;
}

/* The site as the reference names it, or as its web app's host: the
 * reference's tables say app.datadoghq.com, app.datadoghq.eu,
 * app.ddog-gov.com; the API host is api.<site>.  The "app." prefix and a
 * trailing dot are taken off (in place); case is ignored. */
static int check_site(char *site, const char *what)
{
	struct ddci_buf list = DDCI_BUF_INIT;
	char given[128];
	size_t len;
	int rc;

	snprintf(given, sizeof(given), "%s", site);
	for (char *p = site; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	len = strlen(site);
	if (len && site[len - 1] == '.')
		site[--len] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; ddci_sites[i]; i++)
			if (!strcmp(site, ddci_sites[i]))
				return 0;
		if (strncmp(site, "app.", 4))
			break;
		memmove(site, site + 4, strlen(site + 4) + 1);
	}
	for (size_t i = 0; ddci_sites[i]; i++)
		if (ddci_buf_addf(&list, "%s%s", i ? ", " : "", ddci_sites[i]) < 0)
			break;
	rc = ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': expected one of %s (or app.<site>)", what, given,
			    ddci_buf_str(&list));
	ddci_buf_release(&list);
	return rc;
}

/* Where Datadog's API reference says an endpoint family (as the API
 * modules name them: ddci/endpoint.h) is not served: the DORA page says
 * "DORA Metrics are not available in the US1-FED site" and lists no
 * us2.ddog-gov.com endpoint; the CI Visibility tests and Test Optimization
 * pages list none on us2.ddog-gov.com either. */
static const struct {
	const char *family, *what, *site, *why;
} unavailable[] = {
	{ "dora", "DORA Metrics", "ddog-gov.com", "not available in the US1-FED site" },
	{ "dora", "DORA Metrics", "us2.ddog-gov.com", "not served on this site" },
	{ "tests", "CI Visibility test events", "us2.ddog-gov.com", "not served on this site" },
	{ "flaky", "Flaky Test Management", "us2.ddog-gov.com", "not served on this site" },
};

int ddci_site_serves(const struct ddci_config *cfg, const char *family)
{
	for (size_t i = 0; cfg->site && family && i < sizeof(unavailable) / sizeof(unavailable[0]); i++)
		if (!strcmp(cfg->site, unavailable[i].site) && !strcmp(family, unavailable[i].family))
			return ddci_error_set(DDCI_EUSAGE,
					      "%s is %s per Datadog's API reference (site '%s'); nothing was sent",
					      unavailable[i].what, unavailable[i].why, cfg->site);
	return 0;
}

int ddci_config_require(const struct ddci_config *cfg, unsigned need)
{
	if (cfg->dry_run)
		return 0;
	if ((need & DDCI_NEED_API_KEY) && !cfg->api_key)
		return ddci_error_set(DDCI_EUSAGE, "no API key: set DD_API_KEY (or DATADOG_API_KEY, or DD_API_KEY_FILE)");
	if ((need & DDCI_NEED_APP_KEY) && !cfg->app_key)
		return ddci_error_set(DDCI_EUSAGE,
				      "no application key: set DD_APP_KEY (or DD_APPLICATION_KEY, or DD_APP_KEY_FILE)");
	return 0;
}

int ddci_config_finish(struct ddci_config *cfg, unsigned need)
{
	static const char *const api_vars[] = { "DD_API_KEY", "DATADOG_API_KEY", NULL };
	static const char *const app_vars[] = { "DD_APP_KEY", "DD_APPLICATION_KEY", "DATADOG_APP_KEY",
						"DATADOG_APPLICATION_KEY", NULL };
	static const char *const site_vars[] = { "DD_SITE", "DATADOG_SITE", NULL };
	static const char *const url_vars[] = { "DDCI_API_URL", NULL };
	static const char *const svc_vars[] = { "DD_SERVICE", NULL };
	static const char *const env_vars[] = { "DD_ENV", NULL };
	static const char *const ver_vars[] = { "DD_VERSION", NULL };
	static const char *const ca_vars[] = { "SSL_CERT_FILE", "CURL_CA_BUNDLE", NULL };
	static const char *const spool_vars[] = { "DDCI_SPOOL_DIR", NULL };
	static const char *const capath_vars[] = { "SSL_CERT_DIR", NULL };
	const char *v;
	int rc, site_flag, url_flag;

	if ((rc = load_key(&cfg->api_key, api_vars, "DD_API_KEY_FILE")) < 0 ||
	    (rc = load_key(&cfg->app_key, app_vars, "DD_APP_KEY_FILE")) < 0)
		return rc;
	ddci_redact_register(cfg->api_key);
	ddci_redact_register(cfg->app_key);

	site_flag = cfg->site != NULL;
	url_flag = cfg->api_url != NULL;
	if (from_env(&cfg->site, site_vars) < 0 || from_env(&cfg->api_url, url_vars) < 0 ||
	    from_env(&cfg->service, svc_vars) < 0 || from_env(&cfg->env, env_vars) < 0 ||
	    from_env(&cfg->version, ver_vars) < 0 || from_env(&cfg->ca_bundle, ca_vars) < 0 ||
	    from_env(&cfg->spool_dir, spool_vars) < 0 || from_env(&cfg->ca_path, capath_vars) < 0)
		return DDCI_ENOMEM;

	{
		/* From the environment: what the flags' parser checked for flags. */
		const char *const *vars[] = { svc_vars, env_vars, ver_vars };
		char *vals[] = { cfg->service, cfg->env, cfg->version };

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
			if (vals[i] && !ddci_utf8_valid(vals[i]))
				return ddci_error_set(DDCI_EUSAGE, "invalid %s: not valid UTF-8",
						      origin_of(i == 0 ? "--service" : i == 1 ? "--env" : "--version",
								0, vars[i]));
	}
	if (!cfg->site && ddci_config_set(&cfg->site, "datadoghq.com") < 0)
		return DDCI_ENOMEM;
	if ((rc = check_site(cfg->site, origin_of("--site", site_flag, site_vars))) < 0)
		return rc;
	if (!cfg->api_url) {
		size_t n = strlen(cfg->site) + sizeof("https://api.");
		cfg->api_url = malloc(n);
		if (!cfg->api_url)
			return ddci_error_oom();
		snprintf(cfg->api_url, n, "https://api.%s", cfg->site);
	}
	if ((rc = check_api_url(cfg, origin_of("--api-url", url_flag, url_vars))) < 0)
		return rc;

	if (cfg->timeout_ms < 0) {
		int64_t s = DEFAULT_TIMEOUT_MS / 1000;
		v = getenv("DDCI_TIMEOUT");
		if (v && *v && (rc = ddci_parse_int64(&s, v, 1, 86400, "DDCI_TIMEOUT")) < 0)
			return rc;
		cfg->timeout_ms = s * 1000;
	}
	if (cfg->retries < 0) {
		int64_t n = DEFAULT_RETRIES;
		v = getenv("DDCI_RETRIES");
		if (v && *v && (rc = ddci_parse_int64(&n, v, 0, MAX_RETRIES, "DDCI_RETRIES")) < 0)
			return rc;
		cfg->retries = (int)n;
	}
	if (cfg->dry_run < 0) {
		v = getenv("DDCI_DRY_RUN");
		cfg->dry_run = v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
	}
	if (!cfg->repo_path && ddci_config_set(&cfg->repo_path, ".") < 0)
		return DDCI_ENOMEM;
	if (cfg->ca_bundle && !*cfg->ca_bundle)
		return ddci_error_set(DDCI_EUSAGE, "invalid --ca-bundle '': expected a file");

	if ((rc = ddci_config_require(cfg, need)) < 0)
		return rc;
	if (cfg->api_key && (rc = check_key(cfg->api_key, "DD_API_KEY")) < 0)
		return rc;
	if (cfg->app_key && (rc = check_key(cfg->app_key, "DD_APP_KEY")) < 0)
		return rc;

	cfg->deadline_mono_ns = ddci_time_mono_ns() + cfg->timeout_ms * INT64_C(1000000);
	return 0;
}

static void free_secret(char *s)
{
	if (s) {
		volatile char *p = s;
		while (*p)
			*p++ = '\0';
	}
	free(s);
}

void ddci_config_release(struct ddci_config *cfg)
{
	if (!cfg)
		return;
	free_secret(cfg->api_key);
	free_secret(cfg->app_key);
	free(cfg->site);
	free(cfg->api_url);
	free(cfg->service);
	free(cfg->env);
	free(cfg->version);
	free(cfg->repo_path);
	free(cfg->ca_bundle);
	free(cfg->ca_path);
	free(cfg->spool_dir);
	cfg->api_key = cfg->app_key = cfg->site = cfg->api_url = NULL;
	cfg->service = cfg->env = cfg->version = cfg->repo_path = NULL;
	cfg->ca_bundle = cfg->ca_path = cfg->spool_dir = NULL;
}
