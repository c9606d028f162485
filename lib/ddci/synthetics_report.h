/* synthetics_report.h — what ddci-synthetics-history does with its flags
 * and Datadog's answers: the history query built (and checked) from the
 * flags, and each version written as it arrives: a readable diff, or the
 * versions as Datadog returned them in one JSON array.
 *
 * The writer writes only to the stream it is given.
 */
#ifndef DDCI_SYNTHETICS_REPORT_H
#define DDCI_SYNTHETICS_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "ddci/client.h"
#include "ddci/error.h"
#include "ddci/synthetics.h"

/* The flags of ddci-synthetics-history, as given (NULL: not given). */
struct ddci_synth_flags {
	const char *since_version, *since, *limit, *max_versions, *page_size;
};

/* Flags -> query (q->public_id set by the caller, kept); every check
 * happens here, before anything is sent; messages name the flag. */
int ddci_synth_history_query(struct ddci_synth_query *q, const struct ddci_synth_flags *f) DDCI_WUR;

/* Where the versions go. */
struct ddci_synth_out {
	FILE *f;
	const char *f_name; /* for the message when writing fails: "stdout" */
	int json;           /* a JSON array of the versions, else text */
	int64_t n;          /* filled: versions written */
};

/* Reads the history (synthetics.h), writing each version as it arrives and
 * flushing f after each, then the end of the JSON array, or "no versions"
 * ("... since then" with --since-version or --since) when there was none.
 * Returns 0, DDCI_DRY_RUN (nothing written), or an error. */
int ddci_synth_history_write(struct ddci_synth_result *res, struct ddci_client *c, const struct ddci_synth_query *q,
			     struct ddci_synth_out *o) DDCI_WUR;

#endif
