/* Unit tests for lib/net/spool.c and lib/net/flush.c.  ddci_client_call is
 * replaced by a scripted stub below (the linker takes it before
 * lib/net/client.c's), so the flush path is tested without a network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ddci/client.h"
#include "ddci/endpoint.h"
#include "ddci/flush.h"
#include "ddci/spool.h"
#include "ddci/timeutil.h"

/* --- the stub client ------------------------------------------------- */

#define MAX_CALLS 16
static struct {
	char method[16], path[128], body[512], family[40];
	unsigned flags;
} calls[MAX_CALLS];
static int ncalls;
static int script[MAX_CALLS]; /* result of call i */

int ddci_client_call(cJSON **out, struct ddci_client *c, const struct ddci_call *call)
{
	char *body = call->body ? cJSON_PrintUnformatted(call->body) : NULL;
	int i = ncalls++;

	(void)c;
	if (out)
		*out = NULL;
	assert_true(i < MAX_CALLS);
	snprintf(calls[i].method, sizeof(calls[i].method), "%s", call->method);
	snprintf(calls[i].path, sizeof(calls[i].path), "%s", call->path);
	snprintf(calls[i].body, sizeof(calls[i].body), "%s", body ? body : "");
	snprintf(calls[i].family, sizeof(calls[i].family), "%s", call->family ? call->family : "(none)");
	calls[i].flags = call->flags;
	free(body);
	if (script[i] < 0)
		return ddci_error_set(script[i], "scripted failure %d", script[i]);
	return script[i];
}

/* --- helpers ---------------------------------------------------------- */

/* An event as the client spools it, without a family (as older ddci did). */
static int write_event(char **name, const char *d, const char *id, const char *method, const char *path,
		       const char *body)
{
	struct ddci_spool_event ev = { method, path, body, id, NULL, 0 };

	return ddci_spool_write(name, d, &ev);
}

static int flush(struct ddci_flush_stats *st, struct ddci_client *c, const char *d)
{
	return ddci_flush(st, c, d, ddci_endpoint_classify);
}

