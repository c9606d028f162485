/* spool.c — the on-disk store of undeliverable events (see ddci/spool.h).
 *
 * A file is {"v":1,"method":..,"path":..,"queued_ns":N,"event_id":..,
 * "family":..,"auth":"api"|"api+app","body":"<the JSON body as a string>"}
 * named ev-<24 hex>.json (files written before "family" and "auth" were
 * recorded lack them; ddci/flush.h derives them), the hex
 * being SHA-256 over method, path and event id, so spooling the same event
 * again replaces its file (keeping the first queued_ns, which orders the
 * queue).  Everything is done relative to one directory descriptor opened
 * with O_NOFOLLOW after checking the directory is ours and private.
 */
#include "ddci/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ddci/buf.h"
#include "ddci/hash.h"
#include "ddci/timeutil.h"

#define SPOOL_FILE_MAX DDCI_BUF_DEFAULT_MAX
#define LOCK_POLL_NS (50 * INT64_C(1000000))
#define REJECTED_DIR "rejected"
#define CLAIMED ".claimed-"     /* + the event's name: being sent by a flush */
#define TMP_PREFIX ".tmp-"      /* a writer's file before its rename */
#define TMP_STALE_NS (15 * 60 * INT64_C(1000000000)) /* a writer takes milliseconds */

/* dir without trailing slashes ("dir/" would follow a symlink). */
static char *tidy_dir(const char *dir)
{
	size_t n = strlen(dir);
	char *s;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	s = malloc(n + 1);
	if (s) {
		memcpy(s, dir, n);
		s[n] = '\0';
	}
	return s;
}

static int mkdir_p(const char *dir)
{
	char *p, *s = strdup(dir);
	int err = 0;

	if (!s)
		return ddci_error_oom();
	for (p = s + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(s, 0700) < 0 && errno != EEXIST) {
			err = ddci_error_set(DDCI_EIO, "cannot create spool directory '%s': %s", s,
					     strerror(errno));
			goto done;
		}
		*p = '/';
	}
	if (mkdir(s, 0700) < 0 && errno != EEXIST)
		err = ddci_error_set(DDCI_EIO, "cannot create spool directory '%s': %s", s,
				     strerror(errno));
done:
	free(s);
	return err;
}

/* Opens the spool directory into *out_fd after checking that it is a real
 * directory (not a symlink), owned by us and not writable by others.  With
 * `create` it is made (0700) when missing; without, a missing directory is
 * DDCI_EIO with *missing set (when missing is given). */
static int open_dir(int *out_fd, int *missing, const char *dir, int create)
{
	struct stat st;
	int fd = -1;

	*out_fd = -1;
	if (missing)
		*missing = 0;
	if (!dir || !*dir)
		return ddci_error_set(DDCI_EUSAGE, "no spool directory given (--spool or DDCI_SPOOL_DIR)");
	if (lstat(dir, &st) < 0) {
		int e = errno;

		if (e == ENOENT && create) {
			int err = mkdir_p(dir);

			if (err)
				return err;
		} else {
			if (e == ENOENT && missing)
				*missing = 1;
			return ddci_error_set(DDCI_EIO, "cannot use spool directory '%s': %s", dir, strerror(e));
		}
	} else if (S_ISLNK(st.st_mode)) {
		return ddci_error_set(DDCI_EIO, "spool directory '%s' is a symlink; refusing to use it", dir);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ddci_error_set(DDCI_EIO, "cannot open spool directory '%s': %s", dir, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return ddci_error_set(DDCI_EIO, "cannot stat spool directory '%s': %s", dir, strerror(e));
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return ddci_error_set(DDCI_EIO, "spool directory '%s' is not owned by the current user", dir);
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		close(fd);
		return ddci_error_set(DDCI_EIO,
				      "spool directory '%s' is writable by group or others (chmod 700 it)", dir);
	}
	*out_fd = fd;
	return 0;
}

static int name_ok(const char *name)
{
	return name && name[0] && name[0] != '.' && !strchr(name, '/');
}

/* Reads a whole regular file (no symlinks) below dfd. */
static int slurp(struct ddci_buf *b, int dfd, const char *name, const char *dir)
{
	struct stat st;
	char chunk[8192];
	int fd, err = 0;
	ssize_t n;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ddci_error_set(errno == ENOENT ? DDCI_EUSAGE : DDCI_EIO,
				      "cannot read spool file '%s/%s': %s", dir, name, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err = ddci_error_set(DDCI_EIO, "spool file '%s/%s' is not a regular file", dir, name);
		goto done;
	}
	ddci_buf_init(b, SPOOL_FILE_MAX);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = ddci_error_set(DDCI_EIO, "cannot read spool file '%s/%s': %s", dir, name,
					     strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		err = ddci_buf_add(b, chunk, (size_t)n);
		if (err) {
			ddci_error_wrap(err, "spool file '%s/%s'", dir, name);
			goto done;
		}
	}
done:
	close(fd);
	return err;
}

static int dup_str(char **out, const cJSON *obj, const char *key, int required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v && !required)
		return 0;
	if (!cJSON_IsString(v))
		return -1;
	*out = strdup(v->valuestring);
	return *out ? 0 : DDCI_ENOMEM;
}

