/* Unit tests for lib/util/timeutil.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/timeutil.h"

#define NS DDCI_NS_PER_SEC
#define T20240102 INT64_C(1704164645) /* 2024-01-02T03:04:05Z */
#define NOW (INT64_C(1700000000) * NS)

static int64_t parse_ok(const char *s)
{
	int64_t v = -1;

	if (ddci_time_parse(&v, s, NOW, "--started-at") != 0)
		fail_msg("'%s' rejected: %s", s, ddci_error_last());
	return v;
}

static void parse_bad(const char *s, const char *msg_part)
{
	int64_t v = 42;

	assert_int_equal(ddci_time_parse(&v, s, NOW, "--started-at"), DDCI_EUSAGE);
	assert_int_equal(v, 42);
	if (!strstr(ddci_error_last(), msg_part))
		fail_msg("'%s': message '%s' lacks '%s'", s, ddci_error_last(), msg_part);
}

static void test_timeutil__unix_magnitudes(void **state)
{
	(void)state;
	assert_true(parse_ok("1704164645") == T20240102 * NS);
	assert_true(parse_ok("1704164645123") == T20240102 * NS + 123000000);
	assert_true(parse_ok("1704164645123456") == T20240102 * NS + 123456000);
	assert_true(parse_ok("1704164645123456789") == T20240102 * NS + 123456789);
	assert_true(parse_ok("0") == 0);
	assert_true(parse_ok("1704164645.5") == T20240102 * NS + 500000000);
	/* 1e11 is the first millisecond value: 1973. */
	assert_true(parse_ok("100000000000") == INT64_C(100000000) * NS);
	/* seconds just below 1e11 would be year ~5138 */
	parse_bad("99999999999", "year outside 1970..2200");
	parse_bad("99999999999999999999", "out of range");
	parse_bad("9223372036854775807", "year outside 1970..2200");
	parse_bad("-5", "negative");
	parse_bad("170416464510.5", "expected Unix time");
	parse_bad("17041646451.5", "year outside 1970..2200");
	parse_bad("1704164645.", "expected Unix time");
	parse_bad("1704164645x", "expected Unix time");
	parse_bad(" 1704164645", "expected Unix time");
	parse_bad("+1704164645", "expected Unix time");
	/* Found by fuzzing: milliseconds and microseconds whose nanoseconds
	 * overflow int64 are out of range, not undefined behaviour. */
	parse_bad("99999999999999", "year outside 1970..2200");
	parse_bad("9999999999999", "year outside 1970..2200");
	parse_bad("99999999999999999", "year outside 1970..2200");
}

static void test_timeutil__rfc3339(void **state)
{
	(void)state;
	assert_true(parse_ok("2024-01-02T03:04:05Z") == T20240102 * NS);
	assert_true(parse_ok("2024-01-02t03:04:05z") == T20240102 * NS);
	assert_true(parse_ok("2024-01-02 03:04:05Z") == T20240102 * NS);
	assert_true(parse_ok("2024-01-02T03:04:05.123Z") == T20240102 * NS + 123000000);
	assert_true(parse_ok("2024-01-02T03:04:05.1234567891Z") == T20240102 * NS + 123456789);
	assert_true(parse_ok("2024-01-02T05:04:05+02:00") == T20240102 * NS);
	assert_true(parse_ok("2024-01-01T22:04:05-05:00") == T20240102 * NS);
	assert_true(parse_ok("2024-01-02T08:34:05.5+05:30") == T20240102 * NS + 500000000);
	assert_true(parse_ok("2024-01-02T03:04:05+0000") == T20240102 * NS);
	assert_true(parse_ok("1970-01-01T00:00:00Z") == 0);
	assert_true(parse_ok("2200-12-31T23:59:59Z") == INT64_C(7289654399) * NS);
	assert_true(parse_ok("2000-03-01T00:00:00Z") == INT64_C(951868800) * NS);
}