static char root[64];
static char dir[128];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ddci-spool-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/a/b/spool", root);
	memset(calls, 0, sizeof(calls));
	memset(script, 0, sizeof(script));
	ncalls = 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'", root, root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static int count_files(const char *d, const char *suffix)
{
	char cmd[256];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' 2>/dev/null | grep -c -- '%s$'", d, suffix);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static char *slurp(const char *path)
{
	static char text[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static void write_raw(const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "mkdir -p -m 0700 '%s'", dir);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	chmod(path, 0600);
}

/* --- tests ------------------------------------------------------------ */

static void test_spool__write_then_read(void **state)
{
	const char *body = "{\"data\":{\"attributes\":{\"started_at\":1795639027123456789,\"s\":\"a\\\"b\\n\"}}}";
	struct ddci_spool_entry e;
	struct stat st;
	char *name = NULL, path[256];
	int64_t before = ddci_time_now_ns(), after;
	size_t i;

	(void)state;
	assert_int_equal(write_event(&name, dir, "event-id-1", "POST", "/api/v2/dora/deployment", body), 0);
	after = ddci_time_now_ns();
	assert_non_null(name);
	assert_int_equal(strlen(name), 3 + 24 + 5);
	assert_memory_equal(name, "ev-", 3);
	for (i = 3; i < 27; i++)
		assert_non_null(strchr("0123456789abcdef", name[i]));
	assert_string_equal(name + 27, ".json");
	assert_null(strstr(name, "event-id-1"));

	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(count_files(dir, ""), 1); /* no temp file left behind */

	assert_int_equal(ddci_spool_read(&e, dir, name), 0);
	assert_string_equal(e.name, name);
	assert_string_equal(e.method, "POST");
	assert_string_equal(e.path, "/api/v2/dora/deployment");
	assert_string_equal(e.body, body);
	assert_true(e.queued_ns >= before && e.queued_ns <= after);
	ddci_spool_entry_release(&e);
	ddci_spool_entry_release(&e);
	ddci_spool_entry_release(NULL);
	free(name);
}

static void test_spool__same_event_overwrites_and_keeps_place(void **state)
{
	struct ddci_spool_entry e1, e2;
	char *n1 = NULL, *n2 = NULL, *n3 = NULL, *n4 = NULL;

	(void)state;
	assert_int_equal(write_event(&n1, dir, "id-A", "POST", "/api/v2/dora/deployment", "{\"v\":1}"), 0);
	assert_int_equal(ddci_spool_read(&e1, dir, n1), 0);
	assert_int_equal(write_event(&n2, dir, "id-A", "POST", "/api/v2/dora/deployment", "{\"v\":2}"), 0);
	assert_string_equal(n1, n2);
	assert_int_equal(count_files(dir, ".json"), 1);
	assert_int_equal(ddci_spool_read(&e2, dir, n2), 0);
	assert_string_equal(e2.body, "{\"v\":2}");
	assert_true(e1.queued_ns == e2.queued_ns);
	/* Another id, or the same id on another endpoint, is another file. */
	assert_int_equal(write_event(&n3, dir, "id-B", "POST", "/api/v2/dora/deployment", "{}"), 0);
	assert_int_equal(write_event(&n4, dir, "id-A", "POST", "/api/v2/dora/failure", "{}"), 0);
	assert_string_not_equal(n1, n3);
	assert_string_not_equal(n1, n4);
	assert_int_equal(count_files(dir, ".json"), 3);
	ddci_spool_entry_release(&e1);
	ddci_spool_entry_release(&e2);
	free(n1);
	free(n2);
	free(n3);
	free(n4);
}

static void test_spool__write_keeps_callers_message(void **state)
{
	(void)state;
	ddci_error_set(DDCI_EUNAVAIL, "cannot reach datadog");
	assert_int_equal(write_event(NULL, dir, "id", "POST", "/api/v2/dora/failure", "{}"), 0);
	assert_string_equal(ddci_error_last(), "cannot reach datadog");
}

static void test_spool__file_holds_no_key_and_no_id_in_name(void **state)
{
	char *name = NULL, path[256];
	const char *text;
	char long_id[300];

	(void)state;
	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_int_equal(write_event(&name, dir, long_id, "PATCH", "/api/v2/dora/deployments/abc", "{}"), 0);
	assert_int_equal(strlen(name), 32);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = slurp(path);
	assert_non_null(strstr(text, "\"v\":1"));
	assert_non_null(strstr(text, "\"method\":\"PATCH\""));
	assert_null(strstr(text, "key"));
	assert_null(strstr(text, "DD-API"));
	free(name);
}

static void test_spool__refuses_unsafe_directories(void **state)
{
	char link[256], file[256], inner[300];

	(void)state;
	assert_int_equal(write_event(NULL, dir, "id", "POST", "/x", "{}"), 0);

	snprintf(link, sizeof(link), "%s/link", root);
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(write_event(NULL, link, "id", "POST", "/x", "{}"), DDCI_EIO);
	assert_non_null(strstr(ddci_error_last(), "symlink"));
	snprintf(inner, sizeof(inner), "%s/", link);
	assert_int_equal(write_event(NULL, inner, "id", "POST", "/x", "{}"), DDCI_EIO);
	assert_int_equal(flush(NULL, NULL, link), DDCI_EIO);

	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(write_event(NULL, dir, "id", "POST", "/x", "{}"), DDCI_EIO);
	assert_non_null(strstr(ddci_error_last(), "writable by group or others"));
	assert_int_equal(chmod(dir, 0703), 0);
	assert_int_equal(write_event(NULL, dir, "id", "POST", "/x", "{}"), DDCI_EIO);
	assert_int_equal(chmod(dir, 0700), 0);

	snprintf(file, sizeof(file), "%s/plainfile", root);
	write_raw("../../../plainfile", "x");
	assert_int_equal(write_event(NULL, file, "id", "POST", "/x", "{}"), DDCI_EIO);
	snprintf(inner, sizeof(inner), "%s/plainfile/sub", root);
	assert_int_equal(write_event(NULL, inner, "id", "POST", "/x", "{}"), DDCI_EIO);

	assert_int_equal(write_event(NULL, NULL, "id", "POST", "/x", "{}"), DDCI_EUSAGE);
	assert_int_equal(write_event(NULL, "", "id", "POST", "/x", "{}"), DDCI_EUSAGE);
	assert_int_equal(write_event(NULL, dir, "id", "", "/x", "{}"), DDCI_EUSAGE);
	assert_int_equal(write_event(NULL, dir, "id", "POST", "x", "{}"), DDCI_EUSAGE);
}

static void test_spool__read_rejects_bad_names_and_files(void **state)
{
	struct ddci_spool_entry e;
	char target[256], link[256];

	(void)state;
	assert_int_equal(write_event(NULL, dir, "id", "POST", "/x", "{}"), 0);
	assert_int_equal(ddci_spool_read(&e, dir, "../x.json"), DDCI_EUSAGE);
	assert_int_equal(ddci_spool_read(&e, dir, ".lock"), DDCI_EUSAGE);
	assert_int_equal(ddci_spool_read(&e, dir, ""), DDCI_EUSAGE);
	assert_int_equal(ddci_spool_read(&e, dir, NULL), DDCI_EUSAGE);
	assert_int_not_equal(ddci_spool_read(&e, dir, "ev-missing.json"), 0);
	write_raw("bad.json", "{not json");
	assert_int_equal(ddci_spool_read(&e, dir, "bad.json"), DDCI_EIO);
	write_raw("v2.json", "{\"v\":2,\"method\":\"POST\",\"path\":\"/x\",\"queued_ns\":1,\"body\":\"{}\"}");
	assert_int_equal(ddci_spool_read(&e, dir, "v2.json"), DDCI_EIO);
	write_raw("nomethod.json", "{\"v\":1,\"path\":\"/x\",\"queued_ns\":1,\"body\":\"{}\"}");
	assert_int_equal(ddci_spool_read(&e, dir, "nomethod.json"), DDCI_EIO);
	assert_null(e.name);
	snprintf(target, sizeof(target), "%s/secret.txt", root);
	write_raw("../../../secret.txt", "{\"v\":1,\"method\":\"POST\",\"path\":\"/x\",\"queued_ns\":1}");
	snprintf(link, sizeof(link), "%s/ln.json", dir);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(ddci_spool_read(&e, dir, "ln.json"), DDCI_EIO);
	/* An exact int64 queued_ns, beyond double precision. */
	write_raw("big.json",
		  "{\"v\":1,\"method\":\"POST\",\"path\":\"/x\",\"queued_ns\":1795639027123456789,\"body\":\"\"}");
	assert_int_equal(ddci_spool_read(&e, dir, "big.json"), 0);
	assert_true(e.queued_ns == INT64_C(1795639027123456789));
	assert_string_equal(e.body, "");
	ddci_spool_entry_release(&e);
}

static void test_spool__flush_missing_dir_is_empty(void **state)
{
	struct ddci_flush_stats st = { 9, 9, 9, 9 };

	(void)state;
	assert_int_equal(flush(&st, NULL, dir), 0);
	assert_int_equal(st.found, 0);
	assert_int_equal(st.sent, 0);
	assert_int_equal(ncalls, 0);
	assert_int_equal(flush(&st, NULL, NULL), DDCI_EUSAGE);
	/* Found by the soak test: an existing spool with nothing queued (only
	 * its lock file) flushes to nothing, without qsort(NULL, 0) (UB). */
	char empty[300];
	snprintf(empty, sizeof(empty), "%s/empty", root);
	assert_int_equal(mkdir(empty, 0700), 0);
	assert_int_equal(flush(&st, NULL, empty), 0);
	assert_int_equal(flush(&st, NULL, empty), 0);
	assert_int_equal(st.found, 0);
	assert_int_equal(ncalls, 0);
}

static void spool_at(const char *name, int64_t queued_ns, const char *method, const char *path, const char *body)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\"v\":1,\"method\":\"%s\",\"path\":\"%s\",\"queued_ns\":%lld,\"event_id\":\"e\",\"body\":\"%s\"}",
		 method, path, (long long)queued_ns, body);
	write_raw(name, text);
}

