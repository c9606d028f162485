/* gate.h — quality gates: thresholds, the offending rows and the verdict.
 *
 * A gate is a list of checks (one per threshold flag: a limit, the value
 * observed, and a one-line explanation) plus the offending rows, of which
 * only the DDCI_GATE_TOP with the most impact are kept (memory never grows
 * with the data read).  A check fails when its value is above the limit:
 * exactly at the limit passes.  report.h turns a gate into text, JSON,
 * Markdown, JUnit and GitHub outputs.  This is the model only (no I/O):
 * the two gates ddci ships, which read git and Datadog, are gate_flaky.h
 * and gate_failrate.h.
 */
#ifndef DDCI_GATE_H
#define DDCI_GATE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "ddci/error.h"

#define DDCI_GATE_MAX_CHECKS 8
#define DDCI_GATE_MAX_COLS 10
#define DDCI_GATE_MAX_COUNTS 12
#define DDCI_GATE_TOP 50
#define DDCI_GATE_MAX_CHARTS 2
#define DDCI_GATE_HIST_MAX 12

enum ddci_gate_unit { DDCI_UNIT_COUNT = 0, DDCI_UNIT_PCT, DDCI_UNIT_MS };

struct ddci_gate_check {
	const char *id;         /* "max-active": JSON key and JUnit testcase */
	const char *flag;       /* "--max-active" */
	const char *what;       /* "active flaky tests" */
	enum ddci_gate_unit unit;
	double limit;
	double value;           /* observed: a count, the worst rate, a sum */
	int64_t offenders;      /* rows over this check's line */
	int no_data;            /* too little data to judge: not judged, value
				   * is what was observed */
	int failed;
	char explain[320];      /* set by ddci_gate_evaluate() */
};

struct ddci_gate_row {
	char *cells[DDCI_GATE_MAX_COLS];
	double impact;          /* larger first */
	unsigned checks;        /* bit i: offends checks[i] */
	char *file;             /* source file for annotations, or NULL */
	int line;
	char *label;            /* short name for messages */
	cJSON *json;            /* the row for --output json */
};

#define DDCI_GATE_CHART_TOP 10

/* A ranked bar chart for the reports (report.h draws it): one number from
 * each row's JSON.  ddci_gate_add_row ranks every row offered (kept or not)
 * by that number, so the chart shows the top rows by its own measure. */
struct ddci_gate_chart {
	const char *title;      /* "Flaky tests by failure rate" */
	const char *key;        /* row JSON number: "failure_rate_pct" */
	const char *unit;       /* table column: "failure rate %" */
	double scale;           /* value x scale; 0 = 1 */
	double limit;           /* limit in the scaled unit; <= 0 none */
	enum ddci_gate_unit vunit; /* how values read: "12.50%", "1h 02m" */
	/* Filled by ddci_gate_add_row: the DDCI_GATE_CHART_TOP largest values
	 * (scaled), largest first, with the row's first cell; nvalues rows had
	 * the key. */
	char *top_name[DDCI_GATE_CHART_TOP];
	double top[DDCI_GATE_CHART_TOP];
	size_t ntop;
	int64_t nvalues;
};

enum ddci_gate_count_kind { DDCI_COUNT_TEXT = 0, DDCI_COUNT_INT, DDCI_COUNT_NUM };

/* A count kept typed until it is rendered (report.h): --output json writes
 * an INT as an exact integer, a NUM as a number, TEXT (a sha, "passed") as
 * a string; GitHub outputs write an INT in full and a NUM with two
 * decimals. */
struct ddci_gate_count {
	const char *key;        /* GitHub output / JSON name: "active" */
	enum ddci_gate_count_kind kind;
	int64_t i;              /* INT */
	double d;               /* NUM */
	char text[32];          /* TEXT */
};

/* A point of the rate over time (the failure-rate gate's trend). */
struct ddci_gate_point {
	int64_t time_ms;        /* start of the bucket */
	int64_t runs, failed;   /* failure rate = failed / runs, none when no runs */
};

