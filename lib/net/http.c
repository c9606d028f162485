/* http.c — HTTPS to Datadog over one reused libcurl easy handle.
 *
 * One request = up to 1 + cfg->retries attempts, all inside the command's
 * deadline (cfg->deadline_mono_ns): each attempt gets the time that is left,
 * and a backoff that would end past the deadline stops the retries at once
 * with a message that says so.  A 429 is not counted against --retries: it
 * is waited out until the deadline.  The processes of one machine share
 * what they learn of the limits (lib/net/ratelimit.c): each request takes a
 * slot first, a window's worth at a time, so a crowd sends about the
 * requests the limit allows and few 429s.  Without that (DDCI_RATE_SHARE=0,
 * no usable state directory, a server that gives no X-RateLimit-* headers)
 * a 429 is waited out alone: window reset plus a spread (RATE_SPREAD_*),
 * and the handle paces its later requests from what it learnt.  Keys live
 * only in the curl header lists; messages and the trace show the base URL
 * without user-info.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ddci/cadefault.h"
#include "ddci/hash.h"
#include "ddci/http.h"
#include "ddci/json.h"
#include "ddci/sanitize.h"
#include "ddci/ratelimit.h"
#include "ddci/redact.h"
#include "ddci/timeutil.h"
#include "ddci/wipe.h"
#include "ddci/version.h"

#define BACKOFF_BASE_MS 250
#define BACKOFF_CAP_MS 8000
#define CONNECT_TIMEOUT_MS 10000
#define DEFAULT_TIMEOUT_MS 30000
#define LOW_SPEED_BYTES 64L   /* slower than this ... */
#define LOW_SPEED_SECS 15L    /* ... for this long aborts an attempt */
#define ERROR_TEXT_MAX 480    /* keeps room for the rest of a message */
#define NS_PER_MS INT64_C(1000000)
/* Rate limits (HTTP 429): a crowd limited together is released together, so
 * each waits for the window to reset plus a random spread over the next
 * RATE_SPREAD_WINDOWS windows; the spread grows by half with every further
 * 429 (up to RATE_SPREAD_MAX_WINDOWS, at most RATE_SPREAD_CAP_MS) and
 * shrinks with every success, and it is remembered across the requests of
 * one handle (the pages of a reader).  Wider spreads waste fewer requests
 * but leave windows unused at the end; these values keep both near their
 * floor in tests/bench/scale.sh. */
#ifndef RATE_SPREAD_WINDOWS /* -D for experiments with tests/bench/scale.sh */
#define RATE_SPREAD_WINDOWS 4
#endif
#ifndef RATE_SPREAD_GROWTH_PCT
#define RATE_SPREAD_GROWTH_PCT 150
#endif
#define RATE_SPREAD_MAX_WINDOWS 8
#define RATE_SPREAD_CAP_MS INT64_C(60000)
#define RATE_SPREAD_MIN_MS 50
#define RATE_MAX_ATTEMPTS 1000 /* 429s are retried until the deadline, not per --retries */
#define RATE_LAST_TRY_MS 250   /* a spread ends this long before the deadline */

struct ddci_http {
	const struct ddci_config *cfg;
	CURL *curl;
	struct curl_slist *headers;     /* common headers and DD-API-KEY */
	struct curl_slist *headers_app; /* the same plus DD-APPLICATION-KEY */
	char *base_url;                 /* cfg->api_url without user-info */
	FILE *trace;
	FILE *notice;           /* rate-limit waits of 1 s or more, or NULL */
	int64_t deadline_ns;
	unsigned seed;
	/* Pacing learned from rate limits, kept across requests. */
	int64_t spread_ms;      /* current random spread after a 429 */
	int64_t not_before_ns;  /* the next request waits until then */
	struct ddci_ratelimit *rl; /* limits shared with the machine's other processes */
	int rl_noted;           /* the trace said why they are not shared */
	int64_t slot_ms;        /* wall-clock time the shared slot of this attempt was for */
	char errbuf[CURL_ERROR_SIZE];
	/* Filled by the callbacks during an attempt. */
	struct ddci_http_response *resp;
	int too_big;
	char retry_after[64];
};

/* "30 s", "1.5 s" */
static void fmt_secs(char *buf, size_t size, int64_t ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, size, "%" PRId64 " s", ms / 1000);
	else
		snprintf(buf, size, "%.1f s", (double)ms / 1000.0);
}

static void wipe_list(struct curl_slist *l)
{
	for (; l; l = l->next)
		if (l->data)
			ddci_wipe_str(l->data);
}

static int add_header(struct curl_slist **list, const char *name, const char *value)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	struct curl_slist *n;
	int rc;

	if (strpbrk(value, "\r\n"))
		return ddci_error_set(DDCI_EUSAGE, "the value of header '%s' contains a line break", name);
	rc = ddci_buf_addf(&b, "%s: %s", name, value);
	if (rc)
		goto done;
	n = curl_slist_append(*list, b.ptr);
	if (!n) {
		rc = ddci_error_oom();
		goto done;
	}
	*list = n;
done:
	if (b.ptr)
		ddci_wipe(b.ptr, b.len);
	ddci_buf_release(&b);
	return rc;
}