static void test_spool__flush_sends_oldest_first_and_deletes(void **state)
{
	struct ddci_flush_stats st;

	(void)state;
	assert_int_equal(write_event(NULL, dir, "first", "POST", "/api/v2/dora/deployment",
					  "{\"started_at\":1795639027123456789}"), 0);
	spool_at("ev-aaa.json", 3000, "POST", "/api/v2/dora/failure", "{\\\"n\\\":3}");
	spool_at("ev-zzz.json", 2000, "PATCH", "/api/v2/dora/deployments/d1", "{\\\"n\\\":2}");
	spool_at("ev-bbb.json", 3000, "POST", "/api/v2/dora/failure", "{\\\"n\\\":4}");
	write_raw("notes.txt", "not an event");
	assert_int_equal(flush(&st, NULL, dir), 0);
	assert_int_equal(st.found, 4);
	assert_int_equal(st.sent, 4);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(ncalls, 4);
	assert_string_equal(calls[0].method, "PATCH");
	assert_string_equal(calls[0].path, "/api/v2/dora/deployments/d1");
	assert_int_equal(calls[0].flags, DDCI_CALL_RETRY | DDCI_CALL_APP_KEY);
	assert_string_equal(calls[0].body, "{\"n\":2}");
	assert_string_equal(calls[1].body, "{\"n\":3}");
	assert_string_equal(calls[2].body, "{\"n\":4}");
	assert_int_equal(calls[1].flags, DDCI_CALL_RETRY);
	assert_string_equal(calls[3].path, "/api/v2/dora/deployment");
	/* The int64 went out as written, not as 1.795639027e+18. */
	assert_string_equal(calls[3].body, "{\"started_at\":1795639027123456789}");
	assert_int_equal(calls[3].flags & DDCI_CALL_SPOOL, 0);
	assert_int_equal(count_files(dir, ".json"), 0);
	assert_int_equal(count_files(dir, ".txt"), 1);
}

