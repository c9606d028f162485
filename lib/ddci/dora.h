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

/* 16-128 chars of [A-Za-z0-9_.:-]; message names `what` ("--id"). */
int ddci_dora_check_id(const char *id, const char *what) DDCI_WUR;
/* Each tag `key:value` with a non-empty key and value, at most 100. */
int ddci_dora_check_tags(const struct ddci_strv *tags) DDCI_WUR;

/* "ddci-<kind>-" + 32 hex of SHA-256 over the parts, NUL-separated. */
void ddci_dora_derive_id(char out[DDCI_ID_MAX], const char *kind, const char *const *parts, size_t n);

struct ddci_deployment {
	const char *id;             /* NULL: derived from service, env, commit, started */
	const char *service;        /* required */
	const char *env, *version, *team;
	int64_t started_ns, finished_ns;
	const char *commit_sha, *repository_url; /* both or neither */
	const struct ddci_strv *tags;
};

struct ddci_failure {
	const char *id;             /* NULL: derived from name, services/team, env, started */
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

/* The deterministic id a deployment gets when none is given. */
void ddci_dora_deployment_id(char out[DDCI_ID_MAX], const struct ddci_deployment *d);
void ddci_dora_failure_id(char out[DDCI_ID_MAX], const struct ddci_failure *f);

int ddci_dora_deployment_json(cJSON **out, const struct ddci_deployment *d) DDCI_WUR;
int ddci_dora_failure_json(cJSON **out, const struct ddci_failure *f) DDCI_WUR;

int ddci_dora_send_deployment(struct ddci_dora_result *res, struct ddci_client *c,
			      const struct ddci_deployment *d) DDCI_WUR;
int ddci_dora_send_failure(struct ddci_dora_result *res, struct ddci_client *c,
			   const struct ddci_failure *f) DDCI_WUR;

#endif
