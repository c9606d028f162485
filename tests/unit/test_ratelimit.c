/* test_ratelimit.c — the shared rate-limit state: slot arithmetic, window
 * roll-over, what headers teach, the file and its directory, and a crowd of
 * forked processes against a simulated limiter (the fake's: a window of
 * LIMIT requests begins with the first request PERIOD after the last one
 * began). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ddci/ratelimit.h"

#define KEY "abcdef0123456789abcdef0123456789"
#define URL "http://user:pw@127.0.0.1:8126"
#define T0 INT64_C(1800000000000) /* an arbitrary wall-clock ms */

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ddci-rl-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	setenv("DDCI_STATE_DIR", dir, 1);
	unsetenv("DDCI_RATE_SHARE");
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* An answer with all five headers (the fake's). */
static struct ddci_ratelimit_seen seen(long status, long limit, long remaining, long reset_s, long period_s,
				       int64_t sent, int64_t recv)
{
	struct ddci_ratelimit_seen s = { status, limit, remaining, reset_s, period_s, -1, sent, recv, 0 };

	return s;
}

/* One request that holds no ticket asks for a slot. */
static enum ddci_ratelimit_turn take(struct ddci_ratelimit_state *s, int64_t *wait, int64_t now, int64_t deadline,
				     unsigned rnd)
{
	int64_t ticket = -1;

	return ddci_ratelimit_take(s, &ticket, wait, now, deadline, rnd);
}

/* A state that learnt from a probe at T0: limit 20 per 2 s, 19 left, the
 * window ends at T0 + 5 + 2000. */
static void known_state(struct ddci_ratelimit_state *s)
{
	struct ddci_ratelimit_seen a = seen(200, 20, 19, 2, 2, T0, T0 + 5);
	int64_t wait;

	memset(s, 0, sizeof(*s));
	assert_int_equal(take(s, &wait, T0, T0 + 60000, 0), DDCI_RL_PROBE);
	assert_int_equal(ddci_ratelimit_learn(s, &a, 1), 1);
}

/* ---- arithmetic ---- */

/* Issue 17 finding 12: header values up to LONG_MAX are capped before they
 * are multiplied into milliseconds (UBSan: 9223372036854775807 * 1000). */
static void test_ratelimit__huge_headers_do_not_overflow(void **state)
{
	struct ddci_ratelimit_state s;
	struct ddci_ratelimit_seen a = seen(200, 20, 19, LONG_MAX, LONG_MAX, T0, T0 + 5);
	struct ddci_ratelimit_seen b = seen(429, 20, 0, LONG_MAX, -1, T0, T0 + 5);
	int64_t wait;
	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(take(&s, &wait, T0, T0 + 60000, 0), DDCI_RL_PROBE);
	(void)ddci_ratelimit_learn(&s, &a, 1);
	assert_true(s.period_ms > 0 && s.period_ms <= 3600000);
	memset(&s, 0, sizeof(s));
	assert_int_equal(take(&s, &wait, T0, T0 + 60000, 0), DDCI_RL_PROBE);
	(void)ddci_ratelimit_learn(&s, &b, 1);
	assert_true(s.period_ms > 0 && s.period_ms <= 3600000);
}

static void test_ratelimit__probe_first_then_others_wait_for_it(void **state)
{
	struct ddci_ratelimit_state s;
	int64_t wait;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(take(&s, &wait, T0, T0 + 30000, 7), DDCI_RL_PROBE);
	assert_int_equal(wait, 0);
	assert_int_equal(s.probe_until_ms, T0 + 2000);
	assert_int_equal(take(&s, &wait, T0 + 1, T0 + 30000, 7), DDCI_RL_ASK);
	assert_true(wait >= 25 && wait <= 50);
	/* The probe never answered: after 2 s the next asker probes. */
	assert_int_equal(take(&s, &wait, T0 + 2000, T0 + 30000, 7), DDCI_RL_PROBE);
	known_state(&s);
	assert_int_equal(s.limit, 20);
	assert_int_equal(s.period_ms, 2000);
	assert_int_equal(s.remaining, 19);
	assert_int_equal(s.reset_ms, T0 + 2005);
	assert_int_equal(s.start_ms, T0);
	assert_int_equal(s.probe_until_ms, 0);
	assert_int_equal(take(&s, &wait, T0 + 10, T0 + 30000, 7), DDCI_RL_GO);
	assert_int_equal(s.remaining, 18);
}

static void test_ratelimit__slots_fill_later_windows_in_order(void **state)
{
	struct ddci_ratelimit_state s;
	int64_t wait, ticket = -1, now = T0 + 10, window = 2000 + 25 + 2000 / 200;

	(void)state;
	known_state(&s);
	for (int i = 0; i < 19; i++)
		assert_int_equal(take(&s, &wait, now, T0 + 60000, 0), DDCI_RL_GO);
	/* Window 1: everybody at its start, with up to 20 ms of jitter. */
	for (int q = 0; q < 20; q++) {
		assert_int_equal(take(&s, &wait, now, T0 + 60000, q == 5 ? 41 : 0), DDCI_RL_AT);
		assert_int_equal(now + wait, T0 + 2005 + (q == 5 ? 41 % 21 : 0));
	}
	/* Window 2: one period plus the margin later; its holder looks again
	 * in the middle of window 1. */
	assert_int_equal(ddci_ratelimit_take(&s, &ticket, &wait, now, T0 + 60000, 0), DDCI_RL_AT);
	assert_int_equal(ticket, 20);
	assert_int_equal(now + wait, T0 + 2005 + window / 2);
	assert_int_equal(s.tickets, 21);
	now += wait;
	assert_int_equal(ddci_ratelimit_take(&s, &ticket, &wait, now, T0 + 60000, 13), DDCI_RL_AT);
	assert_int_equal(ticket, 20);
	assert_int_equal(s.served, 20);
	assert_int_equal(now + wait, T0 + 2005 + window + 13);
	/* The window moved later meanwhile (a 429 said so): the holder
	 * follows it. */
	s.reset_ms += 100;
	now += wait;
	assert_int_equal(ddci_ratelimit_take(&s, &ticket, &wait, now, T0 + 60000, 0), DDCI_RL_AT);
	assert_int_equal(now + wait, T0 + 2005 + window + 100);
	now += wait;
	assert_int_equal(ddci_ratelimit_take(&s, &ticket, &wait, now, T0 + 60000, 0), DDCI_RL_GO);
	assert_int_equal(ticket, -1);
	assert_int_equal(s.served, 21);
	assert_int_equal(s.remaining, 19);
	/* A ticket of a window that is over: asks like a new request. */
	ticket = 3;
	assert_int_equal(ddci_ratelimit_take(&s, &ticket, &wait, now, T0 + 60000, 0), DDCI_RL_GO);
	assert_int_equal(s.remaining, 18);
}

static void test_ratelimit__slot_past_deadline_is_late_and_kept_free(void **state)
{
	struct ddci_ratelimit_state s;
	int64_t wait;

	(void)state;
	known_state(&s);
	s.remaining = 0;
	s.tickets = 45; /* the next one goes in window 3 (of 2035 ms) */
	assert_int_equal(take(&s, &wait, T0 + 100, T0 + 5000, 0), DDCI_RL_LATE);
	assert_int_equal(T0 + 100 + wait, T0 + 2005 + 2 * 2035);
	assert_int_equal(s.tickets, 45);
	assert_int_equal(take(&s, &wait, T0 + 100, T0 + 7000, 0), DDCI_RL_AT);
	assert_int_equal(s.tickets, 46);
}

static void test_ratelimit__windows_roll_over_with_their_queue(void **state)
{
	struct ddci_ratelimit_state s;
	int64_t wait;

	(void)state;
	known_state(&s);
	s.remaining = 0;
	s.tickets = 25;
	/* The first window ends: 20 tickets were handed out for the next. */
	assert_int_equal(take(&s, &wait, T0 + 2005, T0 + 60000, 0), DDCI_RL_AT);
	assert_int_equal(s.start_ms, T0 + 2005);
	assert_int_equal(s.reset_ms, T0 + 2005 + 2035);
	assert_int_equal(s.remaining, 0);
	assert_int_equal(s.win_first, 0);
	assert_int_equal(s.served, 20);
	assert_int_equal(s.tickets, 26); /* 5 left + this one */
	/* Two windows later nothing is queued any more: slots are free. */
	assert_int_equal(take(&s, &wait, T0 + 2005 + 2035, T0 + 60000, 0), DDCI_RL_GO);
	assert_int_equal(s.served, 26);
	assert_int_equal(s.win_first, 20);
	assert_int_equal(s.remaining, 20 - 6 - 1);
	/* A window that ended with nothing queued: the next begins now. */
	assert_int_equal(take(&s, &wait, T0 + 20000, T0 + 60000, 0), DDCI_RL_GO);
	assert_int_equal(s.start_ms, T0 + 20000);
	assert_int_equal(s.reset_ms, T0 + 20000 + 2035);
	assert_int_equal(s.remaining, 19);
}

static void test_ratelimit__headers_narrow_the_window(void **state)
{
	struct ddci_ratelimit_state s;
	struct ddci_ratelimit_seen a;

	(void)state;
	known_state(&s);
	s.remaining = 10;
	/* Reset is rounded up to seconds: "1 s" at T0 + 1500 ends it by
	 * T0 + 2500, later than known, so the known end stays; "1 s" at
	 * T0 + 1000 ends it by T0 + 2000, earlier, so that is the end now.
	 * Remaining can only lower what is left. */
	a = seen(200, 20, 12, 1, 2, T0 + 1490, T0 + 1500);
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.reset_ms, T0 + 2005);
	assert_int_equal(s.remaining, 10);
	a = seen(200, 20, 4, 1, 2, T0 + 990, T0 + 1000);
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.reset_ms, T0 + 2000);
	assert_int_equal(s.remaining, 4);
	/* A 429: full until its reset, whatever was thought. */
	a = seen(429, 20, 0, 1, 2, T0 + 1190, T0 + 1200);
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.remaining, 0);
	assert_int_equal(s.reset_ms, T0 + 2200);
	/* Retry-After wins over X-RateLimit-Reset on a 429. */
	a = seen(429, 20, 0, 1, 2, T0 + 1290, T0 + 1300);
	a.retry_after_s = 2;
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.reset_ms, T0 + 3300);
	/* News of a window older than the current one changes nothing. */
	s.remaining = 7;
	a = seen(429, 20, 0, 1, 2, T0 - 500, T0 + 1400);
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.remaining, 7);
	assert_int_equal(s.reset_ms, T0 + 3300);
	/* While slots of later windows are out, the end only moves later. */
	known_state(&s);
	s.tickets = 5;
	a = seen(200, 20, 4, 1, 2, T0 + 990, T0 + 1000);
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.reset_ms, T0 + 2005);
	assert_int_equal(s.remaining, 4);
	a = seen(429, 20, 0, 1, 2, T0 + 1190, T0 + 1200);
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.reset_ms, T0 + 2200);
	assert_int_equal(s.remaining, 0);
	/* A 429 without any reset cannot be waited out through the state. */
	a = seen(429, -1, -1, -1, -1, T0 + 1500, T0 + 1510);
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 0);
}