static int build_headers(struct ddci_http *h)
{
	const struct ddci_config *cfg = h->cfg;
	struct curl_slist **lists[2] = { &h->headers, &h->headers_app };
	int rc = 0;

	for (int i = 0; i < 2 && !rc; i++) {
		struct curl_slist **l = lists[i];

		rc = add_header(l, "Content-Type", "application/json");
		if (!rc)
			rc = add_header(l, "Accept", "application/json");
		if (!rc) /* no "Expect: 100-continue" round trip */
			rc = add_header(l, "Expect", "");
		if (!rc && cfg->api_key && *cfg->api_key)
			rc = add_header(l, "DD-API-KEY", cfg->api_key);
		if (!rc && i == 1 && cfg->app_key && *cfg->app_key)
			rc = add_header(l, "DD-APPLICATION-KEY", cfg->app_key);
	}
	return rc;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct ddci_http *h = ud;
	size_t len = size * n;

	if (ddci_buf_add(&h->resp->body, data, len)) {
		h->too_big = 1;
		return 0;
	}
	return len;
}

static void reset_captured(struct ddci_http *h)
{
	struct ddci_http_response *r = h->resp;

	r->request_id[0] = '\0';
	r->content_type[0] = '\0';
	r->rl_limit = r->rl_remaining = r->rl_reset = r->rl_period = -1;
	h->retry_after[0] = '\0';
}

/* Copies a header value, printable ASCII only (it ends up in messages). */
static void copy_value(char *dst, size_t size, const char *v, size_t len)
{
	size_t i;

	if (len >= size)
		len = size - 1;
	for (i = 0; i < len; i++)
		dst[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
	dst[i] = '\0';
}

static long header_long(const char *v, size_t len)
{
	char tmp[32];
	char *end;
	long n;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, v, len);
	tmp[len] = '\0';
	errno = 0;
	n = strtol(tmp, &end, 10);
	if (errno || end == tmp || *end || n < 0)
		return -1;
	return n;
}

static int name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct ddci_http *h = ud;
	struct ddci_http_response *r = h->resp;
	size_t len = size * n, nlen, vlen;
	const char *colon, *v;

	/* A new status line (after 100 Continue or a proxy CONNECT) starts over. */
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		reset_captured(h);
		return len;
	}
	colon = memchr(data, ':', len);
	if (!colon)
		return len;
	nlen = (size_t)(colon - data);
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;

	if (name_is(data, nlen, "x-request-id") || name_is(data, nlen, "dd-request-id")) {
		if (!r->request_id[0])
			copy_value(r->request_id, sizeof(r->request_id), v, vlen);
	} else if (name_is(data, nlen, "retry-after")) {
		copy_value(h->retry_after, sizeof(h->retry_after), v, vlen);
	} else if (name_is(data, nlen, "content-type")) {
		copy_value(r->content_type, sizeof(r->content_type), v, vlen);
	} else if (name_is(data, nlen, "x-ratelimit-limit")) {
		r->rl_limit = header_long(v, vlen);
	} else if (name_is(data, nlen, "x-ratelimit-remaining")) {
		r->rl_remaining = header_long(v, vlen);
	} else if (name_is(data, nlen, "x-ratelimit-reset")) {
		r->rl_reset = header_long(v, vlen);
	} else if (name_is(data, nlen, "x-ratelimit-period")) {
		r->rl_period = header_long(v, vlen);
	}
	return len;
}

#ifndef DDCI_CA_DIR
#define DDCI_CA_DIR "/etc/ssl/certs"
#endif

/* DDCI_CA_DIR when it provably holds libcurl's default bundle, else NULL
 * (libcurl's default stands).  libcurl names its bundle since 7.84; before,
 * Debian's layout is the only one trusted. */
static const char *lazy_ca_dir(CURL *curl)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	char *bundle = NULL;

#if LIBCURL_VERSION_NUM >= 0x075400 /* 7.84.0 */
	if (curl_easy_getinfo(curl, CURLINFO_CAINFO, &bundle) != CURLE_OK)
		bundle = NULL;
#else
	(void)curl;
	bundle = DDCI_CA_DIR "/ca-certificates.crt";
#endif
	return ddci_ca_lazy_dir(cv->ssl_version, bundle, DDCI_CA_DIR);
}

/* A --verbose line: redacted like any message, and safe for a terminal
 * or CI log (a server's request id is data). */
DDCI_PRINTF(2, 3)
static void trace(struct ddci_http *h, const char *fmt, ...)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	char *red, *clean = NULL;
	va_list ap;
	int rc;

	if (!h->trace)
		return;
	va_start(ap, fmt);
	rc = ddci_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (rc == 0 && (red = ddci_redact_text(ddci_buf_str(&b)))) {
		clean = ddci_san_dup(red, DDCI_CHAN_LINES);
		free(red);
	}
	if (clean)
		fputs(clean, h->trace);
	free(clean);
	ddci_buf_release(&b);
}

