/*
 * fake-datadog helpers shared by every API: buffers, responses, JSON with raw
 * numbers, query strings, search queries, times, cursors, random numbers.
 */
#include "fd.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

cJSON fd_unknown_key;

/* ---- buffers ---- */

void fd_buf_add(struct fd_buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			abort();
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void fd_buf_adds(struct fd_buf *b, const char *s)
{
	fd_buf_add(b, s, strlen(s));
}

void fd_buf_addf(struct fd_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		fd_buf_add(b, tmp, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big)
		abort();
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	fd_buf_add(b, big, (size_t)n);
	free(big);
}

void fd_buf_release(struct fd_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---- responses ---- */

const char *fd_status_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too many requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

void fd_resp_release(struct fd_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

void fd_resp_json(struct fd_resp *r, int status, cJSON *doc)
{
	fd_resp_release(r);
	r->status = status;
	r->ctype = "application/json";
	r->body = fd_print(doc);
	r->len = strlen(r->body);
	cJSON_Delete(doc);
}

void fd_resp_text(struct fd_resp *r, int status, const char *ctype, const char *body)
{
	fd_resp_release(r);
	r->status = status;
	r->ctype = ctype;
	r->body = strdup(body);
	if (!r->body)
		abort();
	r->len = strlen(body);
}

void fd_resp_empty(struct fd_resp *r, int status)
{
	fd_resp_release(r);
	r->status = status;
	r->ctype = NULL;
}

void fd_resp_error(struct fd_resp *r, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON *doc = cJSON_CreateObject();
	cJSON *errs = cJSON_AddArrayToObject(doc, "errors");
	cJSON_AddItemToArray(errs, cJSON_CreateString(msg));
	fd_resp_json(r, status, doc);
}

void fd_resp_jsonapi_error(struct fd_resp *r, int status, const char *pointer, const char *fmt, ...)
{
	char msg[512], st[8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(st, sizeof st, "%d", status);
	cJSON *doc = cJSON_CreateObject();
	cJSON *errs = cJSON_AddArrayToObject(doc, "errors");
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "status", st);
	cJSON_AddStringToObject(e, "title", fd_status_reason(status));
	cJSON_AddStringToObject(e, "detail", msg);
	if (pointer) {
		cJSON *src = cJSON_AddObjectToObject(e, "source");
		cJSON_AddStringToObject(src, "pointer", pointer);
	}
	cJSON_AddItemToArray(errs, e);
	fd_resp_json(r, status, doc);
}

void fd_resp_header(struct fd_resp *r, const char *name, const char *value)
{
	for (int i = 0; i < r->nhdr; i++) {
		if (strcasecmp(r->hname[i], name) == 0) {
			snprintf(r->hvalue[i], sizeof r->hvalue[i], "%s", value);
			return;
		}
	}
	if (r->nhdr >= FD_MAX_HEADERS)
		return;
	snprintf(r->hname[r->nhdr], sizeof r->hname[0], "%s", name);
	snprintf(r->hvalue[r->nhdr], sizeof r->hvalue[0], "%s", value);
	r->nhdr++;
}

/* ---- JSON ---- */

/* Length of a JSON number token at p (grammar-checked), 0 when invalid. */
static size_t number_len(const char *p, const char *end)
{
	const char *s = p;
	if (s < end && *s == '-')
		s++;
	if (s >= end || !isdigit((unsigned char)*s))
		return 0;
	if (*s == '0')
		s++;
	else
		while (s < end && isdigit((unsigned char)*s))
			s++;
	if (s < end && *s == '.') {
		s++;
		if (s >= end || !isdigit((unsigned char)*s))
			return 0;
		while (s < end && isdigit((unsigned char)*s))
			s++;
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			s++;
		if (s >= end || !isdigit((unsigned char)*s))
			return 0;
		while (s < end && isdigit((unsigned char)*s))
			s++;
	}
	return (size_t)(s - p);
}

static void raw_numbers(cJSON *it)
{
	for (; it; it = it->next) {
		if (cJSON_IsString(it) && it->valuestring && it->valuestring[0] == '\x01') {
			size_t n = strlen(it->valuestring);
			memmove(it->valuestring, it->valuestring + 1, n);
			it->type = cJSON_Raw;
		} else if (it->child) {
			raw_numbers(it->child);
		}
	}
}

cJSON *fd_json_parse(const char *text, size_t len)
{
	struct fd_buf b = {0};
	const char *p = text, *end = text + len;
	int in_str = 0;
	while (p < end) {
		char c = *p;
		if (in_str) {
			const char *q = p;
			while (q < end && *q != '"' && *q != '\\')
				q++;
			fd_buf_add(&b, p, (size_t)(q - p));
			p = q;
			if (p >= end)
				break;
			if (*p == '\\') {
				size_t n = (p + 1 < end) ? 2 : 1;
				fd_buf_add(&b, p, n);
				p += n;
			} else {
				fd_buf_add(&b, p, 1);
				p++;
				in_str = 0;
			}
			continue;
		}
		if (c == '"') {
			in_str = 1;
			fd_buf_add(&b, p, 1);
			p++;
		} else if (c == '-' || isdigit((unsigned char)c)) {
			size_t n = number_len(p, end);
			if (n == 0) {
				fd_buf_release(&b);
				return NULL;
			}
			fd_buf_adds(&b, "\"\\u0001");
			fd_buf_add(&b, p, n);
			fd_buf_adds(&b, "\"");
			p += n;
		} else {
			fd_buf_add(&b, p, 1);
			p++;
		}
	}
	if (!b.p) {
		return NULL;
	}
	cJSON *doc = cJSON_ParseWithLength(b.p, b.len);
	fd_buf_release(&b);
	if (doc) {
		if (cJSON_IsString(doc) && doc->valuestring && doc->valuestring[0] == '\x01') {
			size_t n = strlen(doc->valuestring);
			memmove(doc->valuestring, doc->valuestring + 1, n);
			doc->type = cJSON_Raw;
		} else {
			raw_numbers(doc->child);
		}
	}
	return doc;
}

int fd_json_is_number(const cJSON *it)
{
	return it && (cJSON_IsNumber(it) || (cJSON_IsRaw(it) && it->valuestring));
}

int fd_json_get_int(const cJSON *it, int64_t *out)
{
	if (!it)
		return 0;
	if (cJSON_IsRaw(it) && it->valuestring) {
		const char *s = it->valuestring;
		if (strpbrk(s, ".eE"))
			return 0;
		errno = 0;
		char *end = NULL;
		long long v = strtoll(s, &end, 10);
		if (errno || !end || *end || end == s)
			return 0;
		*out = v;
		return 1;
	}
	if (cJSON_IsNumber(it)) {
		double d = it->valuedouble;
		if (d != floor(d) || d > 9.2e18 || d < -9.2e18)
			return 0;
		*out = (int64_t)d;
		return 1;
	}
	return 0;
}

int fd_json_get_double(const cJSON *it, double *out)
{
	if (!it)
		return 0;
	if (cJSON_IsRaw(it) && it->valuestring) {
		char *end = NULL;
		double d = strtod(it->valuestring, &end);
		if (!end || *end)
			return 0;
		*out = d;
		return 1;
	}
	if (cJSON_IsNumber(it)) {
		*out = it->valuedouble;
		return 1;
	}
	return 0;
}

cJSON *fd_json_int(int64_t v)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%" PRId64, v);
	return cJSON_CreateRaw(tmp);
}

cJSON *fd_json_double(double v)
{
	char tmp[64];
	if (!isfinite(v))
		v = 0;
	if (v == floor(v) && fabs(v) < 9e15) {
		snprintf(tmp, sizeof tmp, "%.0f", v);
		return cJSON_CreateRaw(tmp);
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	return cJSON_CreateRaw(tmp);
}

const char *fd_json_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

cJSON *fd_json_path(const cJSON *obj, const char *dotted)
{
	if (!obj || !cJSON_IsObject(obj))
		return NULL;
	cJSON *direct = cJSON_GetObjectItemCaseSensitive(obj, dotted);
	if (direct)
		return direct;
	const char *dot = strchr(dotted, '.');
	while (dot) {
		size_t n = (size_t)(dot - dotted);
		char head[256];
		if (n < sizeof head) {
			memcpy(head, dotted, n);
			head[n] = '\0';
			cJSON *sub = cJSON_GetObjectItemCaseSensitive(obj, head);
			if (sub && cJSON_IsObject(sub)) {
				cJSON *v = fd_json_path(sub, dot + 1);
				if (v)
					return v;
			}
		}
		dot = strchr(dot + 1, '.');
	}
	return NULL;
}

char *fd_print(const cJSON *doc)
{
	char *s = cJSON_PrintUnformatted(doc);
	if (!s)
		abort();
	return s;
}

/* ---- query strings ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *url_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	if (!out)
		abort();
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[j++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			out[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	return out;
}

char *fd_query_get(const char *query, const char *name)
{
	if (!query)
		return NULL;
	const char *p = query;
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t seg = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', seg);
		size_t klen = eq ? (size_t)(eq - p) : seg;
		char *key = url_decode(p, klen);
		int hit = strcmp(key, name) == 0;
		free(key);
		if (hit)
			return eq ? url_decode(eq + 1, seg - klen - 1) : strdup("");
		if (!amp)
			break;
		p = amp + 1;
	}
	return NULL;
}

/* ---- search queries ---- */

static char *dup_n(const char *s, size_t n)
{
	char *o = malloc(n + 1);
	if (!o)
		abort();
	memcpy(o, s, n);
	o[n] = '\0';
	return o;
}

/* Reads one value (quoted or bare) at *pp, stopping at stop chars. */
static char *read_value(const char **pp, const char *stops)
{
	const char *p = *pp;
	if (*p == '"') {
		p++;
		struct fd_buf b = {0};
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			fd_buf_add(&b, p, 1);
			p++;
		}
		if (*p == '"')
			p++;
		*pp = p;
		if (!b.p)
			return strdup("");
		return b.p;
	}
	const char *s = p;
	while (*p && !isspace((unsigned char)*p) && !strchr(stops, *p)) {
		if (*p == '\\' && p[1])
			p++;
		p++;
	}
	*pp = p;
	return dup_n(s, (size_t)(p - s));
}

static void term_add_val(struct fd_term *t, char *v)
{
	char **nv = realloc(t->vals, sizeof *nv * (size_t)(t->nvals + 1));
	if (!nv)
		abort();
	t->vals = nv;
	t->vals[t->nvals++] = v;
}

int fd_search_parse(struct fd_search *s, const char *text, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	const char *p = text ? text : "";
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if ((strncmp(p, "AND", 3) == 0 || strncmp(p, "OR", 2) == 0) &&
		    (isspace((unsigned char)p[p[0] == 'A' ? 3 : 2]) || !p[p[0] == 'A' ? 3 : 2])) {
			p += p[0] == 'A' ? 3 : 2;
			continue;
		}
		struct fd_term t = {0};
		if (*p == '-' || *p == '!') {
			t.neg = 1;
			p++;
		} else if (strncmp(p, "NOT ", 4) == 0) {
			t.neg = 1;
			p += 4;
		}
		/* key */
		const char *k = p;
		while (*p && *p != ':' && !isspace((unsigned char)*p) && *p != '"' && *p != '(')
			p++;
		if (*p == ':' && p > k) {
			t.key = dup_n(k, (size_t)(p - k));
			p++;
			if (*p == '(') {
				p++;
				for (;;) {
					while (isspace((unsigned char)*p))
						p++;
					if (!*p) {
						snprintf(err, errlen, "unbalanced parenthesis in query");
						free(t.key);
						for (int i = 0; i < t.nvals; i++)
							free(t.vals[i]);
						free(t.vals);
						fd_search_release(s);
						return -1;
					}
					if (*p == ')') {
						p++;
						break;
					}
					if (strncmp(p, "OR", 2) == 0 && (isspace((unsigned char)p[2]) || p[2] == ')')) {
						p += 2;
						continue;
					}
					term_add_val(&t, read_value(&p, ")"));
				}
			} else {
				term_add_val(&t, read_value(&p, ""));
			}
		} else {
			p = k;
			char *v = read_value(&p, "");
			if (!*v && *p) {
				/* a stray character such as '(' — skip it */
				p++;
			}
			term_add_val(&t, v);
		}
		struct fd_term *nt = realloc(s->t, sizeof *nt * (size_t)(s->n + 1));
		if (!nt)
			abort();
		s->t = nt;
		s->t[s->n++] = t;
	}
	return 0;
}

void fd_search_release(struct fd_search *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->t[i].key);
		for (int j = 0; j < s->t[i].nvals; j++)
			free(s->t[i].vals[j]);
		free(s->t[i].vals);
	}
	free(s->t);
	s->t = NULL;
	s->n = 0;
}