static void test_ratelimit__window_later_than_thought_is_adopted(void **state)
{
	struct ddci_ratelimit_state s;
	struct ddci_ratelimit_seen a;

	(void)state;
	known_state(&s);
	/* Sent after the known window should have ended (> T0 + 2005 - 1000
	 * with Reset 2): the server's window ends later, take its word. */
	a = seen(200, 20, 3, 2, 2, T0 + 1500, T0 + 1510);
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.reset_ms, T0 + 3510);
	assert_int_equal(s.remaining, 3);
	/* The limit and period follow the headers. */
	a = seen(200, 30, 3, 1, 10, T0 + 1600, T0 + 1610);
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.limit, 30);
	assert_int_equal(s.period_ms, 10000);
}

static void test_ratelimit__late_answers_do_not_reopen_an_ended_window(void **state)
{
	struct ddci_ratelimit_state s;
	struct ddci_ratelimit_seen a;
	int64_t wait;

	(void)state;
	known_state(&s);
	/* The last moments of a window: the request could land in the next
	 * one, so it takes a slot there. */
	assert_int_equal(take(&s, &wait, T0 + 2005 - 35, T0 + 60000, 0), DDCI_RL_AT);
	assert_int_equal(wait, 35);
	assert_int_equal(s.remaining, 19);
	s.tickets = s.served;
	/* Answered after the window ended, sent in it: that window may be
	 * over, so "5 left" is not taken for a window still open. */
	a = seen(200, 20, 5, 1, 2, T0 + 1500, T0 + 2100);
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.reset_ms, T0 + 2005);
	assert_int_equal(take(&s, &wait, T0 + 2110, T0 + 60000, 0), DDCI_RL_GO);
	assert_int_equal(s.start_ms, T0 + 2110);
	assert_int_equal(s.remaining, 19);
	/* A 429 answered late keeps everybody away until its reset. */
	known_state(&s);
	a = seen(429, 20, 0, 1, 2, T0 + 1990, T0 + 2050);
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.reset_ms, T0 + 3050);
	assert_int_equal(s.remaining, 0);
	assert_int_equal(take(&s, &wait, T0 + 2060, T0 + 60000, 0), DDCI_RL_AT);
	assert_int_equal(wait, 990);
}

