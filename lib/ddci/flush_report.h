/* flush_report.h — what ddci-flush prints of a flush: "N delivered, N
 * rejected, N left", or the same numbers as one JSON object
 * (docs/schemas/ddci-flush.schema.json).
 */
#ifndef DDCI_FLUSH_REPORT_H
#define DDCI_FLUSH_REPORT_H

#include <stdio.h>

#include "ddci/client.h"
#include "ddci/config.h"
#include "ddci/error.h"
#include "ddci/flush.h"

/* Writes the counts to f: text, or a pretty JSON object for
 * DDCI_OUTPUT_JSON.  "left" is what was found and neither sent nor
 * rejected (never below 0). */
int ddci_flush_report(FILE *f, enum ddci_output format, const struct ddci_flush_stats *st) DDCI_WUR;

/* ddci-flush's job: every event spooled in spool_dir sent (ddci_flush,
 * each file's endpoint classified by the API layer), then the counts
 * written to f, also after a failure.  DDCI_EUSAGE naming --spool when
 * spool_dir is NULL or empty. */
int ddci_flush_run(FILE *f, enum ddci_output format, struct ddci_client *c, const char *spool_dir) DDCI_WUR;

#endif