const char *fd_value_text(const cJSON *v, char *buf, size_t n)
{
	if (!v)
		return "";
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsRaw(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
			snprintf(buf, n, "%.0f", v->valuedouble);
		else
			snprintf(buf, n, "%g", v->valuedouble);
		return buf;
	}
	if (cJSON_IsTrue(v))
		return "true";
	if (cJSON_IsFalse(v))
		return "false";
	if (cJSON_IsNull(v))
		return "null";
	return "";
}

int fd_text_matches(const char *text, const char *pattern)
{
	if (strcmp(pattern, "*") == 0)
		return 1;
	if (strchr(pattern, '*') || strchr(pattern, '?'))
		return fnmatch(pattern, text, FNM_CASEFOLD) == 0;
	return strcasecmp(pattern, text) == 0;
}

int fd_value_matches(const cJSON *v, const char *pattern)
{
	if (!v)
		return 0;
	if (cJSON_IsArray(v)) {
		const cJSON *e;
		cJSON_ArrayForEach(e, v)
		{
			if (fd_value_matches(e, pattern))
				return 1;
		}
		return 0;
	}
	char buf[64];
	return fd_text_matches(fd_value_text(v, buf, sizeof buf), pattern);
}

int fd_search_match(const struct fd_search *s, const void *item, fd_lookup_fn fn)
{
	for (int i = 0; i < s->n; i++) {
		const struct fd_term *t = &s->t[i];
		if (!t->key)
			continue; /* free text: "*" or ignored */
		cJSON *tmp = NULL;
		const cJSON *v = fn(item, t->key, &tmp);
		if (v == FD_UNKNOWN_KEY) {
			cJSON_Delete(tmp);
			continue;
		}
		int any = 0;
		for (int j = 0; j < t->nvals && !any; j++)
			any = fd_value_matches(v, t->vals[j]);
		cJSON_Delete(tmp);
		if (any == t->neg)
			return 0;
	}
	return 1;
}