static void test_spool__flush_sets_rejected_aside_and_stops_when_unavailable(void **state)
{
	struct ddci_flush_stats st;
	char rej[256];

	(void)state;
	spool_at("ev-1.json", 1, "POST", "/api/v2/dora/failure", "{}");
	spool_at("ev-2.json", 2, "POST", "/api/v2/dora/failure", "{}");
	spool_at("ev-3.json", 3, "POST", "/api/v2/dora/failure", "{}");
	spool_at("ev-4.json", 4, "POST", "/api/v2/dora/failure", "{}");
	script[0] = 0;
	script[1] = DDCI_EREJECT;
	script[2] = DDCI_EUNAVAIL;
	assert_int_equal(flush(&st, NULL, dir), DDCI_EUNAVAIL);
	assert_int_equal(ncalls, 3);
	assert_int_equal(st.found, 4);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.failed, 1);
	assert_non_null(strstr(ddci_error_last(), "ev-3.json"));
	snprintf(rej, sizeof(rej), "%s/rejected", dir);
	assert_int_equal(count_files(rej, "ev-2.json"), 1);
	assert_int_equal(count_files(dir, ".json"), 2); /* ev-3 and ev-4 wait */

	/* Next time Datadog is back: the rest goes, in order. */
	memset(script, 0, sizeof(script));
	ncalls = 0;
	assert_int_equal(flush(&st, NULL, dir), 0);
	assert_int_equal(st.found, 2);
	assert_int_equal(st.sent, 2);
	assert_int_equal(count_files(dir, ".json"), 0);
	assert_int_equal(count_files(rej, ".json"), 1);
}

static void test_spool__flush_reports_rejection_but_goes_on(void **state)
{
	struct ddci_flush_stats st;

	(void)state;
	spool_at("ev-1.json", 1, "POST", "/api/v2/dora/failure", "{}");
	spool_at("ev-2.json", 2, "POST", "/api/v2/dora/failure", "{}");
	script[0] = DDCI_EREJECT;
	assert_int_equal(flush(&st, NULL, dir), DDCI_EREJECT);
	assert_int_equal(ncalls, 2);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.rejected, 1);
	assert_non_null(strstr(ddci_error_last(), "scripted failure -4"));
	assert_non_null(strstr(ddci_error_last(), "ev-1.json"));
}

static void test_spool__flush_sets_corrupt_files_aside(void **state)
{
	struct ddci_flush_stats st;
	char rej[256];

	(void)state;
	spool_at("ev-1.json", 1, "POST", "/api/v2/dora/failure", "{}");
	write_raw("ev-0.json", "garbage");
	spool_at("ev-2.json", 2, "POST", "/api/v2/dora/failure", "{not json");
	assert_int_equal(flush(&st, NULL, dir), DDCI_EIO);
	assert_int_equal(ncalls, 1);
	assert_int_equal(st.found, 3);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.failed, 2);
	snprintf(rej, sizeof(rej), "%s/rejected", dir);
	assert_int_equal(count_files(rej, "ev-0.json"), 1);
	assert_int_equal(count_files(dir, ".json"), 1); /* ev-2: body not JSON, kept */
}

static void test_spool__flush_dry_run_keeps_files(void **state)
{
	struct ddci_flush_stats st;

	(void)state;
	spool_at("ev-1.json", 1, "POST", "/api/v2/dora/failure", "{}");
	script[0] = DDCI_DRY_RUN;
	assert_int_equal(flush(&st, NULL, dir), 0);
	assert_int_equal(ncalls, 1);
	assert_int_equal(st.sent, 0);
	assert_int_equal(count_files(dir, ".json"), 1);
}

