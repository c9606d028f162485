/* spool.c — the on-disk queue of undeliverable events (see ddci/spool.h).
 *
 * A file is {"v":1,"method":..,"path":..,"queued_ns":N,"event_id":..,
 * "body":"<the JSON body as a string>"} named ev-<24 hex>.json, the hex
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
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ddci/buf.h"
#include "ddci/client.h"
#include "ddci/hash.h"
#include "ddci/timeutil.h"

#define SPOOL_FILE_MAX DDCI_BUF_DEFAULT_MAX
#define LOCK_WAIT_DEFAULT_NS (30 * DDCI_NS_PER_SEC)
#define LOCK_POLL_NS (50 * INT64_C(1000000))
#define REJECTED_DIR "rejected"

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
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
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

static int read_at(struct ddci_spool_entry *e, char **event_id, int dfd, const char *dir, const char *name)
{
	struct ddci_buf text = DDCI_BUF_INIT;
	cJSON *root = NULL;
	const cJSON *v, *q;
	const char *raw;
	int err;

	memset(e, 0, sizeof(*e));
	if (event_id)
		*event_id = NULL;
	if (!name_ok(name))
		return ddci_error_set(DDCI_EUSAGE, "invalid spool file name '%s'", name ? name : "");
	err = slurp(&text, dfd, name, dir);
	if (err)
		goto done;
	root = cJSON_ParseWithLength(ddci_buf_str(&text), text.len);
	v = cJSON_GetObjectItemCaseSensitive(root, "v");
	q = cJSON_GetObjectItemCaseSensitive(root, "queued_ns");
	if (!cJSON_IsObject(root) || !cJSON_IsNumber(v) || v->valuedouble != 1 || !cJSON_IsNumber(q)) {
		err = ddci_error_set(DDCI_EIO, "spool file '%s/%s' is not a version 1 spool file", dir, name);
		goto done;
	}
	/* cJSON keeps numbers as double: read the exact integer from the text
	 * ("queued_ns": cannot occur inside a JSON string: quotes are escaped). */
	raw = strstr(ddci_buf_str(&text), "\"queued_ns\":");
	e->queued_ns = raw ? strtoll(raw + 12, NULL, 10) : (int64_t)q->valuedouble;
	err = dup_str(&e->method, root, "method", 1);
	if (!err)
		err = dup_str(&e->path, root, "path", 1);
	if (!err)
		err = dup_str(&e->body, root, "body", 0);
	if (!err && event_id)
		err = dup_str(event_id, root, "event_id", 0);
	if (!err && !(e->name = strdup(name)))
		err = DDCI_ENOMEM;
	if (err == DDCI_ENOMEM)
		err = ddci_error_set(DDCI_ENOMEM, "out of memory");
	else if (err || !e->method[0] || e->path[0] != '/')
		err = ddci_error_set(DDCI_EIO, "spool file '%s/%s' lacks a method, path or body", dir, name);
done:
	if (err) {
		ddci_spool_entry_release(e);
		if (event_id) {
			free(*event_id);
			*event_id = NULL;
		}
	}
	cJSON_Delete(root);
	ddci_buf_release(&text);
	return err;
}