static void test_ratelimit__lag_widens_the_gap_between_windows(void **state)
{
	struct ddci_ratelimit_state s;
	struct ddci_ratelimit_seen a;
	int64_t wait;

	(void)state;
	known_state(&s);
	s.remaining = 0;
	/* A busy machine: at least 300 ms from a slot to its answer. */
	a = seen(200, 20, 0, 2, 2, T0 + 200, T0 + 500);
	a.slot_ms = T0 + 100;
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	a = seen(200, 20, 0, 2, 2, T0 + 200, T0 + 400);
	a.slot_ms = T0 + 100;
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 0), 1);
	assert_int_equal(s.win_lag_ms, 301);
	assert_int_equal(s.lag_ms, 0);
	s.tickets = 40;
	/* Counted from the next window on. */
	assert_int_equal(take(&s, &wait, T0 + 500, T0 + 60000, 0), DDCI_RL_AT);
	assert_int_equal(T0 + 500 + wait, T0 + 2005 + 2035 + 2035 / 2);
	assert_int_equal(take(&s, &wait, T0 + 2005, T0 + 60000, 0), DDCI_RL_AT);
	assert_int_equal(s.lag_ms, 300);
	assert_int_equal(s.reset_ms, T0 + 2005 + 2035 + 300);
	/* At most a quarter period. */
	s.win_lag_ms = 4000;
	s.tickets = s.served + 20;
	assert_int_equal(take(&s, &wait, T0 + 4400, T0 + 60000, 0), DDCI_RL_AT);
	assert_int_equal(s.reset_ms, T0 + 2005 + 2035 + 300 + 2035 + 500);
}