/* ---- time ---- */

int64_t fd_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fd_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int fd_parse_rfc3339_ms(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	const char *p = s + n;
	int64_t frac_ms = 0;
	int64_t off_s = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		int m = 0;
		if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3 || m != 8)
			return -1;
		p += 1 + m;
		if (*p == '.') {
			p++;
			int digits = 0;
			int64_t scale = 100;
			while (isdigit((unsigned char)*p)) {
				if (digits < 3) {
					frac_ms += (*p - '0') * scale;
					scale /= 10;
				}
				digits++;
				p++;
			}
			if (!digits)
				return -1;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om, k = 0;
			if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5)
				return -1;
			off_s = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
			p += 1 + k;
		} else {
			return -1;
		}
	}
	if (*p)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	*out = ((int64_t)t - off_s) * 1000 + frac_ms;
	return 0;
}

int fd_parse_interval_ms(const char *s, int64_t *out)
{
	if (!s || !*s)
		return -1;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || v <= 0)
		return -1;
	int64_t mult;
	if (!*end || strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "s") == 0)
		mult = 1000;
	else if (strcmp(end, "m") == 0)
		mult = 60000;
	else if (strcmp(end, "h") == 0)
		mult = 3600000;
	else if (strcmp(end, "d") == 0)
		mult = 86400000;
	else if (strcmp(end, "w") == 0)
		mult = 7 * 86400000LL;
	else
		return -1;
	*out = v * mult;
	return 0;
}

