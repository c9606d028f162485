/* ratelimit.h — one organisation's Datadog rate limits, shared by the ddci
 * processes on this machine (a runner executing many jobs at once).
 *
 * One tiny state file per (Datadog host:port, salted hash of the API key,
 * endpoint family as the caller names it, ddci/endpoint.h) in a private directory, under flock(): the window that
 * the last X-RateLimit-* headers described, the requests still allowed in
 * it, and how many requests took a slot in a later window.  Before each
 * request a process takes a slot (now, or a time in a later window); after
 * each response it records the headers.  While nothing is known yet, one
 * request goes first and the others wait a little for its headers.
 *
 * Sharing is an optimisation only: any problem with the directory or a file
 * (missing, unsafe, read-only, locked too long) turns it off for the process,
 * which then paces itself alone (lib/net/http.c).  DDCI_RATE_SHARE=0 turns it
 * off; DDCI_STATE_DIR chooses the directory (default $XDG_RUNTIME_DIR/ddci,
 * else /tmp/ddci-<uid>).
 */
#ifndef DDCI_RATELIMIT_H
#define DDCI_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

/* What one file holds.  Times are wall-clock milliseconds (CLOCK_REALTIME,
 * the same for every process on the machine). */
struct ddci_ratelimit_state {
	int64_t limit;              /* requests per window; 0 = not known */
	int64_t period_ms;          /* the window's length */
	int64_t reset_ms;           /* the current window ends by then */
	int64_t start_ms;           /* ... and began then (requests sent earlier are older news) */
	int64_t remaining;          /* requests still allowed in it */
	int64_t tickets;            /* tickets for slots in later windows handed out so far */
	int64_t served;             /* tickets below this one belong to the current window or earlier */
	int64_t win_first;          /* the current window's first ticket */
	int64_t probe_until_ms;     /* one request is finding the limit out until then */
	int64_t unlimited_until_ms; /* answers carried no limit: nobody waits until then */
	int64_t lag_ms;             /* the last window's least time from a slot to its answer */
	int64_t win_lag_ms;         /* the same for the current window, plus 1; 0 = none yet */
	int64_t updated_ms;
};

/* One response, as far as rate limits go; -1 for a header that was absent. */
struct ddci_ratelimit_seen {
	long status;                /* 0: no response at all */
	long limit, remaining, reset_s, period_s;
	long retry_after_s;
	int64_t sent_ms, recv_ms;   /* wall clock before sending, after the answer */
	int64_t slot_ms;            /* the time its slot was for; 0 = none */
};

enum ddci_ratelimit_turn {
	DDCI_RL_GO,    /* send now */
	DDCI_RL_PROBE, /* send now: nothing is known, this request finds out */
	DDCI_RL_AT,    /* a slot in a later window is yours: ask again after *wait_ms */
	DDCI_RL_ASK,   /* another request is finding out: ask again after *wait_ms */
	DDCI_RL_LATE   /* the first free slot is *wait_ms away, at or past the deadline */
};

/* ---- the arithmetic, on a state already read (unit-tested alone) ---- */

/* The slot for one request at now_ms.  *ticket: -1 for a request that
 * holds none; after DDCI_RL_AT, the ticket to present when asking again
 * (windows may move meanwhile), else -1.  `rnd`: any random number. */
enum ddci_ratelimit_turn ddci_ratelimit_take(struct ddci_ratelimit_state *s, int64_t *ticket, int64_t *wait_ms,
					     int64_t now_ms, int64_t deadline_ms, unsigned rnd);

/* Records a response (`probe`: it was the request that took DDCI_RL_PROBE).
 * Returns 1 when the limit is known and the answer said when its window
 * resets, so a 429 can be waited out through ddci_ratelimit_take(). */
int ddci_ratelimit_learn(struct ddci_ratelimit_state *s, const struct ddci_ratelimit_seen *seen,
			 int probe);

/* The file's text and back; parse returns -1 for anything malformed. */
void ddci_ratelimit_format(char *buf, size_t size, const struct ddci_ratelimit_state *s);
int ddci_ratelimit_parse(struct ddci_ratelimit_state *s, const char *text);

/* ---- one process's view of the shared files ---- */

struct ddci_ratelimit;

/* Never fails for lack of a usable directory: the handle is then off
 * (ddci_ratelimit_off() says why).  NULL only when out of memory. */
struct ddci_ratelimit *ddci_ratelimit_open(const char *api_url, const char *api_key);
void ddci_ratelimit_free(struct ddci_ratelimit *rl);

/* NULL while sharing works, else why it is off (names no secret). */
const char *ddci_ratelimit_off(const struct ddci_ratelimit *rl);

/* Before sending a request of `family` (NULL: "other"): DDCI_RL_GO (also when off or on any error) or
 * DDCI_RL_PROBE: send; DDCI_RL_AT or DDCI_RL_ASK: wait *wait_ms and ask
 * again (the handle keeps its ticket); DDCI_RL_LATE: no slot before the
 * deadline, *wait_ms away.  A process waits for another's probe at most
 * about 2 s in all. */
enum ddci_ratelimit_turn ddci_ratelimit_before(struct ddci_ratelimit *rl, int64_t *wait_ms,
					       const char *family, int64_t deadline_ms);

/* After the request that `before` let through; see ddci_ratelimit_learn. */
int ddci_ratelimit_after(struct ddci_ratelimit *rl, const char *family,
			 const struct ddci_ratelimit_seen *seen);

/* Wall-clock milliseconds, the clock of the state files. */
int64_t ddci_ratelimit_now_ms(void);

#endif
