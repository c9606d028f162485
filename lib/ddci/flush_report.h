/* flush_report.h — what ddci-flush prints of a flush: "N delivered, N
 * rejected, N left", or the same numbers as one JSON object
 * (docs/schemas/ddci-flush.schema.json).
 */
#ifndef DDCI_FLUSH_REPORT_H
#define DDCI_FLUSH_REPORT_H

#include <stdio.h>

#include "ddci/config.h"
#include "ddci/error.h"
#include "ddci/flush.h"

/* Writes the counts to f: text, or a pretty JSON object for
 * DDCI_OUTPUT_JSON.  "left" is what was found and neither sent nor
 * rejected (never below 0). */
int ddci_flush_report(FILE *f, enum ddci_output format, const struct ddci_flush_stats *st) DDCI_WUR;

#endif
