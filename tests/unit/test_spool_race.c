/* test_spool_race.c — no lost update in the spool (issue 17 finding 8):
 * while ddci-flush sends an event, a retried job spools the same event
 * again; the flush must delete only the version it sent, and the next flush
 * sends the newer one.  ddci_client_call is replaced by a stub (the linker
 * takes it before lib/net/client.c's) that re-spools during the "send", so
 * the interleaving is exact, with no timing.  Rounds: DDCI_RACE_ROUNDS
 * (default 100; `make soak` runs more). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ddci/client.h"
#include "ddci/flush.h"
#include "ddci/spool.h"

static char root[64], dir[128];
static int respool_to = -1;  /* the stub spools this version during the send; -1 none */
static int answer;           /* what the stub returns */
static int delivered[4096], ndelivered;

static int write_version(int v)
{
	char body[64];
	struct ddci_spool_event ev = { "POST", "/api/v2/dora/deployment", body, "race-0000000000000001", "dora", 0 };

	snprintf(body, sizeof(body), "{\"v\":%d}", v);
	return ddci_spool_write(NULL, dir, &ev);
}

int ddci_client_call(cJSON **out, struct ddci_client *c, const struct ddci_call *call)
{
	char *body = call->body ? cJSON_PrintUnformatted(call->body) : NULL;
	int v = -1;

	(void)c;
	if (out)
		*out = NULL;
	assert_non_null(body);
	assert_int_equal(sscanf(body, "{\"v\":%d}", &v), 1);
	free(body);
	if (respool_to >= 0) { /* a retried job spools the event again, mid-send */
		assert_int_equal(write_version(respool_to), 0);
		respool_to = -1;
	}
	if (answer < 0)
		return ddci_error_set(answer, "scripted failure");
	assert_true(ndelivered < (int)(sizeof(delivered) / sizeof(delivered[0])));
	delivered[ndelivered++] = v;
	return 0;
}

static int count(const char *prefix)
{
	char cmd[256];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '^%s' || true", dir, prefix);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ddci-race-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/spool", root);
	ndelivered = 0;
	respool_to = -1;
	answer = 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_spool_race__newest_version_always_arrives(void **state)
{
	const char *env = getenv("DDCI_RACE_ROUNDS");
	long n = env ? strtol(env, NULL, 10) : 0;
	int rounds = n > 0 && n < 100000 ? (int)n : 100;
	struct ddci_flush_stats st;
	(void)state;
	for (int i = 0; i < rounds; i++) {
		assert_int_equal(write_version(2 * i), 0);
		respool_to = 2 * i + 1;
		assert_int_equal(ddci_flush(&st, NULL, dir, NULL), 0);
		assert_int_equal(delivered[ndelivered - 1], 2 * i);
		assert_int_equal(count("ev-"), 1); /* the newer version is still queued */
		assert_int_equal(ddci_flush(&st, NULL, dir, NULL), 0);
		assert_int_equal(delivered[ndelivered - 1], 2 * i + 1);
		assert_int_equal(count("ev-"), 0);
		assert_int_equal(count(".claimed-"), 0);
	}
}

/* A send that fails puts the event back, unless a newer version came. */
static void test_spool_race__failed_send_never_overwrites_a_newer_version(void **state)
{
	struct ddci_flush_stats st;
	(void)state;
	assert_int_equal(write_version(1), 0);
	answer = DDCI_EUNAVAIL;
	respool_to = 2;
	assert_int_equal(ddci_flush(&st, NULL, dir, NULL), DDCI_EUNAVAIL);
	assert_int_equal(count("ev-"), 1);
	answer = 0;
	assert_int_equal(ddci_flush(&st, NULL, dir, NULL), 0);
	assert_int_equal(ndelivered, 1);
	assert_int_equal(delivered[0], 2);
	/* without a newer version the failed one is queued again */
	assert_int_equal(write_version(3), 0);
	answer = DDCI_EUNAVAIL;
	assert_int_equal(ddci_flush(&st, NULL, dir, NULL), DDCI_EUNAVAIL);
	answer = 0;
	assert_int_equal(ddci_flush(&st, NULL, dir, NULL), 0);
	assert_int_equal(delivered[ndelivered - 1], 3);
	assert_int_equal(count("ev-") + count(".claimed-"), 0);
}

/* What a crashed flush or writer left: a claimed file goes back in the
 * queue (or goes, when a newer version is queued); old temp files go. */
static void test_spool_race__leftovers_of_crashes(void **state)
{
	struct ddci_flush_stats st;
	struct timespec old[2] = { { 1000000, 0 }, { 1000000, 0 } };
	char from[300], to[300], name[64];
	FILE *p;
	int fd;
	(void)state;
	assert_int_equal(write_version(1), 0);
	snprintf(from, sizeof(from), "ls '%s' | grep '^ev-'", dir);
	p = popen(from, "r");
	assert_non_null(p);
	assert_non_null(fgets(name, sizeof(name), p));
	pclose(p);
	name[strcspn(name, "\n")] = '\0';
	snprintf(from, sizeof(from), "%s/%s", dir, name);
	snprintf(to, sizeof(to), "%s/.claimed-%s", dir, name);
	assert_int_equal(rename(from, to), 0); /* a flush died mid-send */
	snprintf(from, sizeof(from), "%s/.tmp-%s-1-0", dir, name);
	assert_true((fd = open(from, O_WRONLY | O_CREAT, 0600)) >= 0);
	close(fd);
	assert_int_equal(utimensat(AT_FDCWD, from, old, 0), 0); /* a writer died long ago */
	snprintf(from, sizeof(from), "%s/.tmp-%s-2-0", dir, name);
	assert_true((fd = open(from, O_WRONLY | O_CREAT, 0600)) >= 0); /* a writer at work */
	close(fd);
	assert_int_equal(ddci_flush(&st, NULL, dir, NULL), 0);
	assert_int_equal(ndelivered, 1);
	assert_int_equal(delivered[0], 1);
	assert_int_equal(count(".tmp-"), 1);
	/* a claimed file older than the queued version is dropped */
	assert_int_equal(write_version(5), 0);
	snprintf(from, sizeof(from), "%s/%s", dir, name);
	assert_int_equal(link(from, to), 0);
	assert_int_equal(write_version(6), 0);
	assert_int_equal(ddci_flush(&st, NULL, dir, NULL), 0);
	assert_int_equal(delivered[ndelivered - 1], 6);
	assert_int_equal(ndelivered, 2);
	assert_int_equal(count(".claimed-"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spool_race__newest_version_always_arrives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_race__failed_send_never_overwrites_a_newer_version, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_spool_race__leftovers_of_crashes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
