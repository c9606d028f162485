/* dora.h — DORA Metrics events: deployments and failures (incidents).
 *
 * Builds the documented request bodies (timestamps as exact nanosecond
 * integers), checks ids and tags the way Datadog does, derives deterministic
 * ids so a retried or re-run step never counts twice, and sends through
 * client.h (retry-safe because of the id; spooled when undeliverable).
 */
#ifndef DDCI_DORA_H
#define DDCI_DORA_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "ddci/client.h"
#include "ddci/error.h"
#include "ddci/strv.h"

#define DDCI_ID_MAX 129      /* 128 chars + NUL */
#define DDCI_MAX_TAGS 100

/* An id ddci creates: 16-128 chars of [A-Za-z0-9_.:-]; message names
 * `what` ("--id"). */
int ddci_dora_check_id(const char *id, const char *what) DDCI_WUR;
/* An id of an existing event (Datadog's own are shorter: "z_RwVLi7v4Y"):
 * 1-128 chars of [A-Za-z0-9_.:-], not only dots. */
int ddci_dora_check_ref(const char *id, const char *what) DDCI_WUR;
/* A timestamp in a response at `path`: an integer (Unix s, ms or ns, told
 * apart by magnitude) or an RFC 3339 string (as the newest clients type
 * them).  Absent or null: 0 returned, *out_ns untouched.  Else DDCI_EPROTO
 * naming the field. */
int ddci_dora_time_get(int64_t *out_ns, const cJSON *event, const char *path) DDCI_WUR;
/* Each tag `key:value` with a non-empty key and value, at most 100. */
int ddci_dora_check_tags(const struct ddci_strv *tags) DDCI_WUR;

/* "ddci-<kind>-" + 32 hex of SHA-256 over the parts, NUL-separated. */
void ddci_dora_derive_id(char out[DDCI_ID_MAX], const char *kind, const char *const *parts, size_t n);

struct ddci_deployment {
	const char *id;             /* NULL: derived from service, env, commit and
				     * run_key (see ddci_dora_deployment_id) */
	const char *run_key;        /* what tells this run apart from other runs of
				     * the same commit, and stays across re-runs:
				     * the CI job's identity, or an absolute start
				     * time; "" for none; NULL: started_ns */
	const char *service;        /* required */
	const char *env, *version, *team;
	int64_t started_ns, finished_ns;
	const char *commit_sha, *repository_url; /* both or neither */
	const struct ddci_strv *tags;
};

struct ddci_failure {
	const char *id;             /* NULL: derived from name, services/team, env
				     * and run_key (see ddci_dora_failure_id) */
	const char *run_key;        /* as a deployment's: the CI job's identity,
				     * "" for none; NULL: started_ns */
	const char *name, *severity;
	const struct ddci_strv *services;
	const char *team, *env, *version;
	int64_t started_ns, finished_ns; /* finished 0 = still open */
	const char *commit_sha, *repository_url;
	const struct ddci_strv *tags;
};

struct ddci_dora_result {
	char id[DDCI_ID_MAX];       /* the id Datadog returned (or ours in dry-run) */
	int dry_run;
};

/* The deterministic id a deployment gets when none is given: a hash of
 * service, env, commit and run_key (the start time when run_key is NULL). */
void ddci_dora_deployment_id(char out[DDCI_ID_MAX], const struct ddci_deployment *d);
/* Name, services (else team), env and run_key (the start when NULL). */
void ddci_dora_failure_id(char out[DDCI_ID_MAX], const struct ddci_failure *f);

int ddci_dora_deployment_json(cJSON **out, const struct ddci_deployment *d) DDCI_WUR;
int ddci_dora_failure_json(cJSON **out, const struct ddci_failure *f) DDCI_WUR;

int ddci_dora_send_deployment(struct ddci_dora_result *res, struct ddci_client *c,
			      const struct ddci_deployment *d) DDCI_WUR;
int ddci_dora_send_failure(struct ddci_dora_result *res, struct ddci_client *c,
			   const struct ddci_failure *f) DDCI_WUR;