static void test_spool__flush_waits_for_lock_until_deadline(void **state)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_client c;
	char lock[256];
	int fd;
	int64_t t0;

	(void)state;
	spool_at("ev-1.json", 1, "POST", "/api/v2/dora/failure", "{}");
	snprintf(lock, sizeof(lock), "%s/.lock", dir);
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	memset(&c, 0, sizeof(c));
	c.cfg = &cfg;
	t0 = ddci_time_mono_ns();
	cfg.deadline_mono_ns = t0 + 200 * INT64_C(1000000);
	assert_int_equal(flush(NULL, &c, dir), DDCI_EUNAVAIL);
	assert_true(ddci_time_mono_ns() - t0 >= 200 * INT64_C(1000000));
	assert_non_null(strstr(ddci_error_last(), "another flush"));
	assert_int_equal(ncalls, 0);
	close(fd);
	cfg.deadline_mono_ns = ddci_time_mono_ns() + DDCI_NS_PER_SEC;
	assert_int_equal(flush(NULL, &c, dir), 0);
	assert_int_equal(ncalls, 1);
}


/* The API module's choices travel with the event: the file records the
 * rate-limit family and the keys the endpoint needs (never a key). */
static void test_spool__file_records_family_and_auth(void **state)
{
	struct ddci_spool_event ev = { "PATCH", "/api/v2/dora/deployments/d1", "{}", "id-1", DDCI_FAMILY_DORA, 1 };
	struct ddci_spool_entry e;
	char *name = NULL, path[256];
	const char *text;

	(void)state;
	assert_int_equal(ddci_spool_write(&name, dir, &ev), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = slurp(path);
	assert_non_null(strstr(text, "\"family\":\"dora\""));
	assert_non_null(strstr(text, "\"auth\":\"api+app\""));
	assert_null(strstr(text, "key"));
	assert_int_equal(ddci_spool_read(&e, dir, name), 0);
	assert_string_equal(e.family, "dora");
	assert_int_equal(e.app_key, 1);
	assert_string_equal(e.event_id, "id-1");
	ddci_spool_entry_release(&e);
	free(name);

	/* An older file says neither. */
	spool_at("ev-old.json", 1, "POST", "/api/v2/dora/failure", "{}");
	assert_int_equal(ddci_spool_read(&e, dir, "ev-old.json"), 0);
	assert_null(e.family);
	assert_int_equal(e.app_key, -1);
	ddci_spool_entry_release(&e);
}

/* Flush sends what the file recorded, not what the path suggests; files
 * from before the fields existed get them from the classifier. */
static void test_flush__sends_recorded_family_and_auth(void **state)
{
	struct ddci_flush_stats st;

	(void)state;
	write_raw("ev-1.json", "{\"v\":1,\"method\":\"POST\",\"path\":\"/api/v2/dora/failure\",\"queued_ns\":1,"
			       "\"family\":\"other-family\",\"auth\":\"api+app\",\"body\":\"{}\"}");
	spool_at("ev-2.json", 2, "PATCH", "/api/v2/dora/deployments/d1", "{}");
	write_raw("ev-3.json", "{\"v\":1,\"method\":\"POST\",\"path\":\"/api/v2/cases/x\",\"queued_ns\":3,"
			       "\"auth\":\"api\",\"body\":\"{}\"}");
	assert_int_equal(flush(&st, NULL, dir), 0);
	assert_int_equal(ncalls, 3);
	assert_string_equal(calls[0].family, "other-family");
	assert_int_equal(calls[0].flags, DDCI_CALL_RETRY | DDCI_CALL_APP_KEY);
	assert_string_equal(calls[1].family, "dora");
	assert_int_equal(calls[1].flags, DDCI_CALL_RETRY | DDCI_CALL_APP_KEY);
	assert_string_equal(calls[2].family, "cases");
	assert_int_equal(calls[2].flags, DDCI_CALL_RETRY);

	/* Without a classifier, an older file goes with the API key only. */
	ncalls = 0;
	spool_at("ev-4.json", 4, "PATCH", "/api/v2/dora/deployments/d1", "{}");
	assert_int_equal(ddci_flush(&st, NULL, dir, NULL), 0);
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0].family, "(none)");
	assert_int_equal(calls[0].flags, DDCI_CALL_RETRY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spool__write_then_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__same_event_overwrites_and_keeps_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__write_keeps_callers_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__file_holds_no_key_and_no_id_in_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__refuses_unsafe_directories, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__read_rejects_bad_names_and_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__flush_missing_dir_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__flush_sends_oldest_first_and_deletes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__flush_sets_rejected_aside_and_stops_when_unavailable,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__flush_reports_rejection_but_goes_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__flush_sets_corrupt_files_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__flush_dry_run_keeps_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__flush_waits_for_lock_until_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool__file_records_family_and_auth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush__sends_recorded_family_and_auth, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