int fd_parse_time_ms(const char *s, int64_t now_ms, int64_t *out)
{
	if (!s || !*s)
		return -1;
	if (strncmp(s, "now", 3) == 0) {
		const char *p = s + 3;
		if (!*p) {
			*out = now_ms;
			return 0;
		}
		if (*p != '-' && *p != '+')
			return -1;
		int64_t d;
		if (fd_parse_interval_ms(p + 1, &d) != 0)
			return -1;
		*out = *p == '-' ? now_ms - d : now_ms + d;
		return 0;
	}
	int digits = 1;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			digits = 0;
	if (digits) {
		errno = 0;
		long long v = strtoll(s, NULL, 10);
		if (errno)
			return -1;
		*out = v;
		return 0;
	}
	return fd_parse_rfc3339_ms(s, out);
}

void fd_format_rfc3339_ms(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int rem = (int)(ms - (int64_t)t * 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, rem);
}

/* ---- cursors ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *fd_cursor_encode(const char *tag, int64_t a, int64_t b, int64_t c)
{
	char plain[160];
	int n = snprintf(plain, sizeof plain, "%s:%" PRId64 ":%" PRId64 ":%" PRId64, tag, a, b, c);
	char *out = malloc((size_t)n * 2 + 8);
	if (!out)
		abort();
	size_t j = 0;
	for (int i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)plain[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)(unsigned char)plain[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)plain[i + 2];
		out[j++] = b64[(v >> 18) & 63];
		out[j++] = b64[(v >> 12) & 63];
		if (i + 1 < n)
			out[j++] = b64[(v >> 6) & 63];
		if (i + 2 < n)
			out[j++] = b64[v & 63];
	}
	out[j] = '\0';
	return out;
}

int fd_cursor_decode(const char *cursor, const char *tag, int64_t *a, int64_t *b, int64_t *c)
{
	size_t n = strlen(cursor);
	if (n == 0 || n > 200)
		return -1;
	char plain[160];
	size_t j = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		const char *q = strchr(b64, cursor[i]);
		if (!q || !cursor[i]) {
			if (cursor[i] == '=')
				break;
			return -1;
		}
		acc = (acc << 6) | (uint32_t)(q - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (j + 1 >= sizeof plain)
				return -1;
			plain[j++] = (char)((acc >> bits) & 0xff);
		}
	}
	plain[j] = '\0';
	size_t tl = strlen(tag);
	if (strncmp(plain, tag, tl) != 0 || plain[tl] != ':')
		return -1;
	long long x, y, z;
	int m = 0;
	if (sscanf(plain + tl + 1, "%lld:%lld:%lld%n", &x, &y, &z, &m) != 3 || plain[tl + 1 + m])
		return -1;
	*a = x;
	*b = y;
	*c = z;
	return 0;
}

/* ---- random ---- */