/* The fields of a parsed file into e (text: the file, for queued_ns). */
static int take_fields(struct ddci_spool_entry *e, const cJSON *root, const char *text)
{
	const cJSON *auth = cJSON_GetObjectItemCaseSensitive(root, "auth");
	const char *raw;
	int err;

	/* cJSON keeps numbers as double: read the exact integer from the text
	 * ("queued_ns": cannot occur inside a JSON string: quotes are escaped). */
	raw = strstr(text, "\"queued_ns\":");
	e->queued_ns = raw ? strtoll(raw + 12, NULL, 10)
			   : (int64_t)cJSON_GetObjectItemCaseSensitive(root, "queued_ns")->valuedouble;
	err = dup_str(&e->method, root, "method", 1);
	if (!err)
		err = dup_str(&e->path, root, "path", 1);
	if (!err)
		err = dup_str(&e->body, root, "body", 0);
	if (!err)
		err = dup_str(&e->event_id, root, "event_id", 0);
	if (!err)
		err = dup_str(&e->family, root, "family", 0);
	e->app_key = -1;
	if (!err && auth && !cJSON_IsString(auth))
		err = -1;
	else if (cJSON_IsString(auth))
		e->app_key = strcmp(auth->valuestring, "api+app") == 0;
	return err;
}

/* Reads file `file` (the event's own name, or its claimed name) as the
 * event `name`. */
static int read_file_at(struct ddci_spool_entry *e, int dfd, const char *dir, const char *name, const char *file)
{
	struct ddci_buf text = DDCI_BUF_INIT;
	cJSON *root = NULL;
	const cJSON *v, *q;
	int err;

	memset(e, 0, sizeof(*e));
	if (!name_ok(name))
		return ddci_error_set(DDCI_EUSAGE, "invalid spool file name '%s'", name ? name : "");
	err = slurp(&text, dfd, file, dir);
	if (err)
		goto done;
	root = cJSON_ParseWithLength(ddci_buf_str(&text), text.len);
	v = cJSON_GetObjectItemCaseSensitive(root, "v");
	q = cJSON_GetObjectItemCaseSensitive(root, "queued_ns");
	if (!cJSON_IsObject(root) || !cJSON_IsNumber(v) || v->valuedouble != 1 || !cJSON_IsNumber(q)) {
		err = ddci_error_set(DDCI_EIO, "spool file '%s/%s' is not a version 1 spool file", dir, name);
		goto done;
	}
	err = take_fields(e, root, ddci_buf_str(&text));
	if (!err && !(e->name = strdup(name)))
		err = DDCI_ENOMEM;
	if (err == DDCI_ENOMEM)
		err = ddci_error_oom();
	else if (err || !e->method[0] || e->path[0] != '/')
		err = ddci_error_set(DDCI_EIO, "spool file '%s/%s' lacks a method, path or body", dir, name);
done:
	if (err)
		ddci_spool_entry_release(e);
	cJSON_Delete(root);
	ddci_buf_release(&text);
	return err;
}

