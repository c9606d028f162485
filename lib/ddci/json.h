/* json.h — JSON:API helpers over cJSON.
 *
 * Building: {"data":{"type":T,"attributes":{...}}}, and int64 values written
 * as raw integer text (cJSON keeps numbers as double and would print
 * 1.795639027e+18).  Reading: typed lookups by dotted path with a clear
 * error naming the field when it is missing or of the wrong type.
 */
#ifndef DDCI_JSON_H
#define DDCI_JSON_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "ddci/error.h"

/* Whether s is well-formed UTF-8 (RFC 3629), which JSON strings must be. */
int ddci_utf8_valid(const char *s);

/* A number node that prints as exact integer text. NULL on OOM. */
cJSON *ddci_json_int64(int64_t v);
int ddci_json_add_int64(cJSON *obj, const char *name, int64_t v) DDCI_WUR;
/* Adds a string member only when value is non-NULL and non-empty. */
int ddci_json_add_str(cJSON *obj, const char *name, const char *value) DDCI_WUR;

/* {"data":{"type":type,"attributes":attrs}} (takes ownership of attrs;
 * type may be NULL; id may be NULL). NULL on OOM. */
cJSON *ddci_jsonapi_wrap(const char *type, const char *id, cJSON *attrs);

/* Parses a response body; DDCI_EPROTO with cJSON's position on bad JSON. */
int ddci_json_parse(cJSON **out, const char *text, const char *what) DDCI_WUR;
/* The memory a parse may take, text included (with the rest of a process,
 * peak RSS stays within 64 MiB for any body http.h admits); more is
 * DDCI_EPROTO "too large to read" before anything is allocated. */
#define DDCI_JSON_BUDGET ((size_t)48 << 20)
/* The same without a message: NULL when text is not JSON or too large. */
cJSON *ddci_json_parse_quiet(const char *text);

/* Dotted-path lookup: "data.attributes.git.commit_sha"; NULL if absent. */
const cJSON *ddci_json_path(const cJSON *root, const char *path);

/* Typed getters.  Missing: return DDCI_EPROTO ("missing field 'x'") unless
 * the *_opt form is used (then *out untouched, returns 0).  Wrong type:
 * always DDCI_EPROTO ("field 'x' is a string, expected a number"). */
int ddci_json_get_str(const char **out, const cJSON *root, const char *path) DDCI_WUR;
int ddci_json_get_str_opt(const char **out, const cJSON *root, const char *path) DDCI_WUR;
/* Parsed numbers come from cJSON's double: exact up to 2^53; nanosecond
 * timestamps (~1.7e18) lose sub-microsecond digits (display only).  Nodes
 * made by ddci_json_int64() read back exactly. */
int ddci_json_get_int64(int64_t *out, const cJSON *root, const char *path) DDCI_WUR;
int ddci_json_get_int64_opt(int64_t *out, const cJSON *root, const char *path) DDCI_WUR;
int ddci_json_get_double(double *out, const cJSON *root, const char *path) DDCI_WUR;
int ddci_json_get_double_opt(double *out, const cJSON *root, const char *path) DDCI_WUR;
int ddci_json_get_bool_opt(int *out, const cJSON *root, const char *path) DDCI_WUR;
int ddci_json_get_array(const cJSON **out, const cJSON *root, const char *path) DDCI_WUR;
int ddci_json_get_array_opt(const cJSON **out, const cJSON *root, const char *path) DDCI_WUR;

/* Compact printing; returns malloc'd text (free()). */
char *ddci_json_print(const cJSON *v);
char *ddci_json_print_pretty(const cJSON *v);

#endif
