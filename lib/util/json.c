/* json.c — JSON:API helpers over cJSON: int64 as raw integer text, the
 * {"data":{...}} envelope, and typed dotted-path getters whose errors name
 * the field.
 *
 * Precision: cJSON keeps parsed numbers only as a double, exact up to 2^53.
 * ddci_json_parse() therefore gives every integer beyond that (nanosecond
 * timestamps, ~1.7e18) its exact text as the node's valuestring: the node
 * stays a number (valuedouble for arithmetic), ddci_json_get_int64() reads
 * the text, and ddci_json_print*() print it as written.  Nodes built with
 * ddci_json_int64() keep their exact text too (as raw nodes).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/json.h"

cJSON *ddci_json_int64(int64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRId64, v);
	return cJSON_CreateRaw(text);
}

int ddci_json_add_int64(cJSON *obj, const char *name, int64_t v)
{
	cJSON *n = ddci_json_int64(v);

	if (!n)
		return ddci_error_oom();
	if (!cJSON_AddItemToObject(obj, name, n)) {
		cJSON_Delete(n);
		return ddci_error_oom();
	}
	return 0;
}

int ddci_json_add_str(cJSON *obj, const char *name, const char *value)
{
	if (!value || !*value)
		return 0;
	if (!cJSON_AddStringToObject(obj, name, value))
		return ddci_error_oom();
	return 0;
}

cJSON *ddci_jsonapi_wrap(const char *type, const char *id, cJSON *attrs)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *data = cJSON_CreateObject();

	if (!root || !data || !cJSON_AddItemToObject(root, "data", data)) {
		cJSON_Delete(data);
		goto fail;
	}
	if (id && !cJSON_AddStringToObject(data, "id", id))
		goto fail;
	if (type && !cJSON_AddStringToObject(data, "type", type))
		goto fail;
	if (attrs && !cJSON_AddItemToObject(data, "attributes", attrs))
		goto fail;
	return root;
fail:
	cJSON_Delete(root);
	cJSON_Delete(attrs);
	return NULL;
}

#define EXACT_DOUBLE_MAX 9007199254740992.0 /* 2^53 */

/* The next number token at or after *p outside strings: its start, length
 * in *len, whether it is an integer.  NULL when there is none. */
static const char *next_number(const char **p, size_t *len, int *integer)
{
	const char *s = *p;

	for (; *s; s++) {
		if (*s == '"') {
			for (s++; *s && *s != '"'; s++)
				if (*s == '\\' && s[1])
					s++;
			if (!*s)
				break;
		} else if (*s == '-' || (*s >= '0' && *s <= '9')) {
			const char *start = s;

			*integer = 1;
			while (*s == '-' || *s == '+' || *s == '.' || *s == 'e' || *s == 'E' || (*s >= '0' && *s <= '9')) {
				if (*s == '.' || *s == 'e' || *s == 'E')
					*integer = 0;
				s++;
			}
			*len = (size_t)(s - start);
			*p = s;
			return start;
		}
	}
	*p = s;
	return NULL;
}

/* Walks the tree in document order alongside the text (cJSON keeps members
 * in order, duplicates included): each number node meets its own token. */