static void test_ratelimit__answers_without_limit_free_the_crowd(void **state)
{
	struct ddci_ratelimit_state s;
	struct ddci_ratelimit_seen a = seen(200, -1, -1, -1, -1, T0, T0 + 3);
	int64_t wait;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(take(&s, &wait, T0, T0 + 30000, 0), DDCI_RL_PROBE);
	/* An error page says nothing about limits: the next one probes. */
	a.status = 503;
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 1), 0);
	assert_int_equal(take(&s, &wait, T0 + 4, T0 + 30000, 0), DDCI_RL_PROBE);
	a.status = 200;
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 1), 0);
	for (int i = 0; i < 50; i++)
		assert_int_equal(take(&s, &wait, T0 + 5 + i, T0 + 30000, 0), DDCI_RL_GO);
	/* ... for a minute, then somebody looks again. */
	assert_int_equal(take(&s, &wait, T0 + 3 + 60000, T0 + 90000, 0), DDCI_RL_PROBE);
	/* No answer at all (connection refused): the probe is released. */
	a.status = 0;
	assert_int_equal(ddci_ratelimit_learn(&s, &a, 1), 0);
	assert_int_equal(s.probe_until_ms, 0);
}

static void test_ratelimit__format_parse_and_stale_state(void **state)
{
	struct ddci_ratelimit_state s, back;
	char text[256];
	int64_t wait;

	(void)state;
	known_state(&s);
	s.tickets = 3;
	s.served = 1;
	ddci_ratelimit_format(text, sizeof(text), &s);
	assert_int_equal(ddci_ratelimit_parse(&back, text), 0);
	assert_memory_equal(&s, &back, sizeof(s));
	assert_int_equal(ddci_ratelimit_parse(&back, "ddci-ratelimit 4 20 2000\n"), -1);
	assert_int_equal(back.limit, 0);
	assert_int_equal(ddci_ratelimit_parse(&back, "garbage"), -1);
	text[strlen(text) - 1] = 'x';
	assert_int_equal(ddci_ratelimit_parse(&back, text), -1);
	assert_int_equal(ddci_ratelimit_parse(&back, "ddci-ratelimit 4 20 2000 -5 0 0 0 0 0 0 0 0\n"), -1);
	assert_int_equal(ddci_ratelimit_parse(&back, "ddci-ratelimit 1 20 2000 5 0 0 0 0 0 0\n"), -1);
	/* Untouched for an hour: forgotten, somebody probes again. */
	assert_int_equal(take(&s, &wait, T0 + 3600 * 1000 + 10, T0 + 3700 * 1000, 0),
			 DDCI_RL_PROBE);
	assert_int_equal(s.limit, 0);
	/* From the future (the clock went back): forgotten too. */
	known_state(&s);
	assert_int_equal(take(&s, &wait, T0 - 120000, T0, 0), DDCI_RL_PROBE);
}

