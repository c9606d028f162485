/* error.h — libddci's error codes and the last error message.
 *
 * Fallible functions return 0 or a negative DDCI_E* code; the message is set
 * where the failure happens with ddci_error_set() and read by the command
 * with ddci_error_last().  ddci_exit_code() maps a code to the contract's
 * exit status (0 ok, 1 gate failed, 2 usage/local, 3 unavailable, 4 rejected).
 */
#ifndef DDCI_ERROR_H
#define DDCI_ERROR_H

#define DDCI_WUR __attribute__((warn_unused_result))
#define DDCI_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum {
	DDCI_OK = 0,
	DDCI_EUSAGE = -2,   /* bad flag or input, or a local precondition: exit 2 */
	DDCI_EUNAVAIL = -3, /* unreachable, timeout, 5xx, 429 after retries: exit 3 */
	DDCI_EREJECT = -4,  /* Datadog said no (400/401/403/404/409/422): exit 4 */
	DDCI_ENOMEM = -5,   /* out of memory or over a size limit: exit 2 */
	DDCI_EIO = -6,      /* local file or system call failed: exit 2 */
	DDCI_EGIT = -7,     /* git repository problem: exit 2 */
	DDCI_EPROTO = -8    /* the server answered something we cannot read: exit 3 */
};

enum ddci_exit {
	DDCI_EXIT_OK = 0,
	DDCI_EXIT_GATE = 1,
	DDCI_EXIT_USAGE = 2,
	DDCI_EXIT_UNAVAIL = 3,
	DDCI_EXIT_REJECT = 4
};

/* Returned (positive) by ddci_client_call when --dry-run printed the
 * request instead of sending it.  Distinct from DDCI_EXIT_GATE (1) so a dry
 * run can never read as a failed gate; ddci_cli_finish() maps it to exit 0. */
#define DDCI_DRY_RUN 100

/* Sets the last error message and returns `code`, so callers can write
 * `return ddci_error_set(DDCI_EUSAGE, "invalid --tag '%s'", t);`. */
int ddci_error_set(int code, const char *fmt, ...) DDCI_PRINTF(2, 3);

/* Prefixes the current message with "context: ". Returns `code`. */
int ddci_error_wrap(int code, const char *fmt, ...) DDCI_PRINTF(2, 3);

/* Sets "out of memory" and returns DDCI_ENOMEM (inline: a constant that
 * callers' checks, and gcc -fanalyzer, can follow). */
static inline int ddci_error_oom(void)
{
	ddci_error_set(DDCI_ENOMEM, "out of memory");
	return DDCI_ENOMEM;
}

const char *ddci_error_last(void);
void ddci_error_clear(void);

/* The HTTP request id of the last failed request, or "" (kept apart from
 * the message so machine output can carry it). */
const char *ddci_error_request_id(void);
void ddci_error_set_request_id(const char *id);

enum ddci_exit ddci_exit_code(int err);

#endif