#define SET(opt, val)                                                   \
	do {                                                            \
		cc = curl_easy_setopt(h->curl, opt, val);               \
		if (cc != CURLE_OK) {                                   \
			what = #opt;                                    \
			goto setopt_failed;                             \
		}                                                       \
	} while (0)

int ddci_http_new(struct ddci_http **out, const struct ddci_config *cfg)
{
	struct ddci_http *h = NULL;
	const char *what = "", *ca_dir;
	char ua[80];
	CURLcode cc;
	int rc;

	*out = NULL;
	if (!cfg->api_url || !*cfg->api_url)
		return ddci_error_set(DDCI_EUSAGE, "no API URL configured");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return ddci_error_set(DDCI_EIO, "cannot initialise libcurl");
	h = calloc(1, sizeof(*h));
	if (!h) {
		curl_global_cleanup();
		return ddci_error_oom();
	}
	h->cfg = cfg;
	h->deadline_ns = cfg->deadline_mono_ns;
	if (h->deadline_ns <= 0)
		h->deadline_ns = ddci_time_mono_ns() +
				 (cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS) * NS_PER_MS;
	h->seed = ddci_hash_mix32((uint32_t)ddci_time_now_ns() ^ (uint32_t)getpid());
	h->base_url = ddci_redact_url(cfg->api_url);
	h->curl = curl_easy_init();
	if (!h->base_url || !h->curl) {
		rc = h->curl ? ddci_error_oom() : ddci_error_set(DDCI_EIO, "cannot create a libcurl handle");
		goto fail;
	}
	rc = build_headers(h);
	if (rc)
		goto fail;
	h->rl = ddci_ratelimit_open(cfg->api_url, cfg->api_key); /* NULL (no memory): not shared */

	SET(CURLOPT_ERRORBUFFER, h->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
	SET(CURLOPT_PROTOCOLS_STR, "https,http");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTPS | CURLPROTO_HTTP));
#endif
	snprintf(ua, sizeof(ua), "ddci/%s", ddci_version());
	SET(CURLOPT_USERAGENT, ua); /* copied by libcurl */
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, h);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, h);
	SET(CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_BYTES);
	SET(CURLOPT_LOW_SPEED_TIME, LOW_SPEED_SECS);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	/* Plain http is for loopback only: never through a proxy (http_proxy,
	 * ALL_PROXY), which would see the keys in clear. */
	if (!strncasecmp(cfg->api_url, "http://", 7))
		SET(CURLOPT_NOPROXY, "*");
	/* The CA store: the user's bundle or directory; else libcurl's own
	 * default, or the hashed directory that provably holds the same
	 * certificates, which OpenSSL reads on demand (lib/net/cadefault.c). */
	if (cfg->ca_bundle && *cfg->ca_bundle) {
		SET(CURLOPT_CAINFO, cfg->ca_bundle);
	} else if ((ca_dir = cfg->ca_path && *cfg->ca_path ? cfg->ca_path : lazy_ca_dir(h->curl))) {
		SET(CURLOPT_CAINFO, (char *)NULL);
		SET(CURLOPT_CAPATH, ca_dir);
	}
	*out = h;
	return 0;

setopt_failed:
	rc = ddci_error_set(DDCI_EIO, "libcurl refused option %s: %s", what, curl_easy_strerror(cc));
fail:
	ddci_http_free(h);
	return rc;
}
#undef SET

void ddci_http_free(struct ddci_http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	ddci_ratelimit_free(h->rl);
	wipe_list(h->headers);
	wipe_list(h->headers_app);
	curl_slist_free_all(h->headers);
	curl_slist_free_all(h->headers_app);
	free(h->base_url);
	free(h);
	curl_global_cleanup();
}

void ddci_http_set_trace(struct ddci_http *h, FILE *f)
{
	if (h)
		h->trace = f;
}

void ddci_http_set_notice(struct ddci_http *h, FILE *f)
{
	if (h)
		h->notice = f;
}

static int64_t left_ms(const struct ddci_http *h);

/* "ddci: rate limited (HTTP 429): waiting 12 s (--timeout ends in 18 s)" */
static void announce_wait(struct ddci_http *h, int64_t wait_ms, const char *why)
{
	if (!h->notice || h->trace || wait_ms < 1000 || wait_ms >= left_ms(h))
		return; /* short, traced already, or cut by --timeout (the error says so) */
	fprintf(h->notice, "%s: rate limited (%s): waiting %" PRId64 " s (--timeout ends in %" PRId64 " s)\n",
		h->cfg && h->cfg->prog ? h->cfg->prog : "ddci", why, (wait_ms + 999) / 1000, (left_ms(h) + 999) / 1000);
}

void ddci_http_response_release(struct ddci_http_response *resp)
{
	if (!resp)
		return;
	ddci_buf_release(&resp->body);
}

/* ---- error text ---- */