/* --- Reading and tidying events ------------------------------------------ */

enum ddci_dora_kind { DDCI_DORA_DEPLOYMENTS = 0, DDCI_DORA_FAILURES };

/* "deployment"/"failure" (also the plural) -> kind; DDCI_EUSAGE otherwise. */
int ddci_dora_kind_parse(enum ddci_dora_kind *out, const char *s) DDCI_WUR;

/* A list request: POST /api/v2/dora/deployments or .../failures. */
struct ddci_dora_query {
	enum ddci_dora_kind kind;
	int64_t from_ns, to_ns;     /* 0 = not sent */
	const char *query;          /* event platform syntax, or NULL */
	const char *sort;           /* "-started_at", or NULL */
	int64_t limit;              /* at most this many events; 0 = all */
};

/* Every event matching q.  The API has no paging (a request returns at most
 * `limit` <= 1000 events): a window that comes back full is split in time
 * and read again, recursively, until no window is full; events are kept by
 * id and sorted as q asks (see dora.c).  A window that cannot be split is
 * an error, never a silent cut.  With q->limit in 1..1000 one request
 * answers.  --verbose (c->trace) says how many queries it took.
 * fn(ctx, event) per event returns 0 to go on, 1 to stop, < 0 on error.
 * Returns 0, DDCI_DRY_RUN or an error. */
int ddci_dora_list(struct ddci_client *c, const struct ddci_dora_query *q,
		   int (*fn)(void *ctx, const cJSON *event), void *ctx) DDCI_WUR;

/* GET one event; *out is the whole response ({"data":{...}}). */
int ddci_dora_get(cJSON **out, struct ddci_client *c, enum ddci_dora_kind kind, const char *id) DDCI_WUR;
int ddci_dora_delete(struct ddci_client *c, enum ddci_dora_kind kind, const char *id) DDCI_WUR;

/* A deployment as read back from Datadog (strings owned). */
struct ddci_dora_dep {
	char *id, *service, *env, *commit_sha, *version;
	int64_t started_ns, finished_ns;
	int change_failure;         /* attributes.change_failure when given */
	int change_failure_known;   /* the response had attributes.change_failure */
	char *remediation_id, *remediation_type; /* undocumented in list answers */
};

/* From one list item or get's "data" object. */
int ddci_dora_dep_parse(struct ddci_dora_dep *out, const cJSON *event) DDCI_WUR;
void ddci_dora_dep_release(struct ddci_dora_dep *d);

/* A failure (incident) event as read back (strings owned). */
struct ddci_dora_fail {
	char *id, *commit_sha, *version;
	int64_t started_ns, finished_ns; /* finished 0: still open */
};

int ddci_dora_fail_parse(struct ddci_dora_fail *out, const cJSON *event) DDCI_WUR;
void ddci_dora_fail_release(struct ddci_dora_fail *f);

/* The most recent deployment (by started_at) of service/env (either may be
 * NULL) whose commit is `commit_sha` (NULL = any), started strictly before
 * `before_ns` (0 = any time) and whose id is not `exclude_id` (NULL).
 * Not found: DDCI_EUSAGE with a message naming what was searched for. */
struct ddci_dora_find {
	const char *service, *env, *commit_sha, *exclude_id;
	int64_t before_ns;
};
int ddci_dora_find_deployment(struct ddci_dora_dep *out, struct ddci_client *c,
			      const struct ddci_dora_find *f) DDCI_WUR;

/* PATCH /api/v2/dora/deployments/{id}: change_failure, and the remediation
 * (id and type "rollback"/"rollforward") when remediation_id is set. */
struct ddci_dora_patch {
	const char *id;
	int change_failure;
	const char *remediation_id, *remediation_type;
};
int ddci_dora_patch_json(cJSON **out, const struct ddci_dora_patch *p) DDCI_WUR;
int ddci_dora_patch_deployment(struct ddci_client *c, const struct ddci_dora_patch *p) DDCI_WUR;

#endif