int ddci_spool_read(struct ddci_spool_entry *e, const char *dir, const char *name)
{
	char *d = NULL;
	int dfd = -1, err;

	memset(e, 0, sizeof(*e));
	d = dir ? tidy_dir(dir) : NULL;
	if (dir && !d)
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
	err = open_dir(&dfd, NULL, d, 0);
	if (!err)
		err = read_at(e, NULL, dfd, d, name);
	if (dfd >= 0)
		close(dfd);
	free(d);
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

static int add_json_str(struct ddci_buf *b, const char *key, const char *value)
{
	int err = ddci_buf_addf(b, ",\"%s\":\"", key);

	if (!err)
		err = ddci_buf_add_json_escaped(b, value);
	if (!err)
		err = ddci_buf_addc(b, '"');
	return err;
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

int ddci_spool_write(char **out_name, const char *dir, const char *event_id, const char *method,
		     const char *path, const char *body)
{
	static unsigned counter;
	struct ddci_buf text = DDCI_BUF_INIT;
	struct ddci_spool_entry old = { 0 };
	char name[40], tmp[96];
	char saved[1024];
	char *d = NULL;
	int dfd = -1, fd = -1, err;
	int64_t queued_ns;

	if (out_name)
		*out_name = NULL;
	tmp[0] = '\0';
	/* The caller's message (why we spool) must survive a successful write. */
	snprintf(saved, sizeof(saved), "%s", ddci_error_last());
	if (!method || !*method || !path || path[0] != '/')
		return ddci_error_set(DDCI_EUSAGE, "cannot spool a request without a method and path");
	d = dir ? tidy_dir(dir) : NULL;
	if (dir && !d)
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
	err = open_dir(&dfd, NULL, d, 1);
	if (err)
		goto done;
	/* Without an id, the body identifies the event. */
	file_name(name, event_id && *event_id ? event_id : (body ? body : ""), method, path);

	/* Re-spooling keeps the event's place in the queue. */
	queued_ns = ddci_time_now_ns();
	if (read_at(&old, NULL, dfd, d, name) == 0)
		queued_ns = old.queued_ns;

	err = ddci_buf_adds(&text, "{\"v\":1");
	if (!err)
		err = add_json_str(&text, "method", method);
	if (!err)
		err = add_json_str(&text, "path", path);
	if (!err)
		err = ddci_buf_addf(&text, ",\"queued_ns\":%" PRId64, queued_ns);
	if (!err && event_id && *event_id)
		err = add_json_str(&text, "event_id", event_id);
	if (!err)
		err = add_json_str(&text, "body", body ? body : "");
	if (!err)
		err = ddci_buf_adds(&text, "}\n");
	if (err)
		goto done;

	snprintf(tmp, sizeof(tmp), ".tmp-%s-%ld-%u", name, (long)getpid(), counter++);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = ddci_error_set(DDCI_EIO, "cannot create spool file in '%s': %s", d, strerror(errno));
		tmp[0] = '\0';
		goto done;
	}
	if (write_all(fd, text.ptr, text.len) < 0 || fsync(fd) < 0) {
		err = ddci_error_set(DDCI_EIO, "cannot write spool file in '%s': %s", d, strerror(errno));
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		err = ddci_error_set(DDCI_EIO, "cannot write spool file in '%s': %s", d, strerror(errno));
		goto done;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, name) < 0) {
		err = ddci_error_set(DDCI_EIO, "cannot rename spool file in '%s': %s", d, strerror(errno));
		goto done;
	}
	tmp[0] = '\0';
	(void)fsync(dfd); /* make the rename durable; best effort */
	if (out_name && !(*out_name = strdup(name)))
		err = ddci_error_set(DDCI_ENOMEM, "out of memory");
	else
		ddci_error_set(0, "%s", saved);
done:
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlinkat(dfd, tmp, 0);
	if (dfd >= 0)
		close(dfd);
	ddci_spool_entry_release(&old);
	ddci_buf_release(&text);
	free(d);
	return err;
}

