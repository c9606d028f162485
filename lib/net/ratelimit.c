/* ratelimit.c — rate limits shared between the ddci processes of one
 * machine (see ddci/ratelimit.h).
 *
 * The model: windows of period + margin follow each other.  A request takes
 * one of the `remaining` slots of the current window, or the next free slot
 * in a later one: later windows are filled in order, queue position q
 * sending at reset + (q / limit) x (period + margin) plus up to 20 ms of
 * jitter, so each window's requests go together at its start (whether the
 * server's windows follow the clock or begin with their first request, two
 * such batches never share one).  When a window ends, the slots handed out
 * for the next one are its first requests.  Answers make the model exact:
 * the window ends by min(now + X-RateLimit-Reset, now + period), the
 * requests left are at most X-RateLimit-Remaining, and a 429 says the
 * window is full until its reset; while slots of later windows are out,
 * the end only moves later.  The margin (a little, plus the lag of the
 * last window: the least time from a slot to its answer) keeps a window's
 * first requests after the end of the one before.
 *
 * The file is locked only to read, compute and write a few bytes; never
 * while a request is in flight, so a process killed at any moment leaves
 * nothing held (flock goes with the descriptor).
 */
#include "ddci/ratelimit.h"
#include "ddci/url.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ddci/hash.h"
#include "ddci/wipe.h"

#define MAGIC "ddci-ratelimit 4"
#define PROBE_MS 2000            /* a probe's headers are awaited this long */
#define PROBE_WAIT_MS 2000       /* a process waits for probes at most this long in all */
#define ASK_EVERY_MS 25          /* while waiting for a probe, look again after 25..50 ms */
#define UNLIMITED_MS 60000       /* answers without a limit: nobody waits for a minute */
#define STALE_MS INT64_C(3600000) /* a state untouched for an hour is forgotten */
#define MAX_PERIOD_MS INT64_C(3600000)
#define LOCK_TRY_MS 1000         /* a lock not had within 1 s: this request goes alone */
#define JITTER_MS 20
#define MAX_LAG_MS 5000          /* a slower answer is not a lag but a stall */
#define STATE_TEXT_MAX 256

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Between two windows: covers the delay of a window's first request
 * (35 ms for a 2 s window, 330 ms for a minute), plus the lag of the last
 * window (a busy machine sends late), at most a quarter period. */
static int64_t margin_ms(const struct ddci_ratelimit_state *s)
{
	return 25 + s->period_ms / 200 + min64(s->lag_ms, s->period_ms / 4);
}

static int64_t window_ms(const struct ddci_ratelimit_state *s)
{
	return s->period_ms + margin_ms(s);
}

/* A new window: the lag of the one that ended counts from now on. */
static void new_window(struct ddci_ratelimit_state *s, int64_t start_ms, int64_t remaining)
{
	if (s->win_lag_ms > 0)
		s->lag_ms = s->win_lag_ms - 1;
	s->win_lag_ms = 0;
	s->start_ms = start_ms;
	s->reset_ms = start_ms + window_ms(s);
	s->remaining = remaining;
}

static void forget(struct ddci_ratelimit_state *s)
{
	memset(s, 0, sizeof(*s));
}

/* Tickets handed out for later windows. */
static int64_t queued(const struct ddci_ratelimit_state *s)
{
	return s->tickets - s->served;
}

/* A state from another hour, from the future (the clock was set back) or
 * impossible is forgotten. */
static void normalize(struct ddci_ratelimit_state *s, int64_t now)
{
	if (s->updated_ms == 0)
		return;
	if (now - s->updated_ms > STALE_MS || s->updated_ms - now > 60000 || s->limit < 0 ||
	    s->period_ms < 0 || s->period_ms > MAX_PERIOD_MS || s->remaining < 0 || s->win_first < 0 ||
	    s->served < s->win_first || s->tickets < s->served ||
	    s->lag_ms < 0 || s->lag_ms > MAX_LAG_MS || s->win_lag_ms < 0 || s->win_lag_ms > MAX_LAG_MS + 1 ||
	    (s->limit > 0 && s->period_ms == 0) ||
	    (s->limit > 0 && s->reset_ms - now > MAX_PERIOD_MS + (queued(s) / s->limit + 2) * window_ms(s)))
		forget(s);
}