/* ---- the files ---- */

static void test_ratelimit__file_named_without_key_private(void **state)
{
	struct ddci_ratelimit *rl;
	int64_t wait;
	char cmd[256], name[256] = "";
	struct stat st;
	FILE *p;

	(void)state;
	rl = ddci_ratelimit_open(URL "/", KEY);
	assert_non_null(rl);
	assert_null(ddci_ratelimit_off(rl));
	assert_int_equal(ddci_ratelimit_before(rl, &wait, "dora", ddci_ratelimit_now_ms() + 9999),
			 DDCI_RL_PROBE);
	snprintf(cmd, sizeof(cmd), "ls '%s'", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(name, sizeof(name), p));
	pclose(p);
	name[strcspn(name, "\n")] = '\0';
	/* host:port, 8 hex of a salted hash of the key, the family. */
	assert_int_equal(strlen(name), strlen("127.0.0.1_8126-12345678-dora"));
	assert_memory_equal(name, "127.0.0.1_8126-", 15);
	assert_string_equal(name + 23, "-dora");
	assert_null(strstr(name, "abcdef"));
	assert_null(strstr(name, "user"));
	snprintf(cmd, sizeof(cmd), "%s/%s", dir, name);
	assert_int_equal(stat(cmd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	ddci_ratelimit_free(rl);
	ddci_ratelimit_free(NULL);
}

/* The family comes from the caller (and from spool files): it names a
 * file only after anything but [a-z0-9_-] is made '_'; none is "other". */
static void test_ratelimit__family_is_a_safe_file_name(void **state)
{
	struct ddci_ratelimit *rl;
	int64_t wait;
	char cmd[256], names[512] = "";
	FILE *p;
	size_t n;

	(void)state;
	rl = ddci_ratelimit_open(URL, KEY);
	assert_non_null(rl);
	assert_int_equal(ddci_ratelimit_before(rl, &wait, "../X/y", ddci_ratelimit_now_ms() + 9999), DDCI_RL_PROBE);
	assert_int_equal(ddci_ratelimit_before(rl, &wait, NULL, ddci_ratelimit_now_ms() + 9999), DDCI_RL_PROBE);
	ddci_ratelimit_free(rl);
	snprintf(cmd, sizeof(cmd), "ls '%s' | sed 's/^.*-//' | LC_ALL=C sort | tr '\\n' ' '", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(names, 1, sizeof(names) - 1, p);
	names[n] = '\0';
	pclose(p);
	assert_string_equal(names, "_____y other ");
}

static void test_ratelimit__unsafe_directories_are_refused(void **state)
{
	struct ddci_ratelimit *rl;
	char sub[160], link[160];
	int64_t wait;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	setenv("DDCI_STATE_DIR", sub, 1);
	rl = ddci_ratelimit_open(URL, KEY);
	assert_non_null(ddci_ratelimit_off(rl));
	assert_non_null(strstr(ddci_ratelimit_off(rl), "writable by others"));
	/* Off: every request simply goes. */
	assert_int_equal(ddci_ratelimit_before(rl, &wait, "dora", ddci_ratelimit_now_ms() + 999),
			 DDCI_RL_GO);
	ddci_ratelimit_free(rl);

	/* A symbolic link planted where the directory should be. */
	assert_int_equal(chmod(sub, 0700), 0);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(sub, link), 0);
	setenv("DDCI_STATE_DIR", link, 1);
	rl = ddci_ratelimit_open(URL, KEY);
	assert_non_null(strstr(ddci_ratelimit_off(rl), "symbolic link"));
	ddci_ratelimit_free(rl);
	snprintf(link, sizeof(link), "%s/link/", dir); /* a trailing '/' changes nothing */
	setenv("DDCI_STATE_DIR", link, 1);
	rl = ddci_ratelimit_open(URL, KEY);
	assert_non_null(ddci_ratelimit_off(rl));
	ddci_ratelimit_free(rl);

	/* Somebody else's directory (only root can make one here). */
	if (geteuid() == 0) {
		assert_int_equal(chown(sub, 65534, 65534), 0);
		setenv("DDCI_STATE_DIR", sub, 1);
		rl = ddci_ratelimit_open(URL, KEY);
		assert_non_null(strstr(ddci_ratelimit_off(rl), "belongs to another user"));
		ddci_ratelimit_free(rl);
	}

	/* A directory that cannot be created. */
	setenv("DDCI_STATE_DIR", "/proc/ddci-no-such/dir", 1);
	rl = ddci_ratelimit_open(URL, KEY);
	assert_non_null(strstr(ddci_ratelimit_off(rl), "cannot create"));
	ddci_ratelimit_free(rl);

	/* Turned off on purpose. */
	setenv("DDCI_STATE_DIR", dir, 1);
	setenv("DDCI_RATE_SHARE", "0", 1);
	rl = ddci_ratelimit_open(URL, KEY);
	assert_string_equal(ddci_ratelimit_off(rl), "DDCI_RATE_SHARE=0");
	ddci_ratelimit_free(rl);
	unsetenv("DDCI_RATE_SHARE");
}

static void test_ratelimit__symlinked_or_corrupt_file(void **state)
{
	struct ddci_ratelimit *rl = ddci_ratelimit_open(URL, KEY);
	struct ddci_ratelimit_seen a;
	char path[400], text[256];
	int64_t wait, now;
	int fd;
	ssize_t n;

	(void)state;
	assert_null(ddci_ratelimit_off(rl));
	/* Learn the name of the file, then damage it. */
	now = ddci_ratelimit_now_ms();
	assert_int_equal(ddci_ratelimit_before(rl, &wait, "cases", now + 9999), DDCI_RL_PROBE);
	{
		FILE *p;
		char cmd[200];

		snprintf(cmd, sizeof(cmd), "ls '%s'", dir);
		p = popen(cmd, "r");
		assert_non_null(fgets(text, sizeof(text), p));
		pclose(p);
		text[strcspn(text, "\n")] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, text);
	}
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "ddci-ratelimit 1 x\n", 19), 19);
	close(fd);
	/* Damaged: read as nothing known, rewritten whole. */
	now = ddci_ratelimit_now_ms();
	assert_int_equal(ddci_ratelimit_before(rl, &wait, "cases", now + 9999), DDCI_RL_PROBE);
	a = seen(200, 5, 4, 1, 1, now, now + 1);
	assert_int_equal(ddci_ratelimit_after(rl, "cases", &a), 1);
	fd = open(path, O_RDONLY);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n > 0);
	text[n] = '\0';
	assert_memory_equal(text, "ddci-ratelimit 4 5 1000 ", 24);
	assert_null(ddci_ratelimit_off(rl));

	/* A symbolic link in place of the file: refused, sharing turned off. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(ddci_ratelimit_before(rl, &wait, "cases", now + 9999), DDCI_RL_GO);
	assert_non_null(strstr(ddci_ratelimit_off(rl), "cannot open the state file"));
	ddci_ratelimit_free(rl);
}

/* ---- a crowd of processes ---- */

