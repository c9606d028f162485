/* dora_report.h — the four DORA figures, computed from listed deployments.
 *
 * Deployment frequency, lead time for changes (commit time of every commit
 * a deployment shipped, read with libgit2 over the range between
 * consecutive deployments), change failure rate and time to restore.  The
 * arithmetic (ddci_dora_report_compute) is pure so it can be unit-tested;
 * dora_render.h turns the figures into text, JSON, Markdown and HTML.
 */
#ifndef DDCI_DORA_REPORT_H
#define DDCI_DORA_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "ddci/client.h"
#include "ddci/dora.h"
#include "ddci/error.h"
#include "ddci/git.h"

#define DDCI_DORA_MAX_BUCKETS 60

/* The figures of one period of the window, for the charts. */
struct ddci_dora_bucket {
	int64_t start_ns;
	size_t deployments, change_failures, lead_samples, restores;
	int64_t lead_median_ns, restore_median_ns; /* -1 when there is none */
};

struct ddci_dora_report {
	int64_t from_ns, to_ns;
	size_t deployments;
	double per_day, per_week;          /* deployments / days in [from, to] (x 7) */
	size_t lead_samples;               /* commits with a lead time */
	int64_t lead_median_ns, lead_p90_ns; /* -1 when there is no sample */
	size_t commits_missing;            /* deployed commits not in the local repository */
	size_t failures;                   /* failure events read for the service */
	size_t change_failures;            /* deployments a failure event follows, or marked change_failure */
	int change_failure_known;          /* Datadog gave failure events or change_failure */
	double change_failure_rate;        /* change_failures / deployments; -1 with none or unknown */
	size_t restores;                   /* restore samples: resolved failures, remediations */
	int64_t restore_median_ns;         /* -1 when there is none */
	/* Over time: an hour for windows up to 2 days, a day up to 14, a week
	 * (from Monday, UTC) up to 60 weeks, else longer; at most
	 * DDCI_DORA_MAX_BUCKETS.  A deployment counts in the bucket it finished
	 * in, a lead time with its deployment, a restore with the failed one. */
	int64_t bucket_ns;
	size_t nbuckets;
	struct ddci_dora_bucket buckets[DDCI_DORA_MAX_BUCKETS];
};

/* Median (mean of the middle two for an even count) and p90 (nearest rank:
 * the ceil(0.9 n)-th smallest) of v; sorts v.  -1 for n == 0. */
int64_t ddci_median_ns(int64_t *v, size_t n);
int64_t ddci_p90_ns(int64_t *v, size_t n);

/* Figures from deployments (any order), failure events and lead-time
 * samples; documented data first.  A change failure is a deployment that a
 * failure event follows (the one of the failure's commit, else the latest
 * finished before the failure started), or one Datadog marks change_failure
 * (not in the documented list answer).  With neither (no failure events, no
 * change_failure anywhere) the rate is unknown: change_failure_known 0.
 * Time to restore: resolved failures (finished - started), and remediation
 * deployment finished - failed deployment finished where a remediation id
 * is among `deps`.  lead_at_ns[i] is when sample i's deployment finished
 * (NULL: no lead time per bucket). */
int ddci_dora_report_compute(struct ddci_dora_report *out, const struct ddci_dora_dep *deps, size_t n,
			     const struct ddci_dora_fail *fails, size_t nf, const int64_t *lead_ns,
			     const int64_t *lead_at_ns, size_t nlead, int64_t from_ns, int64_t to_ns) DDCI_WUR;

/* Commits read in all by the history walks of one report (a Datadog
 * answer decides them: deployments alternating old and new commits would
 * re-walk the history each time). */
#define DDCI_DORA_MAX_COMMITS 1000000

/* Lead-time samples: for each deployment (sorted by finished_at here), every
 * commit in previous-commit..commit gives finished_at - commit time; the
 * first deployment counts from `before_sha` (the deployment before the
 * window) or, when NULL, its own commit only; commits dated after the
 * deployment finished (clock skew) are skipped.  Commits missing locally are
 * counted in *missing and skipped.  *out is malloc'd (free()); so is *at
 * (when at is not NULL): when each sample's deployment finished. */
int ddci_dora_lead_samples(int64_t **out, int64_t **at, size_t *nout, size_t *missing, struct ddci_repo *r,
			   struct ddci_dora_dep *deps, size_t n, const char *before_sha) DDCI_WUR;

/* Lists the deployments and failure events of service/env in [from, to]
 * (and the deployment before), reads commit times from `r` (may be NULL: no
 * lead time) and computes. */
int ddci_dora_report(struct ddci_dora_report *out, struct ddci_client *c, struct ddci_repo *r,
		     const char *service, const char *env, int64_t from_ns, int64_t to_ns) DDCI_WUR;

#endif