/* Rolls over the windows that ended by `now` while tickets were handed out
 * for them: the next `limit` tickets are the new window's.  A window that
 * ended with nothing queued stays ended: the next one begins with the next
 * request. */
static void advance(struct ddci_ratelimit_state *s, int64_t now)
{
	if (s->limit <= 0)
		return;
	for (int i = 0; i < 100000 && now >= s->reset_ms && queued(s) > 0; i++) {
		int64_t take = min64(s->limit, queued(s));

		s->win_first = s->served;
		s->served += take;
		new_window(s, s->reset_ms, s->limit - take);
	}
}

enum ddci_ratelimit_turn ddci_ratelimit_take(struct ddci_ratelimit_state *s, int64_t *ticket, int64_t *wait_ms,
					     int64_t now, int64_t deadline_ms, unsigned rnd)
{
	int64_t t = *ticket, w, slot;

	*wait_ms = 0;
	*ticket = -1;
	normalize(s, now);
	s->updated_ms = now;
	if (s->limit <= 0) {
		if (s->unlimited_until_ms > now)
			return DDCI_RL_GO;
		if (s->probe_until_ms > now) {
			*wait_ms = min64(s->probe_until_ms - now, ASK_EVERY_MS + (int64_t)(rnd % ASK_EVERY_MS));
			return DDCI_RL_ASK;
		}
		s->probe_until_ms = now + PROBE_MS;
		return DDCI_RL_PROBE;
	}
	advance(s, now);
	if (now >= s->reset_ms) { /* ended, nothing queued: a new window */
		s->win_first = s->served;
		new_window(s, now, s->limit);
	}
	if (t >= 0 && (t < s->win_first || t >= s->tickets))
		t = -1; /* its window is over (overslept), or the state is new: start again */
	if (t >= 0 && t < s->served)
		return DDCI_RL_GO; /* its window has come */
	if (t < 0) {
		/* Sent in the last moments of a window, a request could reach
		 * the server in the next one, whose slots may all be taken. */
		if (s->remaining > 0 && now < s->reset_ms - margin_ms(s)) {
			s->remaining--;
			return DDCI_RL_GO;
		}
		t = s->tickets;
	}
	w = (t - s->served) / s->limit;
	slot = s->reset_ms + w * window_ms(s) + (int64_t)(rnd % (JITTER_MS + 1));
	if (slot >= deadline_ms) {
		if (t == s->tickets - 1)
			s->tickets--; /* the last ticket: free again */
		*wait_ms = slot - now;
		return DDCI_RL_LATE;
	}
	if (t == s->tickets)
		s->tickets++;
	*ticket = t;
	/* Wakes at its window's start, or for a later window in the middle
	 * of the one before, to look again: windows may move meanwhile. */
	*wait_ms = (w == 0 ? slot : s->reset_ms + (w - 1) * window_ms(s) + window_ms(s) / 2) - now;
	if (*wait_ms < 0)
		*wait_ms = 0;
	return DDCI_RL_AT;
}

