/* timeutil.c — parsing and printing of times and durations (see
 * ddci/timeutil.h).  Calendar arithmetic is done here (days from civil and
 * back, proleptic Gregorian) so nothing depends on TZ or timegm(). */
#include "ddci/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_MS INT64_C(1000000)
#define SEC_PER_DAY INT64_C(86400)
#define MIN_YEAR 1970
#define MAX_YEAR 2200

static const char expected_time[] = "expected Unix time, RFC 3339, 'now' or 'now-<N>[smhdw]'";

int64_t ddci_time_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * DDCI_NS_PER_SEC + ts.tv_nsec;
}

int64_t ddci_time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * DDCI_NS_PER_SEC + ts.tv_nsec;
}

/* Days since 1970-01-01 of y-m-d (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* First nanosecond past the accepted range (2201-01-01T00:00:00Z). */
static int64_t max_ns(void)
{
	return days_from_civil(MAX_YEAR + 1, 1, 1) * SEC_PER_DAY * DDCI_NS_PER_SEC;
}

static int mul_ok(int64_t *out, int64_t a, int64_t b)
{
	if (a < 0 || b < 0 || (b && a > INT64_MAX / b))
		return 0;
	*out = a * b;
	return 1;
}

/* Parses exactly n decimal digits; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Reads a run of digits as a non-negative int64 (at least one digit).
 * Returns 0, or -1 on no digits, or -2 on overflow.  *end is set past it. */
static int read_uint(int64_t *out, const char *s, const char **end)
{
	int64_t v = 0;
	const char *p = s;

	for (; isdigit((unsigned char)*p); p++) {
		if (v > (INT64_MAX - (*p - '0')) / 10) {
			*end = p;
			return -2;
		}
		v = v * 10 + (*p - '0');
	}
	*end = p;
	*out = v;
	return p == s ? -1 : 0;
}

/* Reads ".ddd" (after the dot) as a fraction num/den with at most 9 digits
 * kept; more digits must still be digits and are ignored. */
static int read_frac(int64_t *num, int64_t *den, const char *s, const char **end)
{
	const char *p = s;

	*num = 0;
	*den = 1;
	for (; isdigit((unsigned char)*p); p++) {
		if (*den < DDCI_NS_PER_SEC) {
			*num = *num * 10 + (*p - '0');
			*den *= 10;
		}
	}
	*end = p;
	return p == s ? -1 : 0;
}

static int bad_time(const char *what, const char *s, const char *why)
{
	return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': %s", what, s, why);
}

static int parse_unix(int64_t *out, const char *s, const char *what)
{
	int64_t v, ns, num = 0, den = 1;
	const char *end;
	int rc = read_uint(&v, s, &end);

	if (rc == -2)
		return bad_time(what, s, "number out of range");
	if (*end == '.') {
		/* Seconds with a fraction, as from `date +%s.%N`. */
		if (v >= INT64_C(100000000000) || read_frac(&num, &den, end + 1, &end) < 0)
			return bad_time(what, s, expected_time);
	}
	if (rc < 0 || *end)
		return bad_time(what, s, expected_time);
	if (v < INT64_C(100000000000)) {
		if (!mul_ok(&ns, v, DDCI_NS_PER_SEC))
			return bad_time(what, s, "year outside 1970..2200");
		ns += num * (DDCI_NS_PER_SEC / den);
	} else if (v < INT64_C(100000000000000)) {
		if (!mul_ok(&ns, v, NS_PER_MS))
			return bad_time(what, s, "year outside 1970..2200");
	} else if (v < INT64_C(100000000000000000)) {
		if (!mul_ok(&ns, v, 1000))
			return bad_time(what, s, "year outside 1970..2200");
	} else {
		ns = v;
	}
	if (ns >= max_ns())
		return bad_time(what, s, "year outside 1970..2200");
	*out = ns;
	return 0;
}