static int add_error(struct ddci_buf *b, const cJSON *e)
{
	const cJSON *title, *detail, *ptr;
	int rc = 0;

	if (cJSON_IsString(e) && e->valuestring && *e->valuestring)
		return ddci_buf_adds(b, e->valuestring);
	if (!cJSON_IsObject(e))
		return 0;
	title = cJSON_GetObjectItemCaseSensitive(e, "title");
	detail = cJSON_GetObjectItemCaseSensitive(e, "detail");
	ptr = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "source"), "pointer");
	if (!cJSON_IsString(title) || !*title->valuestring)
		title = NULL;
	if (!cJSON_IsString(detail) || !*detail->valuestring)
		detail = NULL;
	if (!title && !detail)
		return 0;
	if (title)
		rc = ddci_buf_adds(b, title->valuestring);
	if (!rc && title && detail)
		rc = ddci_buf_adds(b, ": ");
	if (!rc && detail)
		rc = ddci_buf_adds(b, detail->valuestring);
	if (!rc && cJSON_IsString(ptr) && *ptr->valuestring)
		rc = ddci_buf_addf(b, " (%s)", ptr->valuestring);
	return rc;
}

char *ddci_http_error_text(const char *body)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	cJSON *doc;
	const cJSON *errs, *e;
	char *text = NULL;

	if (!body || !*body)
		return NULL;
	doc = ddci_json_parse_quiet(body); /* bounded like any answer */
	errs = cJSON_GetObjectItemCaseSensitive(doc, "errors");
	if (cJSON_IsString(errs)) {
		if (add_error(&b, errs))
			goto done;
	} else if (cJSON_IsArray(errs)) {
		cJSON_ArrayForEach(e, errs) {
			size_t before = b.len;

			if (b.len && ddci_buf_adds(&b, "; "))
				goto done;
			if (add_error(&b, e))
				goto done;
			if (b.len == before + 2) /* nothing added: drop the separator */
				b.len = before;
			if (b.len > ERROR_TEXT_MAX)
				break;
		}
	}
	if (b.len == 0)
		goto done;
	if (b.len > ERROR_TEXT_MAX) {
		size_t n = ERROR_TEXT_MAX;

		while (n && ((unsigned char)b.ptr[n] & 0xC0) == 0x80) /* keep UTF-8 whole */
			n--;
		b.len = n;
		if (ddci_buf_adds(&b, "..."))
			goto done;
	}
	b.ptr[b.len] = '\0';
	for (size_t i = 0; i < b.len; i++) /* one line */
		if ((unsigned char)b.ptr[i] < 0x20)
			b.ptr[i] = ' ';
	text = ddci_buf_detach(&b);
done:
	ddci_buf_release(&b);
	cJSON_Delete(doc);
	return text;
}

/* ---- backoff ---- */

/* Retry-After as seconds from now: delta seconds or an HTTP date; -1 when
 * unreadable. */
static int64_t retry_after_secs(const char *v)
{
	char *end;
	long long n;
	time_t when;

	while (*v == ' ')
		v++;
	if (*v >= '0' && *v <= '9') {
		errno = 0;
		n = strtoll(v, &end, 10);
		while (*end == ' ')
			end++;
		if (!errno && !*end)
			return n > 86400 ? 86400 : n;
	}
	when = curl_getdate(v, NULL);
	if (when == (time_t)-1)
		return -1;
	when -= time(NULL);
	return when < 0 ? 0 : when > 86400 ? 86400 : (int64_t)when;
}

int64_t ddci_http_backoff_ms(int attempt, int64_t base_ms, const char *retry_after,
			     long ratelimit_reset, unsigned seed)
{
	int64_t cap;

	if (retry_after && *retry_after) {
		int64_t s = retry_after_secs(retry_after);

		if (s >= 0)
			return s * 1000;
	}
	if (ratelimit_reset >= 0) {
		/* Everybody limited together is released together: spread them. */
		int64_t ms = (ratelimit_reset > 86400 ? 86400 : (int64_t)ratelimit_reset) * 1000;
		int64_t jitter = ms / 4 < 1000 ? ms / 4 : 1000;

		return ms + (int64_t)(ddci_hash_mix32(seed) % (uint64_t)(jitter + 1));
	}
	cap = base_ms > 0 ? base_ms : 0;
	for (int i = 1; i < attempt && cap < BACKOFF_CAP_MS; i++)
		cap *= 2;
	if (cap > BACKOFF_CAP_MS)
		cap = BACKOFF_CAP_MS;
	return (int64_t)(ddci_hash_mix32(seed) % (uint64_t)(cap + 1));
}

/* ---- rate-limit pacing ---- */

static uint32_t next_rand(struct ddci_http *h)
{
	h->seed = ddci_hash_mix32(h->seed + 0x9e3779b9U);
	return h->seed;
}

/* Uniform in [0, range_ms]. */
static int64_t rand_ms(struct ddci_http *h, int64_t range_ms)
{
	uint64_t r = ((uint64_t)next_rand(h) << 32) | next_rand(h);

	return range_ms > 0 ? (int64_t)(r % (uint64_t)(range_ms + 1)) : 0;
}

static int64_t period_ms(const struct ddci_http_response *r)
{
	if (r->rl_period > 0)
		return (r->rl_period > 3600 ? 3600 : (int64_t)r->rl_period) * 1000;
	if (r->rl_reset > 0)
		return (r->rl_reset > 3600 ? 3600 : (int64_t)r->rl_reset) * 1000;
	return 1000;
}