int ddci_ratelimit_learn(struct ddci_ratelimit_state *s, const struct ddci_ratelimit_seen *seen, int probe)
{
	int64_t now = seen->recv_ms, up = -1, lo = -1, remaining;
	long reset_s = seen->reset_s;
	int known, fresh;

	normalize(s, now);
	s->updated_ms = now;
	if (probe)
		s->probe_until_ms = 0;
	if (seen->status == 429 && seen->retry_after_s >= 0)
		reset_s = seen->retry_after_s;
	if (seen->status == 0)
		return s->limit > 0;

	if (seen->limit <= 0 && reset_s < 0) {
		/* No rate-limit headers: this endpoint is not limited, or the
		 * answer is an error page.  Only a plain answer frees the crowd. */
		if (s->limit <= 0 && seen->status < 400)
			s->unlimited_until_ms = now + UNLIMITED_MS;
		return 0;
	}
	known = s->limit > 0;
	if (seen->limit > 0)
		s->limit = seen->limit;
	if (s->limit <= 0)
		return 0; /* a reset without a limit: nothing to share */
	if (seen->period_s > 0)
		s->period_ms = min64((int64_t)seen->period_s, MAX_PERIOD_MS / 1000) * 1000; /* capped, then multiplied */
	else if (s->period_ms <= 0)
		s->period_ms = reset_s > 0 ? min64((int64_t)reset_s, MAX_PERIOD_MS / 1000) * 1000 : 1000;
	s->unlimited_until_ms = 0;
	if (s->remaining > s->limit)
		s->remaining = s->limit;
	remaining = seen->status == 429 ? 0 : seen->remaining;
	if (reset_s >= 0) {
		/* The window holding this request ends in (lo, up]: Reset is
		 * rounded up to whole seconds, and a window is one period long. */
		up = now + min64(min64((int64_t)reset_s, MAX_PERIOD_MS / 1000) * 1000, s->period_ms);
		lo = seen->sent_ms + (min64((int64_t)reset_s, MAX_PERIOD_MS / 1000) - 1) * 1000;
	}
	advance(s, now);
	fresh = !known || s->reset_ms == 0;
	if (fresh) {
		s->start_ms = seen->sent_ms;
		s->reset_ms = up >= 0 ? up : now + s->period_ms;
		s->remaining = remaining >= 0 ? remaining : 0;
		s->tickets = s->served = s->win_first = 0;
		return reset_s >= 0 || seen->status != 429;
	}
	if (seen->sent_ms < s->start_ms)
		return reset_s >= 0 || seen->status != 429; /* news of an older window */
	if (seen->slot_ms > 0 && seen->recv_ms >= seen->slot_ms) {
		/* The request reached the server between its slot and its
		 * answer; the window's first request came no later than the
		 * quickest answer. */
		int64_t lag = min64(seen->recv_ms - seen->slot_ms, MAX_LAG_MS) + 1;

		s->win_lag_ms = s->win_lag_ms > 0 ? min64(s->win_lag_ms, lag) : lag;
	}
	if (now >= s->reset_ms) {
		/* The model's window ended with nothing queued, and this answer
		 * was sent in it: its window may have ended too (a late answer)
		 * or not (the model ended early).  A 429 keeps everybody away
		 * until its reset; otherwise only a window certainly still open
		 * is taken on. */
		if (seen->status == 429 && up > now) {
			s->start_ms = seen->sent_ms;
			s->reset_ms = up;
			s->remaining = 0;
		} else if (up >= 0 && lo >= now) {
			s->start_ms = seen->sent_ms;
			s->reset_ms = up;
			s->remaining = remaining >= 0 ? remaining : 0;
		}
	} else if (queued(s) > 0) {
		/* Slots of later windows were handed out from reset_ms: moving
		 * it earlier would let later slots fall into the window of
		 * earlier ones.  It only moves later, when the server says so. */
		if (up >= 0 && (seen->status == 429 || lo >= s->reset_ms) && up > s->reset_ms)
			s->reset_ms = up;
		if (seen->status == 429)
			s->remaining = 0;
		else if (remaining >= 0)
			s->remaining = min64(s->remaining, remaining);
	} else if (seen->status == 429) {
		/* Full until its reset, whatever the model thought. */
		if (up >= 0)
			s->reset_ms = up;
		s->remaining = 0;
	} else {
		if (up >= 0)
			s->reset_ms = lo >= s->reset_ms ? up : min64(s->reset_ms, up);
		if (remaining >= 0)
			s->remaining = min64(s->remaining, remaining);
	}
	return reset_s >= 0 || seen->status != 429;
}

void ddci_ratelimit_format(char *buf, size_t size, const struct ddci_ratelimit_state *s)
{
	snprintf(buf, size,
		 MAGIC " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
		       " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n",
		 s->limit, s->period_ms, s->reset_ms, s->start_ms, s->remaining, s->tickets, s->served,
		 s->win_first, s->probe_until_ms,
		 s->unlimited_until_ms, s->lag_ms, s->win_lag_ms, s->updated_ms);
}

int ddci_ratelimit_parse(struct ddci_ratelimit_state *s, const char *text)
{
	int64_t *fields[] = { &s->limit, &s->period_ms, &s->reset_ms, &s->start_ms, &s->remaining,
			      &s->tickets, &s->served, &s->win_first, &s->probe_until_ms, &s->unlimited_until_ms, &s->lag_ms,
			      &s->win_lag_ms, &s->updated_ms };
	const char *p = text;

	forget(s);
	if (strncmp(p, MAGIC " ", strlen(MAGIC) + 1) != 0)
		return -1;
	p += strlen(MAGIC);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char *end;
		long long v;

		if (*p != ' ' || p[1] < '0' || p[1] > '9')
			goto bad;
		errno = 0;
		v = strtoll(p + 1, &end, 10);
		if (errno || end == p + 1)
			goto bad;
		*fields[i] = (int64_t)v;
		p = end;
	}
	if (strcmp(p, "\n") != 0)
		goto bad;
	return 0;
