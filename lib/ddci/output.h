/* output.h — where results go besides stdout: GitHub Actions outputs,
 * step summary and annotations, and the report files gates write.
 *
 * Everything written here passes through redact.h first, then sanitize.h
 * for its channel: terminal text (tables, ddci_print), a document (step
 * summary, report files, GitHub outputs) or JSON.
 */
#ifndef DDCI_OUTPUT_H
#define DDCI_OUTPUT_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "ddci/error.h"
#include "ddci/sanitize.h"

/* A malloc'd copy of text, redacted, then sanitised for channel ch; NULL
 * (error set) when out of memory. */
char *ddci_output_clean(const char *text, enum ddci_chan ch);

/* Appends `key=value` to $GITHUB_OUTPUT when set (multi-line values use the
 * heredoc form with a random delimiter). Returns 0 when unset.  Ids from the
 * server are checked first (sanitize.h: ddci_san_check_id). */
int ddci_gh_output(const char *key, const char *value) DDCI_WUR;
/* Appends Markdown to $GITHUB_STEP_SUMMARY when set. */
int ddci_gh_summary(const char *markdown) DDCI_WUR;
/* Whether $GITHUB_STEP_SUMMARY is set: a summary is worth rendering. */
int ddci_gh_summary_wanted(void);
/* "::error file=F,line=L,title=T::message" to stdout when GITHUB_ACTIONS
 * is "true" (level: "error", "warning", "notice"); file may be NULL. */
void ddci_gh_annotate(const char *level, const char *file, int line, const char *title,
		      const char *message);
int ddci_in_github_actions(void);

/* Prints v (redacted) to f, pretty or compact, with a newline. */
int ddci_print_json(FILE *f, const cJSON *v, int pretty) DDCI_WUR;
/* The same without the newline (one item of a stream or an array). */
int ddci_put_json(FILE *f, const cJSON *v, int pretty) DDCI_WUR;

/* Writes a whole file atomically (a new mkstemp temp next to it, renamed),
 * mode 0644 or given (less the umask). */
int ddci_write_file(const char *path, const char *data, size_t len, int mode) DDCI_WUR;

/* printf to f (stdout, stderr) through the output boundary: redacted, and
 * every line safe for a terminal and a CI log (DDCI_CHAN_LINES). */
void ddci_print(FILE *f, const char *fmt, ...) DDCI_PRINTF(2, 3);

/* Text tables: columns sized to content, header row, no trailing spaces. */
struct ddci_table;
int ddci_table_new(struct ddci_table **out, int ncols, const char *const *headers) DDCI_WUR;
int ddci_table_add(struct ddci_table *t, const char *const *cells) DDCI_WUR;
void ddci_table_print(FILE *f, const struct ddci_table *t);
void ddci_table_free(struct ddci_table *t);

#endif