static int read_at(struct ddci_spool_entry *e, int dfd, const char *dir, const char *name)
{
	return read_file_at(e, dfd, dir, name, name);
}

/* ".claimed-<name>" */
static void claimed_name(char *out, size_t size, const char *name)
{
	snprintf(out, size, CLAIMED "%s", name);
}

struct ddci_spool {
	char *dir;      /* without trailing slashes */
	int dfd;
	int lockfd;
};

void ddci_spool_close(struct ddci_spool *s)
{
	if (!s)
		return;
	if (s->lockfd >= 0)
		close(s->lockfd); /* releases the lock */
	if (s->dfd >= 0)
		close(s->dfd);
	free(s->dir);
	free(s);
}

/* Opens dir (created when `create`); *missing as for open_dir(). */
static int spool_open(struct ddci_spool **out, int *missing, const char *dir, int create)
{
	struct ddci_spool *s = calloc(1, sizeof(*s));
	int err;

	*out = NULL;
	if (!s || (dir && !(s->dir = tidy_dir(dir)))) {
		free(s);
		return ddci_error_oom();
	}
	s->lockfd = -1;
	err = open_dir(&s->dfd, missing, s->dir, create);
	if (err) {
		ddci_spool_close(s);
		return err;
	}
	*out = s;
	return 0;
}

int ddci_spool_open(struct ddci_spool **out, const char *dir)
{
	int missing = 0, err = spool_open(out, &missing, dir, 0);

	if (err && missing) { /* nothing was ever spooled */
		ddci_error_clear();
		err = 0;
	}
	return err;
}

const char *ddci_spool_dir(const struct ddci_spool *s)
{
	return s->dir;
}

int ddci_spool_load(struct ddci_spool_entry *e, struct ddci_spool *s, const char *name)
{
	return read_at(e, s->dfd, s->dir, name);
}

int ddci_spool_read(struct ddci_spool_entry *e, const char *dir, const char *name)
{
	struct ddci_spool *s = NULL;
	int err;

	memset(e, 0, sizeof(*e));
	err = spool_open(&s, NULL, dir, 0);
	if (!err)
		err = ddci_spool_load(e, s, name);
	ddci_spool_close(s);
	return err;
}

void ddci_spool_entry_release(struct ddci_spool_entry *e)
{
	if (!e)
		return;
	free(e->name);
	free(e->method);
	free(e->path);
	free(e->body);
	free(e->event_id);
	free(e->family);
	memset(e, 0, sizeof(*e));
}

/* "ev-" + 24 hex of SHA-256(method \n path \n event id) + ".json". */
static void file_name(char out[40], const char *event_id, const char *method, const char *path)
{
	struct ddci_sha256 c;
	unsigned char d[32];
	static const char hex[] = "0123456789abcdef";
	int i;

	ddci_sha256_init(&c);
	ddci_sha256_update(&c, method, strlen(method));
	ddci_sha256_update(&c, "\n", 1);
	ddci_sha256_update(&c, path, strlen(path));
	ddci_sha256_update(&c, "\n", 1);
	ddci_sha256_update(&c, event_id, strlen(event_id));
	ddci_sha256_final(d, &c);
	memcpy(out, "ev-", 3);
	for (i = 0; i < 12; i++) {
		out[3 + 2 * i] = hex[d[i] >> 4];
		out[4 + 2 * i] = hex[d[i] & 15];
	}
	memcpy(out + 27, ".json", 6);
}

static void add_json_str(struct ddci_buf *b, const char *key, const char *value)
{
	ddci_buf_addf(b, ",\"%s\":\"", key);
	ddci_buf_add_json_escaped(b, value);
	ddci_buf_addc(b, '"');
}