bad:
	forget(s);
	return -1;
}

int64_t ddci_ratelimit_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the files ---- */

struct ddci_ratelimit {
	int dirfd;
	char prefix[160];     /* "<host_port>-<org hash>-" */
	char off[4200];       /* why sharing is off, or "" */
	int probing;          /* the request in flight is the probe */
	int64_t ticket;       /* the slot in a later window this request holds, or -1 */
	int64_t asked_ms;     /* time spent waiting for probes */
	unsigned seed;
};

static void turn_off(struct ddci_ratelimit *rl, const char *fmt, const char *what)
{
	if (!rl->off[0])
		snprintf(rl->off, sizeof(rl->off), fmt, what);
	if (rl->dirfd >= 0)
		close(rl->dirfd);
	rl->dirfd = -1;
}

/* The directory, created 0700 when missing, refused unless it is ours
 * and nobody else can write to it. */
static void open_dir(struct ddci_ratelimit *rl)
{
	char dir[4096];
	const char *env = getenv("DDCI_STATE_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	size_t n;

	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else if (xdg && *xdg == '/')
		snprintf(dir, sizeof(dir), "%s/ddci", xdg);
	else
		snprintf(dir, sizeof(dir), "/tmp/ddci-%lu", (unsigned long)geteuid());
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/') /* "dir/" would follow a symlink */
		dir[--n] = '\0';
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		turn_off(rl, "cannot create the state directory '%s'", dir);
		return;
	}
	rl->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rl->dirfd < 0) {
		turn_off(rl, "cannot open the state directory '%s' (a symbolic link?)", dir);
		return;
	}
	if (fstat(rl->dirfd, &st) != 0 || !S_ISDIR(st.st_mode)) {
		turn_off(rl, "cannot read the state directory '%s'", dir);
		return;
	}
	if (st.st_uid != geteuid()) {
		turn_off(rl, "the state directory '%s' belongs to another user", dir);
		return;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		turn_off(rl, "the state directory '%s' is writable by others", dir);
		return;
	}
}

struct ddci_ratelimit *ddci_ratelimit_open(const char *api_url, const char *api_key)
{
	struct ddci_ratelimit *rl = calloc(1, sizeof(*rl));
	struct ddci_sha256 c;
	unsigned char sum[32];
	char host[128];
	const char *share = getenv("DDCI_RATE_SHARE");
	struct timespec ts;

	if (!rl)
		return NULL;
	rl->dirfd = -1;
	rl->ticket = -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	rl->seed = ddci_hash_mix32((uint32_t)ts.tv_nsec ^ (uint32_t)getpid() * 2654435761U);
	if (share && (!strcmp(share, "0") || !strcasecmp(share, "false") || !strcasecmp(share, "no") ||
		      !strcasecmp(share, "off"))) {
		turn_off(rl, "%s", "DDCI_RATE_SHARE=0");
		return rl;
	}
	ddci_url_host_key(host, sizeof(host), api_url ? api_url : "");
	/* The organisation, as 8 hex digits of a salted hash of the key. */
	ddci_sha256_init(&c);
	ddci_sha256_update(&c, "ddci rate-limit state v1\n", 25);
	if (api_key)
		ddci_sha256_update(&c, api_key, strlen(api_key));
	ddci_sha256_final(sum, &c);
	ddci_wipe(&c, sizeof(c));
	snprintf(rl->prefix, sizeof(rl->prefix), "%s-%02x%02x%02x%02x-", host[0] ? host : "default", sum[0],
		 sum[1], sum[2], sum[3]);
	open_dir(rl);
	return rl;
}

void ddci_ratelimit_free(struct ddci_ratelimit *rl)
{
	if (!rl)
		return;
	if (rl->dirfd >= 0)
		close(rl->dirfd);
	free(rl);
}

