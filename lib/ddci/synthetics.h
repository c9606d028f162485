/* synthetics.h — a Synthetic test's version history, and its changes as text.
 *
 * Reads GET /api/v2/synthetics/tests/{public_id}/version_history page by page
 * (last_version_number until meta.next_last_version_number is null), newest
 * version first, with one page in memory, and renders each version's
 * change_metadata (action, property path, before/after values and
 * diff_patches) as a readable unified-style diff.
 */
#ifndef DDCI_SYNTHETICS_H
#define DDCI_SYNTHETICS_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "ddci/buf.h"
#include "ddci/client.h"
#include "ddci/error.h"

#define DDCI_SYNTH_MAX_LIMIT 50 /* versions per page Datadog accepts */

struct ddci_synth_query {
	const char *public_id;   /* "abc-def-ghi" */
	int limit;               /* versions per page, 1..50; 0: Datadog's default */
	int64_t since_version;   /* only versions newer than this; 0: all */
	int64_t since_ns;        /* only versions created after this; 0: all */
	int64_t max_versions;    /* stop after this many; 0: all */
};

struct ddci_synth_result {
	int64_t versions;        /* handed to on_version */
	int pages;
	int64_t retention_days;  /* meta.retention_period_in_days, or -1 */
};

/* Checks the public id ([A-Za-z0-9-], 1..64) and the numbers. */
int ddci_synth_check(const struct ddci_synth_query *q) DDCI_WUR;

/* The request path for one page; last_version 0 for the first. */
int ddci_synth_path(char **out, const struct ddci_synth_query *q, int64_t last_version) DDCI_WUR;

/* Calls on_version for each version ("data" item) in the order Datadog
 * returns them, newest first; stops at the first version not newer than
 * --since-version / --since.  on_version returns 0 or < 0 to stop with
 * that error.  Returns 0, DDCI_DRY_RUN, or an error. */
int ddci_synth_history(struct ddci_synth_result *res, struct ddci_client *c, const struct ddci_synth_query *q,
		       int (*on_version)(void *ctx, const cJSON *version), void *ctx) DDCI_WUR;

/* Renders one version (a "data" item) as text:
 *
 *   version 5  2024-01-01T00:00:00+00:00  by 0000-...
 *     updated config.request.url
 *       --- before
 *       +++ after
 *       -https://example.com/v1
 *       +https://example.com/v2
 *
 * diff_patches become "@@ -a,b +c,d @@" hunks with lines of context.
 * Control characters are shown as \xNN.  Unknown or missing fields are
 * rendered as what they are, never an error except out of memory: this
 * renders what a server sent. */
int ddci_synth_render_version(struct ddci_buf *out, const cJSON *version) DDCI_WUR;

/* One change_metadata item: action, property path and the diff. */
int ddci_synth_render_change(struct ddci_buf *out, const cJSON *change, const char *indent) DDCI_WUR;

/* A line diff of two texts, unified style ("-old", "+new", " same"), each
 * line prefixed with indent. */
int ddci_synth_render_diff(struct ddci_buf *out, const char *before, const char *after, const char *indent) DDCI_WUR;

#endif