struct ddci_gate {
	const char *name;       /* "ddci-flaky-gate" */
	const char *title;      /* "Flaky test gate" */
	const char *subject;    /* what rows are: "flaky tests" */
	const char *order;      /* how rows are sorted, shown over the table:
				 * "most pipeline time lost first" */
	const char *const *cols;
	int ncols;
	struct ddci_gate_check checks[DDCI_GATE_MAX_CHECKS];
	int nchecks;
	struct ddci_gate_row *rows; /* at most DDCI_GATE_TOP, sorted by evaluate */
	size_t nrows;
	int64_t rows_seen;      /* rows offered, kept or not */
	struct ddci_gate_count counts[DDCI_GATE_MAX_COUNTS];
	int ncounts;
	char scope[1024];       /* the query the data came from */
	char note[512];         /* "not enough data: ...", warnings */
	char trend[512];        /* sparkline line, or "" */
	int trend_read;         /* the trend was read: points (maybe none) */
	struct ddci_gate_point *points; /* oldest first */
	size_t npoints;
	double trend_limit;     /* threshold line on the trend chart; <= 0 none */
	struct ddci_gate_chart charts[DDCI_GATE_MAX_CHARTS];
	int ncharts;
	/* Counts per period, oldest first, for a bar chart ("flaky tests by
	 * week first flaked"): hist[i] covers hist_start_ms + i * hist_step_ms. */
	const char *hist_title;
	int64_t hist_start_ms, hist_step_ms;
	double hist[DDCI_GATE_HIST_MAX];
	int nhist;
	int failed;
};

void ddci_gate_init(struct ddci_gate *g, const char *name, const char *title, const char *subject,
		    const char *const *cols, int ncols);
void ddci_gate_release(struct ddci_gate *g);

/* Returns the check's index (>= 0) or DDCI_EUSAGE when there are too many. */
int ddci_gate_add_check(struct ddci_gate *g, const char *id, const char *flag, const char *what,
			enum ddci_gate_unit unit, double limit) DDCI_WUR;
/* Is `value` over check i's line (strictly above the limit)? */
int ddci_gate_over(const struct ddci_gate *g, int i, double value);

/* Declares a ranked chart (before the rows are offered: it ranks the rows
 * offered after it).  DDCI_EUSAGE when there are too many. */
int ddci_gate_add_chart(struct ddci_gate *g, const char *title, const char *key, const char *unit,
			enum ddci_gate_unit vunit, double scale, double limit) DDCI_WUR;
/* Offers a row; cells are copied, json is taken (freed if not kept).  Only
 * the DDCI_GATE_TOP rows with the most impact are kept; every chart ranks it. */
int ddci_gate_add_row(struct ddci_gate *g, const char *const *cells, double impact, unsigned checks,
		      const char *file, int line, const char *label, cJSON *json) DDCI_WUR;
/* Sets a count (the same key again replaces it; past DDCI_GATE_MAX_COUNTS
 * keys, new ones are dropped): a TEXT (cut to 31 bytes), an INT, a NUM. */
void ddci_gate_set_text(struct ddci_gate *g, const char *key, const char *v);
void ddci_gate_set_int(struct ddci_gate *g, const char *key, int64_t v);
void ddci_gate_set_num(struct ddci_gate *g, const char *key, double v);

/* Numbers from the server a gate decides on are sound: a count is finite,
 * non-negative and integral within int64.  DDCI_EPROTO naming `field`
 * otherwise (exit 3: gates fail closed). */
int ddci_gate_sound_count(int64_t *out, double v, const char *field) DDCI_WUR;
/* a + b for non-negative counts, INT64_MAX when it would overflow. */
int64_t ddci_gate_sat_add(int64_t a, int64_t b);

/* Decides every check (failed = value > limit), writes the explanations and
 * sorts the rows by impact.  Returns 1 when the gate failed, else 0. */
int ddci_gate_evaluate(struct ddci_gate *g);

/* "12.50%", "3", "1h 02m" for a value in a check's unit. */
void ddci_gate_format(char *buf, size_t n, enum ddci_gate_unit unit, double v);

/* Sparkline of values[0..n) scaled 0..max into out (UTF-8 ▁..█). */
void ddci_gate_sparkline(char *out, size_t size, const double *values, size_t n);

#endif