static int parse_rfc3339(int64_t *out, const char *s, const char *what)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	int64_t num = 0, den = 1, ns;
	const char *p;

	y = digits(s, 4);
	mo = s[4] == '-' ? digits(s + 5, 2) : -1;
	d = mo >= 0 && s[7] == '-' ? digits(s + 8, 2) : -1;
	if (y < 0 || mo < 0 || d < 0 || !strchr("Tt ", s[10]) || s[10] == '\0')
		return bad_time(what, s, expected_time);
	h = digits(s + 11, 2);
	mi = h >= 0 && s[13] == ':' ? digits(s + 14, 2) : -1;
	sec = mi >= 0 && s[16] == ':' ? digits(s + 17, 2) : -1;
	if (h < 0 || mi < 0 || sec < 0)
		return bad_time(what, s, expected_time);
	p = s + 19;
	if (*p == '.' && read_frac(&num, &den, p + 1, &p) < 0)
		return bad_time(what, s, expected_time);
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		oh = digits(p + 1, 2);
		if (oh < 0)
			return bad_time(what, s, expected_time);
		p += 3;
		if (*p == ':')
			p++;
		om = digits(p, 2);
		if (om < 0)
			return bad_time(what, s, expected_time);
		p += 2;
	} else {
		return bad_time(what, s, "missing time zone ('Z' or an offset like +02:00)");
	}
	if (*p)
		return bad_time(what, s, expected_time);
	if (y < MIN_YEAR || y > MAX_YEAR)
		return bad_time(what, s, "year outside 1970..2200");
	if (mo < 1 || mo > 12)
		return bad_time(what, s, "month out of range");
	if (d < 1 || d > days_in_month(y, mo))
		return bad_time(what, s, "day out of range");
	if (h > 23 || mi > 59 || sec > 59)
		return bad_time(what, s, "time of day out of range");
	if (oh > 23 || om > 59)
		return bad_time(what, s, "time zone offset out of range");
	ns = (days_from_civil(y, mo, d) * SEC_PER_DAY + h * 3600 + mi * 60 + sec -
	      sign * (oh * 3600 + om * 60)) * DDCI_NS_PER_SEC +
	     num * (DDCI_NS_PER_SEC / den);
	if (ns < 0 || ns >= max_ns())
		return bad_time(what, s, "year outside 1970..2200");
	*out = ns;
	return 0;
}

static int64_t unit_ns(char u)
{
	switch (u) {
	case 's': return DDCI_NS_PER_SEC;
	case 'm': return 60 * DDCI_NS_PER_SEC;
	case 'h': return 3600 * DDCI_NS_PER_SEC;
	case 'd': return SEC_PER_DAY * DDCI_NS_PER_SEC;
	case 'w': return 7 * SEC_PER_DAY * DDCI_NS_PER_SEC;
	default: return 0;
	}
}

static int parse_now(int64_t *out, const char *s, int64_t now_ns, const char *what)
{
	int64_t n, unit, delta;
	const char *end;
	int rc;

	if (strcmp(s, "now") == 0) {
		*out = now_ns;
		return 0;
	}
	if (strncmp(s, "now-", 4) != 0)
		return bad_time(what, s, expected_time);
	rc = read_uint(&n, s + 4, &end);
	if (rc == -2)
		return bad_time(what, s, "number out of range");
	unit = rc == 0 && end[0] && !end[1] ? unit_ns(end[0]) : 0;
	if (!unit)
		return bad_time(what, s, expected_time);
	if (!mul_ok(&delta, n, unit) || delta > now_ns)
		return bad_time(what, s, "year outside 1970..2200");
	*out = now_ns - delta;
	return 0;
}

int ddci_time_parse(int64_t *out_ns, const char *s, int64_t now_ns, const char *what)
{
	if (!what)
		what = "time";
	if (!s || !*s)
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '': %s", what, expected_time);
	if (strncmp(s, "now", 3) == 0)
		return parse_now(out_ns, s, now_ns, what);
	if (*s == '-' && isdigit((unsigned char)s[1]))
		return bad_time(what, s, "negative times are not accepted");
	if (strlen(s) >= 11 && s[4] == '-')
		return parse_rfc3339(out_ns, s, what);
	return parse_unix(out_ns, s, what);
}

int ddci_time_is_relative(const char *s)
{
	return s && strncmp(s, "now", 3) == 0;
}

static int64_t duration_unit_ms(const char **p)
{
	const char *u = *p;

	if (u[0] == 'm' && u[1] == 's') {
		*p += 2;
		return 1;
	}
	if (!u[0] || !unit_ns(u[0]))
		return 0;
	*p += 1;
	return unit_ns(u[0]) / NS_PER_MS;
}

int ddci_duration_parse(int64_t *out_ms, const char *s, const char *what)
{
	static const char expected[] = "expected a duration such as 90, 90s, 15m, 2h, 7d, 1h30m or 500ms";
	const char *p = s;
	int64_t total = 0;
	int bare;

	if (!what)
		what = "duration";
	if (!s || !*s)
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '': %s", what, expected);
	bare = s[strspn(s, "0123456789.")] == '\0';
	while (*p) {
		int64_t n, num = 0, den = 1, unit, part;
		int rc = read_uint(&n, p, &p);

		if (rc == -2)
			return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': too large", what, s);
		if (rc < 0)
			return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': %s", what, s, expected);
		if (*p == '.' && read_frac(&num, &den, p + 1, &p) < 0)
			return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': %s", what, s, expected);
		if (p == s + strlen(s) && total == 0 && bare)
			unit = 1000; /* a bare number is seconds */
		else if (!(unit = duration_unit_ms(&p)))
			return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': %s", what, s, expected);
		if (!mul_ok(&part, n, unit) || part > INT64_MAX - total - unit)
			return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': too large", what, s);
		total += part + num * unit / den;
	}
	*out_ms = total;
	return 0;
}