/* The file's text (the buffer's first error, checked once). */
static int format_event(struct ddci_buf *text, const struct ddci_spool_event *ev, int64_t queued_ns)
{
	ddci_buf_adds(text, "{\"v\":1");
	add_json_str(text, "method", ev->method);
	add_json_str(text, "path", ev->path);
	ddci_buf_addf(text, ",\"queued_ns\":%" PRId64, queued_ns);
	if (ev->event_id && *ev->event_id)
		add_json_str(text, "event_id", ev->event_id);
	if (ev->family && *ev->family)
		add_json_str(text, "family", ev->family);
	add_json_str(text, "auth", ev->app_key ? "api+app" : "api");
	add_json_str(text, "body", ev->body ? ev->body : "");
	ddci_buf_adds(text, "}\n");
	return ddci_buf_error(text);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes text to a temp file in s and renames it to `name`. */
static int replace_file(struct ddci_spool *s, const char *name, const struct ddci_buf *text)
{
	static unsigned counter;
	char tmp[96];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%s-%ld-%u", name, (long)getpid(), counter++);
	fd = openat(s->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ddci_error_set(DDCI_EIO, "cannot create spool file in '%s': %s", s->dir, strerror(errno));
	if (write_all(fd, text->ptr, text->len) < 0 || fsync(fd) < 0) {
		err = ddci_error_set(DDCI_EIO, "cannot write spool file in '%s': %s", s->dir, strerror(errno));
		close(fd);
	} else if (close(fd) < 0) {
		err = ddci_error_set(DDCI_EIO, "cannot write spool file in '%s': %s", s->dir, strerror(errno));
	} else if (renameat(s->dfd, tmp, s->dfd, name) < 0) {
		err = ddci_error_set(DDCI_EIO, "cannot rename spool file in '%s': %s", s->dir, strerror(errno));
	} else {
		(void)fsync(s->dfd); /* make the rename durable; best effort */
		return 0;
	}
	unlinkat(s->dfd, tmp, 0);
	return err;
}

int ddci_spool_write(char **out_name, const char *dir, const struct ddci_spool_event *ev)
{
	struct ddci_buf text = DDCI_BUF_INIT;
	struct ddci_spool_entry old = { 0 };
	struct ddci_spool *s = NULL;
	char name[40], saved[1024];
	int err;
	int64_t queued_ns;

	if (out_name)
		*out_name = NULL;
	/* The caller's message (why we spool) must survive a successful write. */
	snprintf(saved, sizeof(saved), "%s", ddci_error_last());
	if (!ev->method || !*ev->method || !ev->path || ev->path[0] != '/')
		return ddci_error_set(DDCI_EUSAGE, "cannot spool a request without a method and path");
	err = spool_open(&s, NULL, dir, 1);
	if (err)
		goto done;
	/* Without an id, the body identifies the event. */
	file_name(name, ev->event_id && *ev->event_id ? ev->event_id : (ev->body ? ev->body : ""), ev->method,
		  ev->path);

	/* Re-spooling keeps the event's place in the queue. */
	queued_ns = ddci_time_now_ns();
	if (read_at(&old, s->dfd, s->dir, name) == 0)
		queued_ns = old.queued_ns;
	err = format_event(&text, ev, queued_ns);
	if (!err)
		err = replace_file(s, name, &text);
	if (err)
		goto done;
	if (out_name && !(*out_name = strdup(name)))
		err = ddci_error_oom();
	else
		ddci_error_set(0, "%s", saved);
done:
	ddci_spool_close(s);
	ddci_spool_entry_release(&old);
	ddci_buf_release(&text);
	return err;
}

int ddci_spool_lock(struct ddci_spool *s, int64_t deadline_mono_ns)
{
	int fd = openat(s->dfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return ddci_error_set(DDCI_EIO, "cannot open '%s/.lock': %s", s->dir, strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = { 0, LOCK_POLL_NS };

		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			int e = errno;

			close(fd);
			return ddci_error_set(DDCI_EIO, "cannot lock '%s/.lock': %s", s->dir, strerror(e));
		}
		if (ddci_time_mono_ns() >= deadline_mono_ns) {
			close(fd);
			return ddci_error_set(DDCI_EUNAVAIL,
					      "timed out waiting for another flush of '%s' to finish", s->dir);
		}
		nanosleep(&ts, NULL);
	}
	s->lockfd = fd;
	return 0;
}

struct queued {
	char *name;
	int64_t queued_ns;
};

static int by_time_then_name(const void *a, const void *b)
{
	const struct queued *x = a, *y = b;

	if (x->queued_ns != y->queued_ns)
		return x->queued_ns < y->queued_ns ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int is_spool_name(const char *name)
{
	size_t n = strlen(name);

	return name_ok(name) && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

int ddci_spool_reject(struct ddci_spool *s, const char *name)
{
	char to[300];

	if (mkdirat(s->dfd, REJECTED_DIR, 0700) < 0 && errno != EEXIST)
		return ddci_error_set(DDCI_EIO, "cannot create '%s/%s': %s", s->dir, REJECTED_DIR,
				      strerror(errno));
	snprintf(to, sizeof(to), "%s/%s", REJECTED_DIR, name);
	if (renameat(s->dfd, name, s->dfd, to) < 0)
		return ddci_error_set(DDCI_EIO, "cannot move '%s/%s' to '%s/': %s", s->dir, name,
				      REJECTED_DIR, strerror(errno));
	return 0;
}

int ddci_spool_claim(struct ddci_spool *s, const char *name)
{
	char claimed[300];

	if (!name_ok(name))
		return ddci_error_set(DDCI_EUSAGE, "invalid spool file name '%s'", name ? name : "");
	claimed_name(claimed, sizeof(claimed), name);
	if (renameat(s->dfd, name, s->dfd, claimed) == 0)
		return 1;
	if (errno == ENOENT)
		return 0; /* taken meanwhile */
	return ddci_error_set(DDCI_EIO, "cannot claim '%s/%s': %s", s->dir, name, strerror(errno));
}

int ddci_spool_load_claimed(struct ddci_spool_entry *e, struct ddci_spool *s, const char *name)
{
	char claimed[300];

	claimed_name(claimed, sizeof(claimed), name);
	return read_file_at(e, s->dfd, s->dir, name, claimed);
}

/* Back in the queue under its name, unless a newer version of the event
 * was spooled meanwhile (link() never replaces): then this one goes. */
static int unclaim(struct ddci_spool *s, const char *claimed, const char *name)
{
	if (linkat(s->dfd, claimed, s->dfd, name, 0) < 0 && errno != EEXIST)
		return ddci_error_set(DDCI_EIO, "cannot put '%s/%s' back in the queue: %s", s->dir, name,
				      strerror(errno));
	if (unlinkat(s->dfd, claimed, 0) < 0 && errno != ENOENT)
		return ddci_error_set(DDCI_EIO, "cannot remove '%s/%s': %s", s->dir, claimed, strerror(errno));
	return 0;
}

int ddci_spool_finish(struct ddci_spool *s, const char *name, enum ddci_spool_outcome how)
{
	char claimed[300], to[300];

	claimed_name(claimed, sizeof(claimed), name);
	switch (how) {
	case DDCI_SPOOL_SENT: /* only the version sent: a newer one stays queued */
		if (unlinkat(s->dfd, claimed, 0) < 0 && errno != ENOENT)
			return ddci_error_set(DDCI_EIO, "sent but cannot remove '%s/%s': %s", s->dir, claimed,
					      strerror(errno));
		return 0;
	case DDCI_SPOOL_REJECTED:
		if (mkdirat(s->dfd, REJECTED_DIR, 0700) < 0 && errno != EEXIST)
			return ddci_error_set(DDCI_EIO, "cannot create '%s/%s': %s", s->dir, REJECTED_DIR,
					      strerror(errno));
		snprintf(to, sizeof(to), "%s/%s", REJECTED_DIR, name);
		if (renameat(s->dfd, claimed, s->dfd, to) < 0)
			return ddci_error_set(DDCI_EIO, "cannot move '%s/%s' to '%s/': %s", s->dir, name,
					      REJECTED_DIR, strerror(errno));
		return 0;
	default:
		return unclaim(s, claimed, name);
	}
}

/* Before listing, under the lock: files a crashed flush had claimed go
 * back in the queue, and a crashed writer's temp files older than
 * TMP_STALE_NS are removed. */
static void tidy(struct ddci_spool *s, const char *file)
{
	struct stat st;

	if (!strncmp(file, CLAIMED, strlen(CLAIMED)) && name_ok(file + strlen(CLAIMED))) {
		(void)unclaim(s, file, file + strlen(CLAIMED));
	} else if (!strncmp(file, TMP_PREFIX, strlen(TMP_PREFIX)) &&
		   fstatat(s->dfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		   ddci_time_now_ns() - (int64_t)st.st_mtime * INT64_C(1000000000) > TMP_STALE_NS) {
		(void)unlinkat(s->dfd, file, 0);
	}
}

/* Adds one file to the list, or sets it aside when it cannot be read. */
static int list_one(struct ddci_spool_queue *q, struct queued **items, size_t *cap, struct ddci_spool *s,
		    const char *name)
{
	struct ddci_spool_entry e;
	struct queued *grown;
	int rc;

	q->found++;
	rc = read_at(&e, s->dfd, s->dir, name);
	if (rc == DDCI_ENOMEM)
		return rc;
	if (rc) {
		/* A file we cannot read would fail every flush: set it aside. */
		q->unreadable++;
		if (!q->first_err) {
			q->first_err = rc;
			snprintf(q->first_msg, sizeof(q->first_msg), "%s", ddci_error_last());
		}
		(void)ddci_spool_reject(s, name);
		return 0;
	}
	if (q->count == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		grown = realloc(*items, *cap * sizeof(**items));
		if (!grown) {
			ddci_spool_entry_release(&e);
			return ddci_error_oom();
		}
		*items = grown;
	}
	(*items)[q->count].name = e.name;
	(*items)[q->count].queued_ns = e.queued_ns;
	e.name = NULL;
	q->count++;
	ddci_spool_entry_release(&e);
	return 0;
}

int ddci_spool_list(struct ddci_spool_queue *q, struct ddci_spool *s)
{
	struct queued *items = NULL;
	size_t cap = 0, i;
	struct dirent *de;
	DIR *dh = NULL;
	int fd, err = 0;

	memset(q, 0, sizeof(*q));
	fd = dup(s->dfd);
	if (fd < 0 || !(dh = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return ddci_error_set(DDCI_EIO, "cannot list spool directory '%s': %s", s->dir, strerror(errno));
	}
	while ((de = readdir(dh)) != NULL)
		if (de->d_name[0] == '.')
			tidy(s, de->d_name);
	rewinddir(dh);
	while (!err && (de = readdir(dh)) != NULL)
		if (is_spool_name(de->d_name))
			err = list_one(q, &items, &cap, s, de->d_name);
	closedir(dh);
	if (!err && q->count) { /* items is NULL for an empty spool: qsort must not see it */
		qsort(items, q->count, sizeof(*items), by_time_then_name);
		q->names = calloc(q->count, sizeof(*q->names));
		if (!q->names)
			err = ddci_error_oom();
	}
	for (i = 0; i < q->count; i++) {
		if (q->names)
			q->names[i] = items[i].name;
		else
			free(items[i].name);
	}
	free(items);
	if (err)
		ddci_spool_queue_release(q);
	return err;
}

void ddci_spool_queue_release(struct ddci_spool_queue *q)
{
	if (!q)
		return;
	for (size_t i = 0; q->names && i < q->count; i++)
		free(q->names[i]);
	free(q->names);
	q->names = NULL;
	q->count = 0;
}
