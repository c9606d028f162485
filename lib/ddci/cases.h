/* cases.h — Case Management aggregate: POST /api/v2/cases/aggregate.
 *
 * Builds the request (query filter, group-by fields, group limit) and reads
 * the total and the per-group counts; the gate on open cases is a compare
 * of that total against a maximum.
 */
#ifndef DDCI_CASES_H
#define DDCI_CASES_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "ddci/client.h"
#include "ddci/error.h"
#include "ddci/strv.h"

#define DDCI_CASES_PATH "/api/v2/cases/aggregate"
#define DDCI_CASES_MAX_GROUPS 4
#define DDCI_CASES_MAX_LIMIT 1000 /* group_by.limit: int32, maximum 1000 */

struct ddci_cases_query {
	const char *query;                /* query_filter; NULL or "": all cases ("*") */
	const struct ddci_strv *group_by; /* fields ("status", "priority"); NULL/empty: status */
	int64_t limit;                    /* group_by.limit; 0: the maximum (1000) */
};

struct ddci_cases_group {
	char *group;     /* the group's value ("OPEN"), as text */
	int64_t count;
};

struct ddci_cases_result {
	int64_t total;
	struct ddci_cases_group *groups;
	size_t ngroups;
	int dry_run;
};

/* Group-by fields are names of [a-z0-9_.], at most DDCI_CASES_MAX_GROUPS;
 * limit 1..1000 (the spec's range).  Messages name the flag. */
int ddci_cases_check(const struct ddci_cases_query *q) DDCI_WUR;

/* {"data":{"type":"aggregate","attributes":{"query_filter":..,"group_by":{"groups":[..],"limit":N}}}},
 * every member sent (all are required). */
int ddci_cases_request_json(cJSON **out, const struct ddci_cases_query *q) DDCI_WUR;

/* Reads data.attributes.total and .groups[] ({"group": .., "value": [n] or n}). */
int ddci_cases_parse(struct ddci_cases_result *out, const cJSON *resp) DDCI_WUR;

/* Sends the aggregate; in --dry-run prints it and sets out->dry_run. */
int ddci_cases_aggregate(struct ddci_cases_result *out, struct ddci_client *c, const struct ddci_cases_query *q) DDCI_WUR;

void ddci_cases_result_release(struct ddci_cases_result *r);

#endif