/* After a 429: *reset_ms = when the window resets (Retry-After first, then
 * X-RateLimit-Reset, else a backoff); returns the wait = reset plus a random
 * spread, the spread cut so that the retry still happens before the
 * deadline (`left` ms from now). */
static int64_t rate_wait_ms(struct ddci_http *h, int64_t *reset_ms, int attempt, int64_t left)
{
	const struct ddci_http_response *r = h->resp;
	int64_t reset = -1, spread, room;

	if (h->retry_after[0]) {
		int64_t s = retry_after_secs(h->retry_after);

		if (s >= 0)
			reset = s * 1000;
	}
	if (reset < 0 && r->rl_reset >= 0)
		reset = (r->rl_reset > 86400 ? 86400 : (int64_t)r->rl_reset) * 1000;
	if (reset < 0)
		reset = ddci_http_backoff_ms(attempt, BACKOFF_BASE_MS, NULL, -1, next_rand(h));
	*reset_ms = reset;

	spread = h->spread_ms * RATE_SPREAD_GROWTH_PCT / 100;
	if (spread < RATE_SPREAD_WINDOWS * period_ms(r))
		spread = RATE_SPREAD_WINDOWS * period_ms(r);
	if (spread > RATE_SPREAD_MAX_WINDOWS * period_ms(r))
		spread = RATE_SPREAD_MAX_WINDOWS * period_ms(r);
	if (spread > RATE_SPREAD_CAP_MS)
		spread = RATE_SPREAD_CAP_MS;
	h->spread_ms = spread;
	room = left - reset - RATE_LAST_TRY_MS;
	if (spread > room)
		spread = room > 0 ? room : 0;
	return reset + rand_ms(h, spread);
}

/* After a success: the spread shrinks (fast when the window is far from
 * full), the next request keeps a paced distance, and waits for the reset
 * when the window has no request left. */
static void rate_success(struct ddci_http *h)
{
	const struct ddci_http_response *r = h->resp;
	int64_t now = ddci_time_mono_ns(), gap = 0;

	if (h->spread_ms > 0) {
		int busy = r->rl_limit > 0 && r->rl_remaining >= 0 && r->rl_remaining * 2 < r->rl_limit;

		h->spread_ms = busy ? h->spread_ms * 4 / 5 : h->spread_ms * 2 / 5;
		if (h->spread_ms < RATE_SPREAD_MIN_MS)
			h->spread_ms = 0;
		/* While the window is busy, about one request per spread/4 from
		 * this client (0.5x to 1.5x); a quiet window sets no gap. */
		if (busy)
			gap = h->spread_ms / 8 + rand_ms(h, h->spread_ms / 4);
	}
	if (r->rl_remaining == 0 && r->rl_reset >= 0) {
		int64_t reset = (r->rl_reset > 3600 ? 3600 : (int64_t)r->rl_reset) * 1000 +
				rand_ms(h, period_ms(r));

		gap = reset > gap ? reset : gap;
	}
	h->not_before_ns = gap > 0 ? now + gap * NS_PER_MS : 0;
}

/* ---- sending ---- */

static int retryable_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int64_t left_ms(const struct ddci_http *h)
{
	return (h->deadline_ns - ddci_time_mono_ns()) / NS_PER_MS;
}

static int perform(struct ddci_http *h, const char *method, const char *url, const char *body,
		   unsigned flags, int64_t left)
{
	CURL *c = h->curl;
	int sends_body = body || !strcmp(method, "POST") || !strcmp(method, "PUT") ||
			 !strcmp(method, "PATCH");

	reset_captured(h);
	ddci_buf_reset(&h->resp->body);
	h->too_big = 0;
	h->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, (flags & DDCI_HTTP_APP_KEY) ? h->headers_app : h->headers);
	if (sends_body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? strlen(body) : 0));
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
	} else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, (char *)NULL);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
			 strcmp(method, sends_body ? "POST" : "GET") ? method : (char *)NULL);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(left > LONG_MAX ? LONG_MAX : left));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(left < CONNECT_TIMEOUT_MS ? left : CONNECT_TIMEOUT_MS));
	return (int)curl_easy_perform(c);
}

/* What went wrong in the last attempt, for messages: "HTTP 503" or the
 * curl error. */
static void curl_text(char *buf, size_t size, const struct ddci_http *h, CURLcode cc)
{
	char *red = ddci_redact_text(h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc));

	snprintf(buf, size, "%s", red ? red : curl_easy_strerror(cc));
	free(red);
}

/* ": <errors text> (request id X)" from the response. */
static void details(char *buf, size_t size, const struct ddci_http_response *r)
{
	char *text = ddci_http_error_text(ddci_buf_str(&r->body));
	char *red = text ? ddci_redact_text(text) : NULL;
	int n = 0;

	buf[0] = '\0';
	if (red && *red)
		n = snprintf(buf, size, ": %s", red);
	if (n >= 0 && (size_t)n < size && r->request_id[0])
		snprintf(buf + n, size - (size_t)n, " (request id %s)", r->request_id);
	free(text);
	free(red);
}

