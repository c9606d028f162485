/*
 * fake-datadog: a stand-in for Datadog's API v2 used by ddci's tests and
 * benchmarks.  This header is shared by the server's files only (it does not
 * use libddci): request/response types, JSON helpers that keep numbers as raw
 * text, the search-query matcher, time and cursor helpers, and the per-API
 * entry points.  See README.md next to it for the HTTP contract.
 */
#ifndef FD_H
#define FD_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define FD_MAX_PARAMS 4

/* A growable byte buffer, always NUL-terminated when len > 0. */
struct fd_buf {
	char *p;
	size_t len;
	size_t cap;
};

void fd_buf_add(struct fd_buf *b, const void *data, size_t n);
void fd_buf_adds(struct fd_buf *b, const char *s);
void fd_buf_addf(struct fd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fd_buf_release(struct fd_buf *b);

/* One API request, as the handlers see it. */
struct fd_req {
	const char *method;
	const char *path;  /* decoded path, no query */
	const char *query; /* raw query string after '?', "" when none */
	const char *body;
	size_t body_len;
	cJSON *json;       /* parsed body (numbers kept as raw text), or NULL */
	int json_invalid;  /* a non-empty body that is not JSON */
	char params[FD_MAX_PARAMS][256]; /* "*" segments of the route pattern */
	int partial;       /* fault "partial": answer with meta.status "timeout" */
	const char *base_url; /* "http://127.0.0.1:PORT" for links */
};

#define FD_MAX_HEADERS 12

struct fd_resp {
	int status;
	char *body; /* malloc'd, may be NULL for an empty body */
	size_t len;
	const char *ctype;
	int nhdr;
	char hname[FD_MAX_HEADERS][48];
	char hvalue[FD_MAX_HEADERS][160];
};

typedef void (*fd_handler)(const struct fd_req *req, struct fd_resp *resp);

/* Responses. */
void fd_resp_json(struct fd_resp *r, int status, cJSON *doc); /* takes doc */
void fd_resp_text(struct fd_resp *r, int status, const char *ctype, const char *body);
void fd_resp_empty(struct fd_resp *r, int status);
/* {"errors":["msg"]} — the APIErrorResponse form. */
void fd_resp_error(struct fd_resp *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* {"errors":[{"status","title","detail","source":{"pointer"}}]} — JSONAPIErrorResponse. */
void fd_resp_jsonapi_error(struct fd_resp *r, int status, const char *pointer, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void fd_resp_header(struct fd_resp *r, const char *name, const char *value);

/* Request envelopes (envelope.c).  A body that, when given, is a JSON
 * object: 0, or -1 with 400 "body: invalid JSON" / "body: expected a JSON
 * object" answered. */
int fd_body_object(const struct fd_req *req, struct fd_resp *resp);
/* The JSON:API document {"data": {"type": type, "attributes": {...}}}
 * (type NULL: any): 0 with *data and *attrs set, or -1 with the 400
 * answered ("data: required object", "data.type: must be '<type>'",
 * "data.attributes: required object").  FD_ENV_OPTIONAL: data, its type
 * and attributes may each be left out or null (then NULL), a given body
 * must be an object.  FD_ENV_JSONAPI: JSON:API error objects with the
 * member's pointer, type checked after the attributes (the DORA API). */
#define FD_ENV_OPTIONAL 1
#define FD_ENV_JSONAPI 2
int fd_envelope(const struct fd_req *req, struct fd_resp *resp, const char *type, int flags, const cJSON **data,
		const cJSON **attrs);
void fd_resp_release(struct fd_resp *r);
const char *fd_status_reason(int status);

/* JSON: parse keeping every number as a cJSON_Raw item holding its text. */
cJSON *fd_json_parse(const char *text, size_t len);
int fd_json_is_number(const cJSON *it);
/* 1 when it is a JSON integer written without fraction or exponent that fits int64. */
int fd_json_get_int(const cJSON *it, int64_t *out);
int fd_json_get_double(const cJSON *it, double *out);
cJSON *fd_json_int(int64_t v);
cJSON *fd_json_double(double v);
const char *fd_json_str(const cJSON *obj, const char *key); /* string member or NULL */
cJSON *fd_json_path(const cJSON *obj, const char *dotted);  /* "a.b.c", also flat "a.b" keys */
char *fd_print(const cJSON *doc);                            /* unformatted, malloc'd */

/* Query strings. */
char *fd_query_get(const char *query, const char *name); /* decoded, malloc'd, NULL if absent */

/* Search queries: `key:value`, `key:"quoted value"`, `key:(a OR b)`, `-key:v`,
 * space (or AND) = AND, `*` matches everything, values may use * globs,
 * comparisons are case-insensitive. */
struct fd_term {
	char *key; /* NULL for a free-text term (ignored) */
	int neg;
	int nvals;
	char **vals;
};
struct fd_search {
	int n;
	struct fd_term *t;
};
/* Returns the value node for a key (string, number, bool or array of those),
 * NULL when the item has no such value, or FD_UNKNOWN_KEY to ignore the term. */
extern cJSON fd_unknown_key;
#define FD_UNKNOWN_KEY (&fd_unknown_key)
typedef const cJSON *(*fd_lookup_fn)(const void *item, const char *key, cJSON **tmp);
int fd_search_parse(struct fd_search *s, const char *text, char *err, size_t errlen);
int fd_search_match(const struct fd_search *s, const void *item, fd_lookup_fn fn);
void fd_search_release(struct fd_search *s);
int fd_value_matches(const cJSON *v, const char *pattern);
int fd_text_matches(const char *text, const char *pattern);
/* The string form of a scalar value into buf ("" for non-scalars). */
const char *fd_value_text(const cJSON *v, char *buf, size_t n);

/* Time. */
int64_t fd_now_ms(void);
int64_t fd_now_ns(void);
/* "now", "now-15m" (s m h d w), ms integer, RFC 3339 date-time or date. */
int fd_parse_time_ms(const char *s, int64_t now_ms, int64_t *out);
int fd_parse_rfc3339_ms(const char *s, int64_t *out);
void fd_format_rfc3339_ms(int64_t ms, char *buf, size_t n);
/* "30s", "5m", "1h", "1d", "1w", or a number of ms; 0 on success. */
int fd_parse_interval_ms(const char *s, int64_t *out);

/* Opaque cursors: base64url of "<tag>:<n>:<n>:<n>". */
char *fd_cursor_encode(const char *tag, int64_t a, int64_t b, int64_t c);
int fd_cursor_decode(const char *cursor, const char *tag, int64_t *a, int64_t *b, int64_t *c);

/* Deterministic random numbers (splitmix64). */
struct fd_rng {
	uint64_t s;
};
uint64_t fd_rng_next(struct fd_rng *r);
uint64_t fd_rng_below(struct fd_rng *r, uint64_t n);
double fd_rng_unit(struct fd_rng *r);
const char *fd_rng_pick(struct fd_rng *r, const char *const *list, size_t n);
void fd_rng_hex(struct fd_rng *r, char *out, size_t ndigits);

/* "https://user:pw@github.com/org/repo.git" -> "github.com/org/repo". */
char *fd_repo_id(const char *url);

/* Server-wide settings the APIs read. */
extern uint64_t fd_seed;
extern int64_t fd_start_ms;

/* APIs.  Handlers run with the global state lock held. */
void fd_dora_post_deployment(const struct fd_req *req, struct fd_resp *resp);
void fd_dora_post_failure(const struct fd_req *req, struct fd_resp *resp);
void fd_dora_list_deployments(const struct fd_req *req, struct fd_resp *resp);
void fd_dora_list_failures(const struct fd_req *req, struct fd_resp *resp);
void fd_dora_get_deployment(const struct fd_req *req, struct fd_resp *resp);
void fd_dora_get_failure(const struct fd_req *req, struct fd_resp *resp);
void fd_dora_delete_deployment(const struct fd_req *req, struct fd_resp *resp);
void fd_dora_delete_failure(const struct fd_req *req, struct fd_resp *resp);
void fd_dora_patch_deployment(const struct fd_req *req, struct fd_resp *resp);
void fd_dora_state(cJSON *out);
void fd_dora_generate(int n, int64_t span_s);
extern int fd_dora_documented, fd_dora_time_strings;
void fd_dora_reset(void);

void fd_flaky_search(const struct fd_req *req, struct fd_resp *resp);
void fd_flaky_update(const struct fd_req *req, struct fd_resp *resp);
int fd_flaky_load(const cJSON *arr, char *err, size_t errlen);
void fd_flaky_generate(int n);
void fd_flaky_state(cJSON *out);
void fd_flaky_reset(void); /* clears the update log, keeps the dataset */
void fd_flaky_free(void);

void fd_tests_list(const struct fd_req *req, struct fd_resp *resp);
void fd_tests_search(const struct fd_req *req, struct fd_resp *resp);
void fd_tests_aggregate(const struct fd_req *req, struct fd_resp *resp);
int fd_tests_load(const cJSON *arr, char *err, size_t errlen);
void fd_tests_generate(int n);
void fd_tests_state(cJSON *out);
void fd_tests_free(void);

void fd_synth_history(const struct fd_req *req, struct fd_resp *resp);
int fd_synth_load(const char *public_id, const cJSON *arr, char *err, size_t errlen);
void fd_synth_generate(int n);
void fd_synth_state(cJSON *out);
void fd_synth_free(void);

void fd_cases_aggregate(const struct fd_req *req, struct fd_resp *resp);
int fd_cases_load(const cJSON *arr, char *err, size_t errlen);
void fd_cases_generate(int n);
void fd_cases_state(cJSON *out);
void fd_cases_free(void);

/* Faults (fault.c).  All calls with the state lock held. */
enum fd_fault_action {
	FD_FAULT_NONE = 0,
	FD_FAULT_STATUS,
	FD_FAULT_CLOSE,
	FD_FAULT_HANG,
	FD_FAULT_DELAY,
	FD_FAULT_TRICKLE,
	FD_FAULT_TRUNCATE,
	FD_FAULT_CONTENT_TYPE,
	FD_FAULT_SHAPE,
	FD_FAULT_PARTIAL,
};
struct fd_fault_hit {
	enum fd_fault_action action;
	int status;
	int ms;
	int before;       /* close/delay: run the handler (side effect) first */
	int random;       /* came from the random generator */
	char *body;       /* malloc'd or NULL */
	int nhdr;
	char hname[8][48];
	char hvalue[8][160];
};
const char *fd_fault_name(enum fd_fault_action a);
/* Parses {"faults":[...]} / {"random":...}; 0 or -1 with err set. */
int fd_faults_add(const cJSON *doc, int *queued, char *err, size_t errlen);
/* Consumes the first matching fault; 1 when one applies. */
int fd_fault_take(const char *method, const char *path, struct fd_fault_hit *hit);
void fd_fault_hit_release(struct fd_fault_hit *hit);
cJSON *fd_faults_json(void);
void fd_faults_clear(void);

#endif