uint64_t fd_rng_next(struct fd_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t fd_rng_below(struct fd_rng *r, uint64_t n)
{
	return n ? fd_rng_next(r) % n : 0;
}

double fd_rng_unit(struct fd_rng *r)
{
	return (double)(fd_rng_next(r) >> 11) / (double)(1ULL << 53);
}

const char *fd_rng_pick(struct fd_rng *r, const char *const *list, size_t n)
{
	return list[fd_rng_below(r, n)];
}

void fd_rng_hex(struct fd_rng *r, char *out, size_t ndigits)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < ndigits; i++)
		out[i] = hx[fd_rng_below(r, 16)];
	out[ndigits] = '\0';
}

/* ---- repositories ---- */

char *fd_repo_id(const char *url)
{
	const char *p = url;
	const char *scheme = strstr(p, "://");
	if (scheme)
		p = scheme + 3;
	/* drop credentials */
	const char *at = strchr(p, '@');
	const char *slash = strchr(p, '/');
	if (at && (!slash || at < slash))
		p = at + 1;
	struct fd_buf b = {0};
	/* host, without port; scp-like "host:org/repo" */
	const char *h = p;
	while (*p && *p != '/' && *p != ':')
		p++;
	fd_buf_add(&b, h, (size_t)(p - h));
	if (*p == ':') {
		p++;
		if (scheme) /* a port */
			while (isdigit((unsigned char)*p))
				p++;
		if (*p != '/')
			fd_buf_adds(&b, "/");
	}
	fd_buf_adds(&b, p);
	if (!b.p)
		return strdup("");
	while (b.len && b.p[b.len - 1] == '/')
		b.p[--b.len] = '\0';
	if (b.len > 4 && strcmp(b.p + b.len - 4, ".git") == 0)
		b.p[b.len -= 4] = '\0';
	return b.p;
}