/* The failure of the last attempt, when it is one we retry on. */
static void describe(char *buf, size_t size, const struct ddci_http *h, CURLcode cc)
{
	const struct ddci_http_response *r = h->resp;
	char err[CURL_ERROR_SIZE + 32];

	if (r->status == 429) {
		snprintf(buf, size, "rate limited by Datadog (HTTP 429)");
	} else if (r->status >= 500) {
		snprintf(buf, size, "Datadog unavailable (HTTP %ld)", r->status);
	} else {
		curl_text(err, sizeof(err), h, cc);
		snprintf(buf, size, "cannot reach %s: %s", h->base_url, err);
	}
}

static int timed_out(struct ddci_http *h, const char *last)
{
	char secs[32];

	fmt_secs(secs, sizeof(secs), h->cfg->timeout_ms > 0 ? h->cfg->timeout_ms : DEFAULT_TIMEOUT_MS);
	if (last && *last)
		return ddci_error_set(DDCI_EUNAVAIL, "timed out after %s (--timeout); last attempt: %s",
				      secs, last);
	return ddci_error_set(DDCI_EUNAVAIL, "timed out after %s (--timeout) waiting for %s", secs,
			      h->base_url);
}

static int rejected(struct ddci_http *h)
{
	const struct ddci_http_response *r = h->resp;
	char more[700];

	details(more, sizeof(more), r);
	if (r->status < 400)
		return ddci_error_set(DDCI_EPROTO, "unexpected answer from Datadog (HTTP %ld)%s", r->status,
				      more);
	return ddci_error_set(DDCI_EREJECT, "Datadog rejected the request (HTTP %ld)%s%s", r->status, more,
			      (r->status == 401 || r->status == 403) ?
				      "; check DD_API_KEY / DD_APP_KEY and DD_SITE" : "");
}

/* Gave up after a retryable failure: attempts used up, or the next wait
 * would pass the deadline (wait_ms >= 0). */
static int give_up(struct ddci_http *h, CURLcode cc, int64_t wait_ms)
{
	const struct ddci_http_response *r = h->resp;
	char what[CURL_ERROR_SIZE + 200], more[700], tries[48] = "", tail[160] = "";
	char secs[32], wait[32];

	if (r->attempts > 1)
		snprintf(tries, sizeof(tries), " after %d attempts", r->attempts);
	if (r->status) {
		describe(what, sizeof(what), h, cc);
		details(more, sizeof(more), r);
	} else {
		/* "cannot reach URL after 4 attempts: <curl error>" */
		snprintf(what, sizeof(what), "cannot reach %s", h->base_url);
		more[0] = ':';
		more[1] = ' ';
		curl_text(more + 2, sizeof(more) - 2, h, cc);
	}
	if (wait_ms >= 0) {
		fmt_secs(secs, sizeof(secs), h->cfg->timeout_ms > 0 ? h->cfg->timeout_ms : DEFAULT_TIMEOUT_MS);
		fmt_secs(wait, sizeof(wait), (wait_ms + 999) / 1000 * 1000);
		if (r->status == 429 && (h->retry_after[0] || r->rl_reset >= 0))
			snprintf(tail, sizeof(tail), "; the limit resets in %s, after --timeout (%s) ends",
				 wait, secs);
		else if (h->retry_after[0])
			snprintf(tail, sizeof(tail), "; Datadog asks to retry in %s, after --timeout (%s) ends",
				 wait, secs);
		else
			snprintf(tail, sizeof(tail), "; no time left to retry within --timeout (%s)", secs);
	}
	return ddci_error_set(DDCI_EUNAVAIL, "%s%s%s%s", what, tries, more, tail);
}

/* The shared state gives no slot before the deadline: said at once, with
 * the 429 already received when there was one. */
static int late(struct ddci_http *h, int64_t wait_ms)
{
	char secs[32], wait[32];

	if (h->resp->status == 429)
		return give_up(h, CURLE_OK, wait_ms);
	fmt_secs(secs, sizeof(secs), h->cfg->timeout_ms > 0 ? h->cfg->timeout_ms : DEFAULT_TIMEOUT_MS);
	fmt_secs(wait, sizeof(wait), (wait_ms + 999) / 1000 * 1000);
	return ddci_error_set(DDCI_EUNAVAIL,
			      "rate limited by Datadog: the next free request slot (shared by the ddci processes "
			      "on this machine) is in %s, after --timeout (%s) ends", wait, secs);
}

/* Before an attempt, with limits shared: waits towards this request's
 * slot.  Returns 1 to send now, 0 to ask again, or a negative error (no
 * slot before the deadline).  `after_429`: the last attempt was limited. */
