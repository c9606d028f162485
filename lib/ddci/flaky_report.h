/* flaky_report.h — what ddci-flaky does with Datadog's answers: the flaky
 * tests written as they arrive (a table, a JSON array or NDJSON), the test
 * ids read back from `list --output json` output, and each test's result of
 * a state change (lines, or one JSON object).
 *
 * The writers write only to the streams they are given.
 */
#ifndef DDCI_FLAKY_REPORT_H
#define DDCI_FLAKY_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ddci/client.h"
#include "ddci/config.h"
#include "ddci/error.h"
#include "ddci/flaky.h"
#include "ddci/strv.h"

/* Where tests and results go. */
struct ddci_flaky_out {
	enum ddci_output format; /* TEXT (a table, or "ID<TAB>ok" lines), JSON or NDJSON */
	FILE *f;
	FILE *notices;           /* set-state in text: a test not updated, one line each */
	const char *prog;        /* the name notices start with */
	int64_t n;               /* filled: tests written */
};

/* The repository a list is about: repo_id, else the one git or the CI
 * names at repo_path (a copy in *owned, for the caller to free), else
 * DDCI_EUSAGE; NULL (every repository) with all_repos. */
int ddci_flaky_list_repo(const char **repository_id, char **owned, const char *repo_path, const char *repo_id,
			 int all_repos) DDCI_WUR;

/* Every page of the search (flaky.h), each test written as it arrives,
 * then the end of the JSON array (also after an error, when tests were
 * written, so what was printed stays parseable).  Returns what
 * ddci_flaky_search returned. */
int ddci_flaky_list_write(struct ddci_flaky_stats *st, struct ddci_client *c, const struct ddci_flaky_scope *s,
			  struct ddci_flaky_out *o) DDCI_WUR;

/* Appends to ids the test ids of a --from-json file: `list --output json`
 * output (an array of tests), {"data":[...]} or {"data":{a test}}, or an
 * array of id strings.  path "-" reads `dash` (the command's standard
 * input).  DDCI_EUSAGE naming --from-json when it holds no id where one
 * belongs, DDCI_EIO when it cannot be read.  (Lines are read one by one
 * only when the text does not start with JSON: cJSON_Parse takes the first
 * value and ignores what follows, so `list --output ndjson` output is not
 * read as such; kept as it was.) */
int ddci_flaky_ids_from_json(struct ddci_strv *ids, const char *path, FILE *dash) DDCI_WUR;

/* Sets ids[0..n) to state in batches of batch_size (ddci_flaky_update);
 * in text each updated test is a line "ID<TAB>ok" on f and each failure a
 * line on notices; in JSON, once all were answered,
 * {"state":..,"succeeded":N,"failed":N,"batches":N,"results":[{"id":..,
 * "success":bool,"error":..}]} on f (not in a dry run).  Returns 0 when
 * every request was answered (check res->failed), or an error. */
int ddci_flaky_set_state_write(struct ddci_flaky_update_result *res, struct ddci_client *c,
			       const char *const *ids, size_t n, const char *state, size_t batch_size,
			       struct ddci_flaky_out *o) DDCI_WUR;

#endif