const char *ddci_ratelimit_off(const struct ddci_ratelimit *rl)
{
	if (!rl)
		return "out of memory";
	return rl->off[0] ? rl->off : NULL;
}

static void nap_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The family as it goes into a file name: [a-z0-9_-] (anything else made
 * '_'), at most 32 characters, "other" when there is none.  The family
 * may come from a spool file, so it is never trusted as a name. */
static void family_key(char *buf, size_t size, const char *family)
{
	size_t n = 0;

	for (; family && family[n] && n + 1 < size && n < 32; n++) {
		char c = family[n];

		buf[n] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') ? c : '_';
	}
	if (n == 0)
		snprintf(buf, size, "other");
	else
		buf[n] = '\0';
}

/* Opens and locks the family's file: the descriptor, or -1 (sharing is
 * then off when the file itself is the problem). */
static int lock_file(struct ddci_ratelimit *rl, const char *family)
{
	char name[256], fam[40];
	struct stat st;
	int fd;

	family_key(fam, sizeof(fam), family);
	snprintf(name, sizeof(name), "%s%s", rl->prefix, fam);
	fd = openat(rl->dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		turn_off(rl, "cannot open the state file '%s'", name);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		turn_off(rl, "the state file '%s' is not a private file of ours", name);
		return -1;
	}
	for (int64_t waited = 0;; waited += 5) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= LOCK_TRY_MS) {
			close(fd); /* this request goes alone; next time may be better */
			return -1;
		}
		nap_ms(5);
	}
}

static void read_state(struct ddci_ratelimit_state *s, int fd)
{
	char text[STATE_TEXT_MAX];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

	/* Empty (new) or damaged: start from nothing known. */
	if (n <= 0 || (text[n] = '\0', ddci_ratelimit_parse(s, text) != 0))
		memset(s, 0, sizeof(*s));
}

static void write_state(struct ddci_ratelimit *rl, int fd, const struct ddci_ratelimit_state *s)
{
	char text[STATE_TEXT_MAX];
	size_t len;

	ddci_ratelimit_format(text, sizeof(text), s);
	len = strlen(text);
	if (pwrite(fd, text, len, 0) != (ssize_t)len || ftruncate(fd, (off_t)len) != 0)
		turn_off(rl, "%s", "cannot write the state file");
}

static void unlock_file(int fd)
{
	flock(fd, LOCK_UN);
	close(fd);
}

enum ddci_ratelimit_turn ddci_ratelimit_before(struct ddci_ratelimit *rl, int64_t *wait_ms, const char *family,
					       int64_t deadline_ms)
{
	struct ddci_ratelimit_state s;
	enum ddci_ratelimit_turn turn;
	int64_t now;
	int fd;

	*wait_ms = 0;
	rl->probing = 0;
	if (rl->dirfd < 0 || (fd = lock_file(rl, family)) < 0)
		return DDCI_RL_GO;
	now = ddci_ratelimit_now_ms();
	read_state(&s, fd);
	rl->seed = ddci_hash_mix32(rl->seed + 0x9e3779b9U);
	turn = ddci_ratelimit_take(&s, &rl->ticket, wait_ms, now, deadline_ms, rl->seed);
	if (turn == DDCI_RL_ASK && rl->asked_ms >= PROBE_WAIT_MS) {
		turn = DDCI_RL_GO; /* waited enough for others: go alone, learn after */
		*wait_ms = 0;
	} else if (turn == DDCI_RL_ASK) {
		*wait_ms = min64(*wait_ms, PROBE_WAIT_MS - rl->asked_ms);
		rl->asked_ms += *wait_ms;
	}
	write_state(rl, fd, &s);
	unlock_file(fd);
	rl->probing = turn == DDCI_RL_PROBE;
	return turn;
}

int ddci_ratelimit_after(struct ddci_ratelimit *rl, const char *family, const struct ddci_ratelimit_seen *seen)
{
	struct ddci_ratelimit_state s;
	int fd, known;

	if (rl->dirfd < 0 || (fd = lock_file(rl, family)) < 0)
		return 0;
	read_state(&s, fd);
	known = ddci_ratelimit_learn(&s, seen, rl->probing);
	rl->probing = 0;
	write_state(rl, fd, &s);
	unlock_file(fd);
	return known && rl->dirfd >= 0;
}