static int take_slot(struct ddci_http *h, const char *family, int *after_429)
{
	int64_t left = left_ms(h), wait = 0, room = left - RATE_LAST_TRY_MS;
	enum ddci_ratelimit_turn turn;

	turn = ddci_ratelimit_before(h->rl, &wait, family, ddci_ratelimit_now_ms() + (room > 0 ? room : 0));
	h->slot_ms = ddci_ratelimit_now_ms(); /* for GO: its slot is now */
	switch (turn) {
	case DDCI_RL_LATE:
		return late(h, wait);
	case DDCI_RL_ASK:
		if (h->trace)
			trace(h, "waiting %" PRId64 " ms for the rate limit another ddci process is finding out\n",
				wait);
		sleep_ms(wait < left ? wait : left);
		return 0;
	case DDCI_RL_AT:
		*after_429 = 0; /* a slot in a later window: no need to back off */
		if (h->trace)
			trace(h, "rate limit: waiting %" PRId64 " ms for a request slot shared with the "
				"ddci processes on this machine\n", wait);
		announce_wait(h, wait, "a request slot shared by this machine's ddci processes");
		sleep_ms(wait < left ? wait : left);
		return 0;
	case DDCI_RL_GO:
	case DDCI_RL_PROBE:
		if (*after_429) {
			/* Limited, yet a free slot at once: the window's end was
			 * guessed wrong (a reset of 0, another client).  Back off. */
			wait = ddci_http_backoff_ms(*after_429, BACKOFF_BASE_MS, NULL, -1, next_rand(h));
			if (wait >= left)
				return give_up(h, CURLE_OK, wait);
			if (h->trace)
				trace(h, "rate limited: retrying in %" PRId64 " ms\n", wait);
			sleep_ms(wait);
		}
		return 1;
	}
	return 1;
}

/* One send's progress through its attempts. */
struct send_state {
	const struct ddci_http_request *req;
	const char *url;
	int max_attempts;       /* 1 + --retries for a retryable request */
	int rate_limited;       /* 429s so far (retried until the deadline, counted apart) */
	int shared_429;         /* the last 429 is waited out through the shared state */
	int sharing;            /* limits shared with the machine's other processes */
	int known;              /* the shared state knows when the window resets */
	int64_t left;           /* ms left when the attempt was let through */
	char last[CURL_ERROR_SIZE + 200]; /* the last retryable failure, for messages */
};

/* Before an attempt: its turn under the shared limits, or the pacing that
 * earlier limits asked for.  1 to send, 0 to ask again, or an error. */
static int before_attempt(struct ddci_http *h, struct send_state *st)
{
	int64_t left = left_ms(h);
	int rc;

	if (left <= 0)
		return timed_out(h, st->last);
	st->sharing = h->rl && !ddci_ratelimit_off(h->rl);
	if (st->sharing) {
		int after_429 = st->shared_429 ? st->rate_limited : 0;

		rc = take_slot(h, st->req->family, &after_429);
		st->shared_429 = after_429 != 0;
		if (rc <= 0)
			return rc;
	} else if (h->not_before_ns > 0) {
		/* Paced after earlier rate limits; never past half the time left. */
		int64_t pace = (h->not_before_ns - ddci_time_mono_ns()) / NS_PER_MS;

		h->not_before_ns = 0;
		if (pace > left / 2)
			pace = left / 2;
		if (pace > 0) {
			if (h->trace)
				trace(h, "pacing %" PRId64 " ms (rate limit)\n", pace);
			sleep_ms(pace);
		}
	}
	st->left = left_ms(h);
	if (st->left <= 0)
		return timed_out(h, st->last);
	return 1;
}

/* One attempt: sends, traces, and tells the shared state what came back. */
static CURLcode attempt(struct ddci_http *h, struct send_state *st)
{
	struct ddci_http_response *resp = h->resp;
	const struct ddci_http_request *req = st->req;
	int64_t t0, sent_ms;
	CURLcode cc;

	resp->attempts++;
	if (h->trace)
		trace(h, "> %s %s%s\n", req->method, h->base_url, req->path);
	t0 = ddci_time_mono_ns();
	sent_ms = ddci_ratelimit_now_ms();
	cc = (CURLcode)perform(h, req->method, st->url, req->body, req->flags, st->left);
	resp->status = 0;
	if (cc == CURLE_OK)
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (h->trace) {
		int64_t ms = (ddci_time_mono_ns() - t0) / NS_PER_MS;

		if (cc == CURLE_OK) {
			trace(h, "< %ld (%" PRId64 " ms%s%s)\n", resp->status, ms,
				resp->request_id[0] ? ", request id " : "", resp->request_id);
		} else {
			char err[CURL_ERROR_SIZE + 32];

			curl_text(err, sizeof(err), h, cc);
			trace(h, "< failed (%" PRId64 " ms): %s\n", ms, err);
		}
	}
	st->known = 0;
	if (st->sharing) {
		struct ddci_ratelimit_seen seen = {
			.status = resp->status, .limit = resp->rl_limit, .remaining = resp->rl_remaining,
			.reset_s = resp->rl_reset, .period_s = resp->rl_period, .retry_after_s = -1,
			.sent_ms = sent_ms, .recv_ms = ddci_ratelimit_now_ms(), .slot_ms = h->slot_ms,
		};

		if (h->retry_after[0]) {
			int64_t s = retry_after_secs(h->retry_after);

			seen.retry_after_s = s >= 0 ? (long)s : -1;
		}
		st->known = ddci_ratelimit_after(h->rl, req->family, &seen);
	}
	return cc;
}