static void test_timeutil__rfc3339_ranges_and_leap_years(void **state)
{
	(void)state;
	assert_true(parse_ok("2024-02-29T00:00:00Z") == INT64_C(1709164800) * NS);
	assert_true(parse_ok("2000-02-29T00:00:00Z") == INT64_C(951782400) * NS);
	parse_bad("2023-02-29T00:00:00Z", "day out of range");
	parse_bad("2100-02-29T00:00:00Z", "day out of range");
	parse_bad("2024-04-31T00:00:00Z", "day out of range");
	parse_bad("2024-01-00T00:00:00Z", "day out of range");
	parse_bad("2024-13-01T00:00:00Z", "month out of range");
	parse_bad("2024-00-01T00:00:00Z", "month out of range");
	parse_bad("2024-01-01T24:00:00Z", "time of day out of range");
	parse_bad("2024-01-01T23:60:00Z", "time of day out of range");
	parse_bad("2024-01-01T23:59:60Z", "time of day out of range");
	parse_bad("2024-01-01T00:00:00+24:00", "offset out of range");
	parse_bad("2024-01-01T00:00:00+01:60", "offset out of range");
	parse_bad("1969-12-31T23:59:59Z", "year outside 1970..2200");
	parse_bad("1970-01-01T00:30:00+01:00", "year outside 1970..2200");
	parse_bad("2201-01-01T00:00:00Z", "year outside 1970..2200");
	parse_bad("2024-01-02T03:04:05", "missing time zone");
	parse_bad("2024-01-02T03:04:05.Z", "expected Unix time");
	parse_bad("2024-01-02T03:04:05Zx", "expected Unix time");
	parse_bad("2024-01-02T03:04:05+02", "expected Unix time");
	parse_bad("2024-01-02T03:04Z", "expected Unix time");
	parse_bad("2024-1-02T03:04:05Z", "expected Unix time");
	parse_bad("2024-01-02X03:04:05Z", "expected Unix time");
	parse_bad("2024-01-02", "expected Unix time");
}

static void test_timeutil__now_forms(void **state)
{
	(void)state;
	assert_true(parse_ok("now") == NOW);
	assert_true(parse_ok("now-30s") == NOW - 30 * NS);
	assert_true(parse_ok("now-15m") == NOW - 900 * NS);
	assert_true(parse_ok("now-2h") == NOW - 7200 * NS);
	assert_true(parse_ok("now-7d") == NOW - 7 * 86400 * NS);
	assert_true(parse_ok("now-1w") == NOW - 7 * 86400 * NS);
	assert_true(parse_ok("now-0s") == NOW);
	parse_bad("now-", "expected Unix time");
	parse_bad("now-5", "expected Unix time");
	parse_bad("now-5x", "expected Unix time");
	parse_bad("now-15mm", "expected Unix time");
	parse_bad("now+5m", "expected Unix time");
	parse_bad("nowish", "expected Unix time");
	parse_bad("now-99999999999999999999d", "out of range");
	parse_bad("now-9999999999w", "year outside");
	parse_bad("now-100000d", "year outside");
}

static void test_timeutil__error_message_names_flag(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(ddci_time_parse(&v, "yesterday", NOW, "--started-at"), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "invalid --started-at 'yesterday': expected Unix time, "
					       "RFC 3339, 'now' or 'now-<N>[smhdw]'");
	assert_int_equal(ddci_time_parse(&v, "", NOW, "--to"), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "invalid --to ''"));
	assert_int_equal(ddci_time_parse(&v, NULL, NOW, NULL), DDCI_EUSAGE);
}

