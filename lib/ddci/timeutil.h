/* timeutil.h — parsing and printing of times and durations.
 *
 * Accepted times: Unix seconds, milliseconds or nanoseconds (told apart by
 * magnitude; microseconds too), RFC 3339 with `Z` or a ±hh:mm offset and an
 * optional fraction, `now`, and `now-<N><s|m|h|d|w>`.  All times are int64
 * nanoseconds since the epoch.  Years outside 1970..2200 are rejected.
 */
#ifndef DDCI_TIMEUTIL_H
#define DDCI_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "ddci/error.h"

#define DDCI_NS_PER_SEC INT64_C(1000000000)

int64_t ddci_time_now_ns(void);
/* Monotonic clock in nanoseconds, for deadlines. */
int64_t ddci_time_mono_ns(void);

/* Parses `s` relative to `now_ns`. On error sets a message naming `what`
 * (e.g. "--started-at") and returns DDCI_EUSAGE. */
int ddci_time_parse(int64_t *out_ns, const char *s, int64_t now_ns, const char *what) DDCI_WUR;
/* Is `s` relative to the time of the call ("now", "now-5m")?  Such a time is
 * another one on every run, so it never goes into a derived id. */
int ddci_time_is_relative(const char *s);

/* Durations: "90", "90s", "15m", "2h", "7d", "1h30m", "500ms" -> ms. */
int ddci_duration_parse(int64_t *out_ms, const char *s, const char *what) DDCI_WUR;

/* "2024-01-02T03:04:05Z" (seconds precision), into buf of >= 32 bytes. */
void ddci_time_format_rfc3339(char *buf, size_t size, int64_t ns);
/* The same with `digits` (1-9) of fraction: 3 "…05.123Z", 9 "…05.123456789Z". */
void ddci_time_format_rfc3339_frac(char *buf, size_t size, int64_t ns, int digits);
/* "1h 02m", "3d 4h", "45s", "120ms" — human duration from ms. */
void ddci_duration_format(char *buf, size_t size, int64_t ms);

/* Strict integer parsing for flags: whole string, in [min, max]. */
int ddci_parse_int64(int64_t *out, const char *s, int64_t min, int64_t max, const char *what) DDCI_WUR;
int ddci_parse_double(double *out, const char *s, double min, double max, const char *what) DDCI_WUR;
/* A percentage 0..100, "12.5" or "12.5%". */
int ddci_parse_pct(double *out, const char *s, const char *what) DDCI_WUR;
/* A list's paging flags: --page-size (1..max_page; max_page when not
 * given) into *page; the most items wanted, --limit or its alias (the flag
 * named `alias`, e.g. "--max-events"; both given is refused), at least 1,
 * into *most (untouched when neither is given). */
int ddci_parse_paging(int *page, int64_t *most, const char *page_size, int max_page, const char *limit,
		      const char *alias_value, const char *alias) DDCI_WUR;

#endif