static int keep_exact(cJSON *node, const char **p)
{
	for (; node; node = node->next) {
		if (cJSON_IsNumber(node)) {
			size_t len = 0;
			int integer = 0;
			const char *tok = next_number(p, &len, &integer);

			if (tok && integer && fabs(node->valuedouble) >= EXACT_DOUBLE_MAX && len < 24 && !node->valuestring) {
				node->valuestring = malloc(len + 1);
				if (!node->valuestring)
					return -1;
				memcpy(node->valuestring, tok, len);
				node->valuestring[len] = '\0';
			}
		} else if ((cJSON_IsArray(node) || cJSON_IsObject(node)) && keep_exact(node->child, p) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Number nodes carrying exact text print as raw text: flips them (back). */
static void flip_exact(cJSON *node, int to_raw)
{
	for (; node; node = node->next) {
		if (to_raw && cJSON_IsNumber(node) && node->valuestring)
			node->type = (node->type & ~0xFF) | cJSON_Raw | 0x1000;
		else if (!to_raw && (node->type & 0x1000))
			node->type = (node->type & ~(0xFF | 0x1000)) | cJSON_Number;
		else if (cJSON_IsArray(node) || cJSON_IsObject(node))
			flip_exact(node->child, to_raw);
	}
}

/* What parsing text would cost in memory, a bound from above: a tree node
 * per value (commas and openings count them) and a copy of every string. */
static size_t parse_cost(const char *text, size_t len)
{
	size_t nodes = 1, strbytes = 0, strings = 0;
	int in = 0;

	for (size_t i = 0; i < len; i++) {
		char ch = text[i];

		if (in) {
			if (ch == '"')
				in = 0;
			else if (ch == '\\')
				i++;
			strbytes++;
		} else if (ch == '"') {
			in = 1;
			strings++;
		} else if (ch == ',' || ch == '[' || ch == '{') {
			nodes++;
		}
	}
	/* sizeof(cJSON) and malloc's overhead; a string's smallest chunk */
	return nodes * (sizeof(cJSON) + 16) + strbytes + strings * 32;
}

cJSON *ddci_json_parse_quiet(const char *text)
{
	size_t len = text ? strlen(text) : 0;

	if (!len || len >= DDCI_JSON_BUDGET || parse_cost(text, len) > DDCI_JSON_BUDGET - len)
		return NULL;
	return cJSON_ParseWithLength(text, len + 1);
}

int ddci_json_parse(cJSON **out, const char *text, const char *what)
{
	const char *end = NULL;
	size_t len = text ? strlen(text) : 0, cost;

	*out = NULL;
	if (len == 0)
		return ddci_error_set(DDCI_EPROTO, "empty %s", what);
	/* The text and its tree together stay within the budget. */
	cost = parse_cost(text, len);
	if (len >= DDCI_JSON_BUDGET || cost > DDCI_JSON_BUDGET - len)
		return ddci_error_set(DDCI_EPROTO,
				      "%s too large to read: %zu bytes of JSON would take about %zu MiB (at most %zu "
				      "MiB with the text)",
				      what, len, (cost >> 20) + 1, DDCI_JSON_BUDGET >> 20);
	/* The length counts the NUL: cJSON checks for it to reject trailing bytes. */
	*out = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
	if (!*out) {
		size_t at = end && end >= text ? (size_t)(end - text) : 0;

		return ddci_error_set(DDCI_EPROTO, "invalid JSON in %s at byte %zu", what, at);
	}
	if (strpbrk(text, "0123456789")) {
		const char *p = text;

		if (keep_exact(*out, &p) < 0) {
			cJSON_Delete(*out);
			*out = NULL;
			return ddci_error_oom();
		}
	}
	return 0;
}

/* The child of `obj` named by the first `len` bytes of `key`. */
static const cJSON *child(const cJSON *obj, const char *key, size_t len)
{
	const cJSON *c;

	if (cJSON_IsObject(obj)) {
		for (c = obj->child; c; c = c->next)
			if (c->string && strlen(c->string) == len && memcmp(c->string, key, len) == 0)
				return c;
		return NULL;
	}
	if (cJSON_IsArray(obj) && len > 0 && len < 10 && strspn(key, "0123456789") >= len) {
		long idx = 0;

		for (size_t i = 0; i < len; i++)
			idx = idx * 10 + (key[i] - '0');
		for (c = obj->child; c && idx > 0; c = c->next)
			idx--;
		return c;
	}
	return NULL;
}

const cJSON *ddci_json_path(const cJSON *root, const char *path)
{
	const cJSON *cur = root;
	const char *p = path;

	if (!root || !path)
		return NULL;
	while (cur) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		cur = child(cur, p, len);
		if (!dot)
			break;
		p = dot + 1;
	}
	return cur;
}

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v) || cJSON_IsRaw(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "invalid";
}

/* Finds `path`: 1 when present (and not null, for optional lookups), 0 when
 * absent and optional, < 0 with the message set otherwise. */
static int lookup(const cJSON **v, const cJSON *root, const char *path, int optional)
{
	*v = ddci_json_path(root, path);
	if (*v && !(optional && cJSON_IsNull(*v)))
		return 1;
	if (optional)
		return 0;
	return ddci_error_set(DDCI_EPROTO, "missing field '%s' in response", path);
}

static int wrong_type(const cJSON *v, const char *path, const char *expected)
{
	return ddci_error_set(DDCI_EPROTO, "field '%s' is %s, expected %s", path, type_name(v), expected);
}

static int get_str(const char **out, const cJSON *root, const char *path, int optional)
{
	const cJSON *v;
	int rc = lookup(&v, root, path, optional);

	if (rc <= 0)
		return rc;
	if (!cJSON_IsString(v) || !v->valuestring)
		return wrong_type(v, path, "a string");
	*out = v->valuestring;
	return 0;
}

int ddci_json_get_str(const char **out, const cJSON *root, const char *path)
{
	return get_str(out, root, path, 0);
}

int ddci_json_get_str_opt(const char **out, const cJSON *root, const char *path)
{
	return get_str(out, root, path, 1);
}

static int get_int64(int64_t *out, const cJSON *root, const char *path, int optional)
{
	const cJSON *v;
	int rc = lookup(&v, root, path, optional);

	if (rc <= 0)
		return rc;
	if ((cJSON_IsRaw(v) || cJSON_IsNumber(v)) && v->valuestring) {
		/* Built by ddci_json_int64(), or an integer beyond 2^53 as parsed: exact text. */
		char *end;
		long long n;

		errno = 0;
		n = strtoll(v->valuestring, &end, 10);
		if (errno || end == v->valuestring || *end)
			return ddci_error_set(DDCI_EPROTO, "field '%s' is not an integer", path);
		*out = (int64_t)n;
		return 0;
	}
	if (!cJSON_IsNumber(v))
		return wrong_type(v, path, "an integer");
	if (!isfinite(v->valuedouble) || floor(v->valuedouble) != v->valuedouble)
		return ddci_error_set(DDCI_EPROTO, "field '%s' is %g, expected an integer", path,
				      v->valuedouble);
	if (v->valuedouble < -9223372036854775808.0 || v->valuedouble >= 9223372036854775808.0)
		return ddci_error_set(DDCI_EPROTO, "field '%s' is out of the 64-bit integer range", path);
	*out = (int64_t)v->valuedouble;
	return 0;
}

int ddci_json_get_int64(int64_t *out, const cJSON *root, const char *path)
{
	return get_int64(out, root, path, 0);
}

int ddci_json_get_int64_opt(int64_t *out, const cJSON *root, const char *path)
{
	return get_int64(out, root, path, 1);
}

static int get_double(double *out, const cJSON *root, const char *path, int optional)
{
	const cJSON *v;
	int rc = lookup(&v, root, path, optional);

	if (rc <= 0)
		return rc;
	if (cJSON_IsRaw(v) && v->valuestring) {
		char *end;
		double d = strtod(v->valuestring, &end);

		if (end == v->valuestring || *end)
			return wrong_type(v, path, "a number");
		*out = d;
		return 0;
	}
	if (!cJSON_IsNumber(v))
		return wrong_type(v, path, "a number");
	*out = v->valuedouble;
	return 0;
}

int ddci_json_get_double(double *out, const cJSON *root, const char *path)
{
	return get_double(out, root, path, 0);
}

int ddci_json_get_double_opt(double *out, const cJSON *root, const char *path)
{
	return get_double(out, root, path, 1);
}

int ddci_json_get_bool_opt(int *out, const cJSON *root, const char *path)
{
	const cJSON *v;
	int rc = lookup(&v, root, path, 1);

	if (rc <= 0)
		return rc;
	if (!cJSON_IsBool(v))
		return wrong_type(v, path, "a boolean");
	*out = cJSON_IsTrue(v) ? 1 : 0;
	return 0;
}

static int get_array(const cJSON **out, const cJSON *root, const char *path, int optional)
{
	const cJSON *v;
	int rc = lookup(&v, root, path, optional);

	if (rc <= 0)
		return rc;
	if (!cJSON_IsArray(v))
		return wrong_type(v, path, "an array");
	*out = v;
	return 0;
}

int ddci_json_get_array(const cJSON **out, const cJSON *root, const char *path)
{
	return get_array(out, root, path, 0);
}

int ddci_json_get_array_opt(const cJSON **out, const cJSON *root, const char *path)
{
	return get_array(out, root, path, 1);
}

/* Prints with the exact integers as written (see keep_exact). */
static char *print(const cJSON *v, int pretty)
{
	cJSON *m = (cJSON *)(uintptr_t)v; /* types flipped and restored before returning */
	char *text;

	if (!v)
		return NULL;
	flip_exact(m, 1);
	text = pretty ? cJSON_Print(m) : cJSON_PrintUnformatted(m);
	flip_exact(m, 0);
	return text;
}

char *ddci_json_print(const cJSON *v)
{
	return print(v, 0);
}

char *ddci_json_print_pretty(const cJSON *v)
{
	return print(v, 1);
}

/* Whether s is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF): what Datadog's JSON API takes. */
int ddci_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c = *p, need, min, cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1, min = 0x80, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2, min = 0x800, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		for (unsigned i = 1; i <= need; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		p += need + 1;
	}
	return 1;
}