void ddci_time_format_rfc3339(char *buf, size_t size, int64_t ns)
{
	int64_t sec = ns / DDCI_NS_PER_SEC - (ns % DDCI_NS_PER_SEC < 0);
	int64_t days = sec / SEC_PER_DAY - (sec % SEC_PER_DAY < 0);
	int64_t rem = sec - days * SEC_PER_DAY;
	int64_t y;
	int m, d;

	if (!buf || !size)
		return;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
		 (int)(rem / 60 % 60), (int)(rem % 60));
}

void ddci_time_format_rfc3339_frac(char *buf, size_t size, int64_t ns, int digits)
{
	int64_t frac = ns % DDCI_NS_PER_SEC;
	size_t len;

	ddci_time_format_rfc3339(buf, size, ns);
	if (frac < 0)
		frac += DDCI_NS_PER_SEC;
	len = strlen(buf);
	if (digits < 1 || digits > 9 || !len || len >= size)
		return;
	for (int i = digits; i < 9; i++)
		frac /= 10;
	snprintf(buf + len - 1, size - (len - 1), ".%0*" PRId64 "Z", digits, frac);
}

void ddci_duration_format(char *buf, size_t size, int64_t ms)
{
	const char *sign = ms < 0 ? "-" : "";
	uint64_t v = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;

	if (!buf || !size)
		return;
	if (v < 1000)
		snprintf(buf, size, "%s%" PRIu64 "ms", sign, v);
	else if (v < 10000 && v % 1000 / 100)
		snprintf(buf, size, "%s%" PRIu64 ".%" PRIu64 "s", sign, v / 1000, v % 1000 / 100);
	else if (v < 60000)
		snprintf(buf, size, "%s%" PRIu64 "s", sign, v / 1000);
	else if (v < 3600000)
		snprintf(buf, size, "%s%" PRIu64 "m %02" PRIu64 "s", sign, v / 60000, v / 1000 % 60);
	else if (v < 86400000)
		snprintf(buf, size, "%s%" PRIu64 "h %02" PRIu64 "m", sign, v / 3600000, v / 60000 % 60);
	else
		snprintf(buf, size, "%s%" PRIu64 "d %" PRIu64 "h", sign, v / 86400000, v / 3600000 % 24);
}

int ddci_parse_int64(int64_t *out, const char *s, int64_t min, int64_t max, const char *what)
{
	char expected[96];
	long long v;
	char *end;

	if (!what)
		what = "number";
	if (min == INT64_MIN && max == INT64_MAX)
		snprintf(expected, sizeof(expected), "expected an integer");
	else if (max == INT64_MAX)
		snprintf(expected, sizeof(expected), "expected an integer >= %" PRId64, min);
	else if (min == INT64_MIN)
		snprintf(expected, sizeof(expected), "expected an integer <= %" PRId64, max);
	else
		snprintf(expected, sizeof(expected), "expected an integer from %" PRId64 " to %" PRId64,
			 min, max);
	if (!s || !(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': %s", what, s ? s : "", expected);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno == ERANGE || v < min || v > max)
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': %s", what, s, expected);
	*out = v;
	return 0;
}

int ddci_parse_double(double *out, const char *s, double min, double max, const char *what)
{
	char expected[96];
	double v;
	char *end;

	if (!what)
		what = "number";
	snprintf(expected, sizeof(expected), "expected a number from %g to %g", min, max);
	if (!s || !*s || s[strspn(s, "0123456789.eE+-")] || !strpbrk(s, "0123456789"))
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': %s", what, s ? s : "", expected);
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno == ERANGE || !isfinite(v) || v < min || v > max)
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': %s", what, s, expected);
	*out = v;
	return 0;
}

int ddci_parse_pct(double *out, const char *s, const char *what)
{
	char buf[64];
	size_t n = strlen(s);

	if (n && n < sizeof(buf) && s[n - 1] == '%') {
		memcpy(buf, s, n - 1);
		buf[n - 1] = '\0';
		s = buf;
	}
	return ddci_parse_double(out, s, 0, 100, what);
}

int ddci_parse_paging(int *page, int64_t *most, const char *page_size, int max_page, const char *limit,
		      const char *alias_value, const char *alias)
{
	int64_t n;
	int rc;

	*page = max_page;
	if (page_size) {
		if ((rc = ddci_parse_int64(&n, page_size, 1, max_page, "--page-size")) < 0)
			return rc;
		*page = (int)n;
	}
	if (limit && alias_value)
		return ddci_error_set(DDCI_EUSAGE, "--limit and %s are the same: give one", alias);
	if (limit)
		return ddci_parse_int64(most, limit, 1, INT64_MAX, "--limit");
	if (alias_value)
		return ddci_parse_int64(most, alias_value, 1, INT64_MAX, alias);
	return 0;
}
