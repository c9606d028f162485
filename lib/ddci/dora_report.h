/* dora_report.h — the four DORA figures, computed from listed deployments.
 *
 * Deployment frequency, lead time for changes (commit time of every commit
 * a deployment shipped, read with libgit2 over the range between
 * consecutive deployments), change failure rate and time to restore.  The
 * arithmetic (ddci_dora_report_compute) is pure so it can be unit-tested.
 */
#ifndef DDCI_DORA_REPORT_H
#define DDCI_DORA_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "ddci/client.h"
#include "ddci/dora.h"
#include "ddci/error.h"
#include "ddci/git.h"

struct ddci_dora_report {
	int64_t from_ns, to_ns;
	size_t deployments;
	double per_day, per_week;          /* deployments / days in [from, to] (x 7) */
	size_t lead_samples;               /* commits with a lead time */
	int64_t lead_median_ns, lead_p90_ns; /* -1 when there is no sample */
	size_t commits_missing;            /* deployed commits not in the local repository */
	size_t change_failures;
	double change_failure_rate;        /* change_failures / deployments; -1 with none */
	size_t restores;                   /* failures whose remediation was found */
	int64_t restore_median_ns;         /* -1 when there is none */
};

/* Median (mean of the middle two for an even count) and p90 (nearest rank:
 * the ceil(0.9 n)-th smallest) of v; sorts v.  -1 for n == 0. */
int64_t ddci_median_ns(int64_t *v, size_t n);
int64_t ddci_p90_ns(int64_t *v, size_t n);

/* Figures from deployments (any order) and lead-time samples.  Time to
 * restore = remediation deployment finished - failed deployment finished,
 * for change failures whose remediation id is among `deps`. */
int ddci_dora_report_compute(struct ddci_dora_report *out, const struct ddci_dora_dep *deps, size_t n,
			     const int64_t *lead_ns, size_t nlead, int64_t from_ns, int64_t to_ns) DDCI_WUR;

/* Lead-time samples: for each deployment (sorted by finished_at here), every
 * commit in previous-commit..commit gives finished_at - commit time; the
 * first deployment counts from `before_sha` (the deployment before the
 * window) or, when NULL, its own commit only; commits dated after the
 * deployment finished (clock skew) are skipped.  Commits missing locally are
 * counted in *missing and skipped.  *out is malloc'd (free()). */
int ddci_dora_lead_samples(int64_t **out, size_t *nout, size_t *missing, struct ddci_repo *r,
			   struct ddci_dora_dep *deps, size_t n, const char *before_sha) DDCI_WUR;

/* Lists the deployments of service/env in [from, to] (and the one before),
 * reads commit times from `r` (may be NULL: no lead time) and computes. */
int ddci_dora_report(struct ddci_dora_report *out, struct ddci_client *c, struct ddci_repo *r,
		     const char *service, const char *env, int64_t from_ns, int64_t to_ns) DDCI_WUR;

/* The report as JSON (durations in seconds, rates as numbers). */
int ddci_dora_report_json(cJSON **out, const struct ddci_dora_report *rep, const char *service,
			  const char *env) DDCI_WUR;

#endif