#define CROWD 8
#define EACH 3
#define LIMIT 4
#define MAX_SENT (CROWD * EACH * 4)

/* The simulated server, in memory shared by the children. */
struct server {
	pthread_mutex_t lock;
	int64_t start_ms;
	int used;
	int nsent;
	int64_t t[MAX_SENT];
	int status[MAX_SENT];
};

static struct ddci_ratelimit_seen serve(struct server *srv, int64_t sent)
{
	int64_t now, left;
	struct ddci_ratelimit_seen a;
	int ok;

	pthread_mutex_lock(&srv->lock);
	now = ddci_ratelimit_now_ms();
	if (srv->start_ms == 0 || now - srv->start_ms >= 1000) {
		srv->start_ms = now;
		srv->used = 0;
	}
	left = srv->start_ms + 1000 - now;
	ok = srv->used < LIMIT;
	srv->used += ok;
	if (srv->nsent < MAX_SENT) {
		srv->t[srv->nsent] = now;
		srv->status[srv->nsent] = ok ? 200 : 429;
		srv->nsent++;
	}
	a = seen(ok ? 200 : 429, LIMIT, ok ? LIMIT - srv->used : 0, (long)((left + 999) / 1000), 1, sent, 0);
	if (a.reset_s < 1)
		a.reset_s = 1;
	pthread_mutex_unlock(&srv->lock);
	a.recv_ms = ddci_ratelimit_now_ms();
	return a;
}