/* Waits for the exclusive lock on DIR/.lock until the deadline. */
static int lock_dir(int *out_fd, int dfd, const char *dir, int64_t deadline_mono_ns)
{
	int fd = openat(dfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	*out_fd = -1;
	if (fd < 0)
		return ddci_error_set(DDCI_EIO, "cannot open '%s/.lock': %s", dir, strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = { 0, LOCK_POLL_NS };

		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			int e = errno;

			close(fd);
			return ddci_error_set(DDCI_EIO, "cannot lock '%s/.lock': %s", dir, strerror(e));
		}
		if (ddci_time_mono_ns() >= deadline_mono_ns) {
			close(fd);
			return ddci_error_set(DDCI_EUNAVAIL,
					      "timed out waiting for another flush of '%s' to finish", dir);
		}
		nanosleep(&ts, NULL);
	}
	*out_fd = fd;
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

/* Moves a file to DIR/rejected/ so it no longer blocks the queue. */
static int move_rejected(int dfd, const char *dir, const char *name)
{
	char to[300];

	if (mkdirat(dfd, REJECTED_DIR, 0700) < 0 && errno != EEXIST)
		return ddci_error_set(DDCI_EIO, "cannot create '%s/%s': %s", dir, REJECTED_DIR,
				      strerror(errno));
	snprintf(to, sizeof(to), "%s/%s", REJECTED_DIR, name);
	if (renameat(dfd, name, dfd, to) < 0)
		return ddci_error_set(DDCI_EIO, "cannot move '%s/%s' to '%s/': %s", dir, name,
				      REJECTED_DIR, strerror(errno));
	return 0;
}

/* The spooled events, oldest first.  Unreadable ones are set aside. */
static int list_queue(struct queued **out, size_t *count, struct ddci_flush_stats *stats, int dfd,
		      const char *dir, int *first_err, char *first_msg, size_t msg_size)
{
	struct queued *q = NULL, *grown;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dh = NULL;
	int fd, err = 0;

	*out = NULL;
	*count = 0;
	fd = dup(dfd);
	if (fd < 0 || !(dh = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return ddci_error_set(DDCI_EIO, "cannot list spool directory '%s': %s", dir, strerror(errno));
	}
	while ((de = readdir(dh)) != NULL) {
		struct ddci_spool_entry e;
		int rc;

		if (!is_spool_name(de->d_name))
			continue;
		stats->found++;
		rc = read_at(&e, NULL, dfd, dir, de->d_name);
		if (rc == DDCI_ENOMEM) {
			err = rc;
			goto done;
		}
		if (rc) {
			/* A file we cannot read would fail every flush: set it aside. */
			stats->failed++;
			if (!*first_err) {
				*first_err = rc;
				snprintf(first_msg, msg_size, "%s", ddci_error_last());
			}
			(void)move_rejected(dfd, dir, de->d_name);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(q, cap * sizeof(*q));
			if (!grown) {
				ddci_spool_entry_release(&e);
				err = ddci_error_set(DDCI_ENOMEM, "out of memory");
				goto done;
			}
			q = grown;
		}
		q[n].name = e.name;
		q[n].queued_ns = e.queued_ns;
		e.name = NULL;
		n++;
		ddci_spool_entry_release(&e);
	}
	if (n) /* q is NULL for an empty spool: qsort must not see it */
		qsort(q, n, sizeof(*q), by_time_then_name);
done:
	closedir(dh);
	if (err) {
		while (n)
			free(q[--n].name);
		free(q);
		return err;
	}
	*out = q;
	*count = n;
	return 0;
}

static unsigned flags_for(const char *method, const char *path)
{
	unsigned flags = DDCI_CALL_RETRY;

	/* Events are POSTed with the API key; a change failure is a PATCH of
	 * /api/v2/dora/deployments/{id}, which needs the application key. */
	if (strcmp(method, "POST") != 0 || strncmp(path, "/api/v2/dora/deployments/", 25) == 0)
		flags |= DDCI_CALL_APP_KEY;
	return flags;
}

/* Sends one spooled event.  Returns the client's result. */
static int send_one(struct ddci_client *c, int dfd, const char *dir, const char *name)
{
	struct ddci_spool_entry e;
	struct ddci_call call = { 0 };
	char *event_id = NULL;
	cJSON *check = NULL, *body = NULL;
	int err;

	err = read_at(&e, &event_id, dfd, dir, name);
	if (err)
		return err;
	if (e.body && e.body[0]) {
		/* Send the body exactly as spooled (a raw node): re-printing
		 * parsed JSON would turn int64 timestamps into doubles. */
		check = cJSON_Parse(e.body);
		if (!check) {
			err = ddci_error_set(DDCI_EIO, "spool file '%s/%s' holds a body that is not JSON",
					     dir, name);
			goto done;
		}
		body = cJSON_CreateRaw(e.body);
		if (!body) {
			err = ddci_error_set(DDCI_ENOMEM, "out of memory");
			goto done;
		}
	}
	call.method = e.method;
	call.path = e.path;
	call.body = body;
	call.flags = flags_for(e.method, e.path);
	call.event_id = event_id;
	err = ddci_client_call(NULL, c, &call);
done:
	cJSON_Delete(check);
	cJSON_Delete(body);
	free(event_id);
	ddci_spool_entry_release(&e);
	return err;
}

int ddci_spool_flush(struct ddci_flush_stats *stats, struct ddci_client *c, const char *dir)
{
	struct ddci_flush_stats local;
	struct queued *q = NULL;
	char first_msg[1024] = "";
	size_t n = 0, i;
	char *d = NULL;
	int dfd = -1, lockfd = -1, missing = 0, err, first_err = 0;
	int64_t deadline;

	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	d = dir ? tidy_dir(dir) : NULL;
	if (dir && !d)
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
	err = open_dir(&dfd, &missing, d, 0);
	if (err) {
		if (missing) { /* nothing was ever spooled */
			ddci_error_clear();
			err = 0;
		}
		goto done;
	}
	deadline = c && c->cfg && c->cfg->deadline_mono_ns > 0
			   ? c->cfg->deadline_mono_ns
			   : ddci_time_mono_ns() + LOCK_WAIT_DEFAULT_NS;
	err = lock_dir(&lockfd, dfd, d, deadline);
	if (err)
		goto done;
	err = list_queue(&q, &n, stats, dfd, d, &first_err, first_msg, sizeof(first_msg));
	if (err)
		goto done;
	for (i = 0; i < n; i++) {
		struct stat st;
		int rc;

		if (fstatat(dfd, q[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			continue; /* gone meanwhile */
		rc = send_one(c, dfd, d, q[i].name);

		if (rc == 0) {
			stats->sent++;
			if (unlinkat(dfd, q[i].name, 0) < 0 && errno != ENOENT) {
				err = ddci_error_set(DDCI_EIO, "sent but cannot remove '%s/%s': %s", d,
						     q[i].name, strerror(errno));
				goto done;
			}
			continue;
		}
		if (rc == DDCI_DRY_RUN)
			continue; /* printed, not sent: keep it */
		if (rc == DDCI_EREJECT) {
			stats->rejected++;
			ddci_error_wrap(rc, "spooled event '%s' rejected", q[i].name);
			(void)move_rejected(dfd, d, q[i].name);
		} else {
			stats->failed++;
			ddci_error_wrap(rc, "spooled event '%s'", q[i].name);
		}
		if (rc == DDCI_EUNAVAIL || rc == DDCI_ENOMEM) {
			err = rc; /* Datadog is still away: the rest waits too */
			goto done;
		}
		if (!first_err) {
			first_err = rc;
			snprintf(first_msg, sizeof(first_msg), "%s", ddci_error_last());
		}
	}
	if (first_err) {
		err = first_err;
		ddci_error_set(err, "%s", first_msg);
	}
done:
	if (q) {
		for (i = 0; i < n; i++)
			free(q[i].name);
		free(q);
	}
	if (lockfd >= 0)
		close(lockfd); /* releases the lock */
	if (dfd >= 0)
		close(dfd);
	free(d);
	return err;
}