/* A retryable failure: 1 with the wait before the next attempt in *wait
 * (-1: ask the shared state at once), or an error when it is time to give
 * up. */
static int retry_after_failure(struct ddci_http *h, struct send_state *st, CURLcode cc, int64_t *wait)
{
	const struct ddci_http_response *resp = h->resp;
	int64_t reset_ms = -1, left;

	describe(st->last, sizeof(st->last), h, cc);
	st->shared_429 = 0;
	if (cc == CURLE_OK && resp->status == 429) {
		/* Not processed, so always safe to repeat: retried until the
		 * deadline (--retries 0 turns it off), counted apart. */
		st->rate_limited++;
		if (h->cfg->retries <= 0 || resp->attempts >= RATE_MAX_ATTEMPTS)
			return give_up(h, cc, -1);
		if (st->known) {
			/* The shared state knows when the window resets: the
			 * next slot is taken from it like any other. */
			st->shared_429 = 1;
			if (h->trace)
				trace(h, "rate limited: taking the next shared request slot\n");
			*wait = -1;
			return 1;
		}
		left = left_ms(h);
		*wait = rate_wait_ms(h, &reset_ms, resp->attempts, left);
		if (reset_ms >= left)
			return give_up(h, cc, reset_ms);
	} else {
		if (resp->attempts - st->rate_limited >= st->max_attempts)
			return give_up(h, cc, -1);
		*wait = ddci_http_backoff_ms(resp->attempts - st->rate_limited, BACKOFF_BASE_MS, h->retry_after, -1,
					     next_rand(h));
		if (*wait >= left_ms(h))
			return give_up(h, cc, *wait);
	}
	if (h->trace && reset_ms >= 0) {
		trace(h, "rate limited: retrying in %" PRId64 " ms (window resets in %" PRId64
			" ms, spread %" PRId64 " ms)\n", *wait, reset_ms, *wait - reset_ms);
	} else if (h->trace) {
		char why[48];

		if (resp->status)
			snprintf(why, sizeof(why), "HTTP %ld", resp->status);
		else
			snprintf(why, sizeof(why), "%s", curl_easy_strerror(cc));
		trace(h, "retrying in %" PRId64 " ms (%s, attempt %d of %d)\n", *wait, why,
			resp->attempts - st->rate_limited + 1, st->max_attempts);
	}
	return 1;
}

/* After an attempt: 0 done, 1 to retry after *wait ms (-1: at once), or
 * an error. */
static int after_attempt(struct ddci_http *h, struct send_state *st, CURLcode cc, int64_t *wait)
{
	const struct ddci_http_response *resp = h->resp;

	if (cc == CURLE_OK && resp->status >= 200 && resp->status < 300) {
		if (!st->known && (resp->rl_limit >= 0 || h->spread_ms > 0))
			rate_success(h);
		return 0;
	}
	if (cc == CURLE_OK && resp->status != 429 && resp->status < 500)
		return rejected(h);
	if (h->too_big)
		return ddci_error_set(DDCI_EPROTO, "response from Datadog larger than %zu MiB",
				      DDCI_HTTP_MAX_BODY >> 20);
	if (cc == CURLE_OPERATION_TIMEDOUT && left_ms(h) <= 0)
		return timed_out(h, NULL);
	if (cc != CURLE_OK && !retryable_curl(cc)) {
		char err[CURL_ERROR_SIZE + 32];

		curl_text(err, sizeof(err), h, cc);
		return ddci_error_set(DDCI_EUNAVAIL, "cannot reach %s: %s", h->base_url, err);
	}
	/* Retryable: 429, 5xx or a connection-level failure. */
	return retry_after_failure(h, st, cc, wait);
}

int ddci_http_send(struct ddci_http_response *resp, struct ddci_http *h, const struct ddci_http_request *req)
{
	struct ddci_buf url = DDCI_BUF_INIT;
	struct send_state st = { .req = req, .max_attempts = 1 };
	int64_t wait = -1;
	int rc;

	memset(resp, 0, sizeof(*resp));
	ddci_buf_init(&resp->body, DDCI_HTTP_MAX_BODY);
	h->resp = resp;
	reset_captured(h);
	if ((req->flags & DDCI_HTTP_RETRY) && h->cfg->retries > 0)
		st.max_attempts += h->cfg->retries;
	rc = ddci_buf_addf(&url, "%s%s", h->cfg->api_url, req->path);
	if (rc)
		goto done;
	st.url = url.ptr;
	if (h->trace && !h->rl_noted && h->rl && ddci_ratelimit_off(h->rl))
		trace(h, "rate limits not shared with other ddci processes: %s\n", ddci_ratelimit_off(h->rl));
	h->rl_noted = 1;
	for (;;) {
		rc = before_attempt(h, &st);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		rc = after_attempt(h, &st, attempt(h, &st), &wait);
		if (rc <= 0)
			break;
		if (wait >= 0) {
			if (resp->status == 429)
				announce_wait(h, wait, "HTTP 429");
			sleep_ms(wait);
		}
	}
done:
	if (rc < 0)
		ddci_error_set_request_id(resp->request_id);
	h->resp = NULL;
	ddci_buf_release(&url);
	return rc;
}