static void nap(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* One child: EACH requests, each retried until served, as lib/net/http.c does. */
static int child(struct server *srv)
{
	struct ddci_ratelimit *rl = ddci_ratelimit_open("http://127.0.0.1:1", KEY);
	int64_t deadline = ddci_ratelimit_now_ms() + 30000;

	if (!rl || ddci_ratelimit_off(rl))
		return 2;
	for (int i = 0; i < EACH; i++) {
		for (int tries = 0;; tries++) {
			struct ddci_ratelimit_seen a;
			int64_t wait, slot;
			enum ddci_ratelimit_turn turn;

			if (tries > 100)
				return 3;
			turn = ddci_ratelimit_before(rl, &wait, "dora", deadline);
			slot = ddci_ratelimit_now_ms() + wait;
			if (turn == DDCI_RL_LATE)
				return 4;
			nap(wait);
			if (turn == DDCI_RL_ASK || turn == DDCI_RL_AT)
				continue;
			a = serve(srv, ddci_ratelimit_now_ms());
			a.slot_ms = slot;
			ddci_ratelimit_after(rl, "dora", &a);
			if (a.status == 200)
				break;
		}
	}
	ddci_ratelimit_free(rl);
	return 0;
}

static void test_ratelimit__crowd_of_processes_stays_within_the_limit(void **state)
{
	struct server *srv;
	pthread_mutexattr_t ma;
	pid_t pids[CROWD];
	int served = 0, rejected = 0, windows = 0, in_window = 0, peak = 0;
	int64_t wstart = 0;

	(void)state;
	srv = mmap(NULL, sizeof(*srv), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(srv != MAP_FAILED);
	memset(srv, 0, sizeof(*srv));
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&srv->lock, &ma);
	for (int i = 0; i < CROWD; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(child(srv));
	}
	for (int i = 0; i < CROWD; i++) {
		int st = 0;

		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	/* Windows as the server counted them; every request sent counts. */
	for (int i = 0; i < srv->nsent; i++) {
		if (i == 0 || srv->t[i] - wstart >= 1000) {
			wstart = srv->t[i];
			windows++;
			in_window = 0;
		}
		in_window++;
		peak = in_window > peak ? in_window : peak;
		served += srv->status[i] == 200;
		rejected += srv->status[i] == 429;
	}
	if (rejected > 1 || peak > LIMIT + 1)
		for (int i = 0; i < srv->nsent; i++)
			fprintf(stderr, "%" PRId64 " %d\n", srv->t[i] - srv->t[0], srv->status[i]);
	assert_int_equal(served, CROWD * EACH);
	assert_true(rejected <= 1); /* none, bar a child descheduled past a window's end */
	assert_true(peak <= LIMIT + 1);
	/* Spread over the windows the limit needs, not sent at once. */
	assert_true(windows >= CROWD * EACH / LIMIT);
	assert_true(srv->t[srv->nsent - 1] - srv->t[0] >= (CROWD * EACH / LIMIT - 1) * 1000);
	pthread_mutex_destroy(&srv->lock);
	munmap(srv, sizeof(*srv));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratelimit__huge_headers_do_not_overflow),
		cmocka_unit_test(test_ratelimit__probe_first_then_others_wait_for_it),
		cmocka_unit_test(test_ratelimit__slots_fill_later_windows_in_order),
		cmocka_unit_test(test_ratelimit__slot_past_deadline_is_late_and_kept_free),
		cmocka_unit_test(test_ratelimit__windows_roll_over_with_their_queue),
		cmocka_unit_test(test_ratelimit__headers_narrow_the_window),
		cmocka_unit_test(test_ratelimit__window_later_than_thought_is_adopted),
		cmocka_unit_test(test_ratelimit__late_answers_do_not_reopen_an_ended_window),
		cmocka_unit_test(test_ratelimit__lag_widens_the_gap_between_windows),
		cmocka_unit_test(test_ratelimit__answers_without_limit_free_the_crowd),
		cmocka_unit_test(test_ratelimit__format_parse_and_stale_state),
		cmocka_unit_test_setup_teardown(test_ratelimit__file_named_without_key_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ratelimit__family_is_a_safe_file_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ratelimit__unsafe_directories_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ratelimit__symlinked_or_corrupt_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ratelimit__crowd_of_processes_stays_within_the_limit, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