static void test_timeutil__format_rfc3339(void **state)
{
	char buf[32];

	(void)state;
	ddci_time_format_rfc3339(buf, sizeof(buf), T20240102 * NS + 999999999);
	assert_string_equal(buf, "2024-01-02T03:04:05Z");
	ddci_time_format_rfc3339(buf, sizeof(buf), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	ddci_time_format_rfc3339(buf, sizeof(buf), -1);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	ddci_time_format_rfc3339(buf, sizeof(buf), INT64_C(951782400) * NS);
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	ddci_time_format_rfc3339(buf, sizeof(buf), INT64_C(7289654399) * NS);
	assert_string_equal(buf, "2200-12-31T23:59:59Z");
	ddci_time_format_rfc3339_frac(buf, sizeof(buf), T20240102 * NS + 999999999, 9);
	assert_string_equal(buf, "2024-01-02T03:04:05.999999999Z");
	ddci_time_format_rfc3339_frac(buf, sizeof(buf), T20240102 * NS + 1000000, 3);
	assert_string_equal(buf, "2024-01-02T03:04:05.001Z");
	ddci_time_format_rfc3339_frac(buf, sizeof(buf), -1, 9);
	assert_string_equal(buf, "1969-12-31T23:59:59.999999999Z");
}

static void test_timeutil__format_parse_round_trip(void **state)
{
	char buf[32];
	int64_t sec, v;

	(void)state;
	/* Every ~3.7 days from 1970 to 2200, at an odd time of day. */
	for (sec = 0; sec < INT64_C(7289654400); sec += 320011) {
		ddci_time_format_rfc3339(buf, sizeof(buf), sec * NS);
		assert_int_equal(ddci_time_parse(&v, buf, 0, "t"), 0);
		assert_true(v == sec * NS);
	}
}

static int64_t dur_ok(const char *s)
{
	int64_t v = -1;

	if (ddci_duration_parse(&v, s, "--timeout") != 0)
		fail_msg("'%s' rejected: %s", s, ddci_error_last());
	return v;
}

static void dur_bad(const char *s)
{
	int64_t v = 42;

	if (ddci_duration_parse(&v, s, "--timeout") != DDCI_EUSAGE)
		fail_msg("'%s' accepted as %lld", s, (long long)v);
	assert_int_equal(v, 42);
	assert_non_null(strstr(ddci_error_last(), "invalid --timeout '"));
}

static void test_timeutil__duration_parse(void **state)
{
	(void)state;
	assert_true(dur_ok("90") == 90000);
	assert_true(dur_ok("90s") == 90000);
	assert_true(dur_ok("15m") == 900000);
	assert_true(dur_ok("2h") == 7200000);
	assert_true(dur_ok("7d") == 604800000);
	assert_true(dur_ok("1w") == 604800000);
	assert_true(dur_ok("1h30m") == 5400000);
	assert_true(dur_ok("1m30s") == 90000);
	assert_true(dur_ok("500ms") == 500);
	assert_true(dur_ok("1s500ms") == 1500);
	assert_true(dur_ok("1.5") == 1500);
	assert_true(dur_ok("1.5h") == 5400000);
	assert_true(dur_ok("0") == 0);
	dur_bad("");
	dur_bad(NULL);
	dur_bad("x");
	dur_bad("-5");
	dur_bad("5x");
	dur_bad("h");
	dur_bad("1h30");
	dur_bad("1..5");
	dur_bad("1.s");
	dur_bad(" 5");
	dur_bad("99999999999999999999");
	dur_bad("9999999999999999w");
	dur_bad("9223372036854775807s");
	assert_int_equal(ddci_duration_parse(&(int64_t){ 0 }, "soon", "--timeout"), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "invalid --timeout 'soon': expected a duration such as "
					       "90, 90s, 15m, 2h, 7d, 1h30m or 500ms");
}

static void test_timeutil__duration_format(void **state)
{
	char buf[32];

	(void)state;
	ddci_duration_format(buf, sizeof(buf), 0);
	assert_string_equal(buf, "0ms");
	ddci_duration_format(buf, sizeof(buf), 120);
	assert_string_equal(buf, "120ms");
	ddci_duration_format(buf, sizeof(buf), 1500);
	assert_string_equal(buf, "1.5s");
	ddci_duration_format(buf, sizeof(buf), 45000);
	assert_string_equal(buf, "45s");
	ddci_duration_format(buf, sizeof(buf), 125000);
	assert_string_equal(buf, "2m 05s");
	ddci_duration_format(buf, sizeof(buf), 3720000);
	assert_string_equal(buf, "1h 02m");
	ddci_duration_format(buf, sizeof(buf), (3 * 24 + 4) * 3600000LL);
	assert_string_equal(buf, "3d 4h");
	ddci_duration_format(buf, sizeof(buf), -1500);
	assert_string_equal(buf, "-1.5s");
	ddci_duration_format(buf, sizeof(buf), INT64_MIN);
	assert_non_null(strstr(buf, "d "));
	ddci_duration_format(buf, 4, 3720000);
	assert_string_equal(buf, "1h ");
}

static void test_timeutil__parse_int64(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(ddci_parse_int64(&v, "5", 0, 10, "--retries"), 0);
	assert_int_equal(v, 5);
	assert_int_equal(ddci_parse_int64(&v, "010", 0, 10, "--retries"), 0);
	assert_int_equal(v, 10);
	assert_int_equal(ddci_parse_int64(&v, "-3", -5, 10, "--n"), 0);
	assert_int_equal(v, -3);
	assert_int_equal(ddci_parse_int64(&v, "-9223372036854775808", INT64_MIN, INT64_MAX, "--n"), 0);
	assert_true(v == INT64_MIN);
	v = 77;
	assert_int_equal(ddci_parse_int64(&v, "x", 0, 10, "--retries"), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "invalid --retries 'x': expected an integer from 0 to 10");
	assert_int_equal(ddci_parse_int64(&v, "11", 0, 10, "--retries"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_int64(&v, "-1", 0, 10, "--retries"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_int64(&v, "", 0, 10, "--retries"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_int64(&v, NULL, 0, 10, "--retries"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_int64(&v, " 5", 0, 10, "--retries"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_int64(&v, "5 ", 0, 10, "--retries"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_int64(&v, "+5", 0, 10, "--retries"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_int64(&v, "0x5", 0, 10, "--retries"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_int64(&v, "1.0", 0, 10, "--retries"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_int64(&v, "9223372036854775808", INT64_MIN, INT64_MAX, "--n"),
			 DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "invalid --n '9223372036854775808': expected an integer");
	assert_int_equal(ddci_parse_int64(&v, "-1", 0, INT64_MAX, "--limit"), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "invalid --limit '-1': expected an integer >= 0");
	assert_int_equal(v, 77);
}

static void test_timeutil__parse_double(void **state)
{
	double v = 0;

	(void)state;
	assert_int_equal(ddci_parse_double(&v, "0.5", 0, 1, "--max-rate"), 0);
	assert_true(v == 0.5);
	assert_int_equal(ddci_parse_double(&v, "1e2", 0, 1000, "--x"), 0);
	assert_true(v == 100.0);
	assert_int_equal(ddci_parse_double(&v, "-0.25", -1, 1, "--x"), 0);
	assert_true(v == -0.25);
	assert_int_equal(ddci_parse_double(&v, "3", 0, 100, "--x"), 0);
	assert_true(v == 3.0);
	v = 9;
	assert_int_equal(ddci_parse_double(&v, "1.5", 0, 1, "--max-rate"), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "invalid --max-rate '1.5': expected a number from 0 to 1");
	assert_int_equal(ddci_parse_double(&v, "nan", 0, 1, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, "NaN", 0, 1, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, "inf", -1e300, 1e300, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, "infinity", -1e300, 1e300, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, "1e999", -1e300, 1e308, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, "0x1p3", 0, 100, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, "", 0, 1, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, NULL, 0, 1, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, ".", 0, 1, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, "-", 0, 1, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, "0.5x", 0, 1, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, " 0.5", 0, 1, "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_double(&v, "0.5.5", 0, 1, "--x"), DDCI_EUSAGE);
	assert_true(v == 9);
}

static void test_timeutil__parse_pct(void **state)
{
	double v = -1;

	(void)state;
	assert_int_equal(ddci_parse_pct(&v, "12.5", "--max-failure-rate"), 0);
	assert_true(v == 12.5);
	assert_int_equal(ddci_parse_pct(&v, "5%", "--max-failure-rate"), 0);
	assert_true(v == 5);
	assert_int_equal(ddci_parse_pct(&v, "100%", "--x"), 0);
	assert_true(v == 100);
	assert_int_equal(ddci_parse_pct(&v, "101", "--max-failure-rate"), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--max-failure-rate"));
	assert_int_equal(ddci_parse_pct(&v, "%", "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_pct(&v, "5%%", "--x"), DDCI_EUSAGE);
	assert_int_equal(ddci_parse_pct(&v, "", "--x"), DDCI_EUSAGE);
}

static void test_timeutil__clocks_move(void **state)
{
	int64_t a = ddci_time_now_ns(), m = ddci_time_mono_ns();

	(void)state;
	assert_true(a > INT64_C(1600000000) * NS);
	assert_true(m > 0);
	assert_true(ddci_time_mono_ns() >= m);
}

/* --page-size with its bound and default; --limit or its alias, not both. */
static void test_timeutil__paging_flags(void **state)
{
	int page = 0;
	int64_t most = -1;

	(void)state;
	assert_int_equal(ddci_parse_paging(&page, &most, NULL, 50, NULL, NULL, "--max-versions"), 0);
	assert_int_equal(page, 50);
	assert_int_equal(most, -1);
	assert_int_equal(ddci_parse_paging(&page, &most, "7", 50, "3", NULL, "--max-versions"), 0);
	assert_int_equal(page, 7);
	assert_int_equal(most, 3);
	assert_int_equal(ddci_parse_paging(&page, &most, NULL, 50, NULL, "9", "--max-versions"), 0);
	assert_int_equal(most, 9);
	assert_int_equal(ddci_parse_paging(&page, &most, "51", 50, NULL, NULL, "--max-versions"), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--page-size"));
	assert_int_equal(ddci_parse_paging(&page, &most, NULL, 50, "1", "2", "--max-events"), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "--limit and --max-events are the same: give one");
	assert_int_equal(ddci_parse_paging(&page, &most, NULL, 50, NULL, "0", "--max-events"), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--max-events"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeutil__unix_magnitudes),
		cmocka_unit_test(test_timeutil__rfc3339),
		cmocka_unit_test(test_timeutil__rfc3339_ranges_and_leap_years),
		cmocka_unit_test(test_timeutil__now_forms),
		cmocka_unit_test(test_timeutil__error_message_names_flag),
		cmocka_unit_test(test_timeutil__format_rfc3339),
		cmocka_unit_test(test_timeutil__format_parse_round_trip),
		cmocka_unit_test(test_timeutil__duration_parse),
		cmocka_unit_test(test_timeutil__duration_format),
		cmocka_unit_test(test_timeutil__parse_int64),
		cmocka_unit_test(test_timeutil__parse_double),
		cmocka_unit_test(test_timeutil__parse_pct),
		cmocka_unit_test(test_timeutil__clocks_move),
		cmocka_unit_test(test_timeutil__paging_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
