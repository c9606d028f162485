/* dora_report.c — deployment frequency, lead time, change failure rate,
 * time to restore: collected from Datadog and git, then computed (pure).
 * Rendering is dora_render.c. */
#include "ddci/dora_report.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/buf.h"
#include "ddci/timeutil.h"

#define HOUR_NS (3600 * DDCI_NS_PER_SEC)
#define DAY_NS (24 * HOUR_NS)

/* v with room for element n (of `size` bytes): doubled from `first` when
 * full, *cap updated; NULL (error set, v untouched) when out of memory. */
static void *grow(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : first;
	if (!(nv = realloc(v, ncap * size))) {
		ddci_error_oom();
		return NULL;
	}
	*cap = ncap;
	return nv;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t ddci_median_ns(int64_t *v, size_t n)
{
	if (!n)
		return -1;
	qsort(v, n, sizeof(*v), cmp_i64);
	if (n % 2)
		return v[n / 2];
	return v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

int64_t ddci_p90_ns(int64_t *v, size_t n)
{
	size_t rank;

	if (!n)
		return -1;
	qsort(v, n, sizeof(*v), cmp_i64);
	rank = (n * 9 + 9) / 10; /* ceil(0.9 n) */
	return v[rank - 1];
}

/* Bucket size and first bucket start for a window (see dora_report.h). */
static void bucketing(struct ddci_dora_report *out)
{
	int64_t span = out->to_ns - out->from_ns, size, start, days;

	if (span <= 0)
		return;
	if (span <= 2 * DAY_NS)
		size = HOUR_NS;
	else if (span <= 14 * DAY_NS)
		size = DAY_NS;
	else if (span <= 60 * 7 * DAY_NS)
		size = 7 * DAY_NS;
	else
		size = (span / DAY_NS / DDCI_DORA_MAX_BUCKETS + 1) * DAY_NS;
	start = out->from_ns - out->from_ns % size; /* from_ns >= 0: times are after 1970 */
	if (size == 7 * DAY_NS) { /* weeks from Monday: 1970-01-01 was a Thursday */
		days = out->from_ns / DAY_NS;
		start = (days - (days + 3) % 7) * DAY_NS;
	} else if (size > DAY_NS) {
		start = out->from_ns - out->from_ns % DAY_NS;
	}
	out->bucket_ns = size;
	out->nbuckets = (size_t)((out->to_ns - start + size - 1) / size);
	if (out->nbuckets > DDCI_DORA_MAX_BUCKETS)
		out->nbuckets = DDCI_DORA_MAX_BUCKETS;
	if (!out->nbuckets)
		out->nbuckets = 1;
	for (size_t i = 0; i < out->nbuckets; i++) {
		out->buckets[i].start_ns = start + (int64_t)i * size;
		out->buckets[i].lead_median_ns = out->buckets[i].restore_median_ns = -1;
	}
}

/* The bucket of time t, clamped to the window's buckets. */
static size_t bucket_of(const struct ddci_dora_report *r, int64_t t)
{
	int64_t i;

	if (!r->nbuckets || t < r->buckets[0].start_ns)
		return 0;
	i = (t - r->buckets[0].start_ns) / r->bucket_ns;
	return i >= (int64_t)r->nbuckets ? r->nbuckets - 1 : (size_t)i;
}

static int64_t when(const struct ddci_dora_dep *d)
{
	return d->finished_ns > 0 ? d->finished_ns : d->started_ns;
}

/* The median of the values whose time falls in bucket k (scratch: tmp). */
static int64_t bucket_median(size_t *count, const struct ddci_dora_report *r, size_t k, const int64_t *v,
			     const int64_t *at, size_t n, int64_t *tmp)
{
	size_t m = 0;

	for (size_t i = 0; at && i < n; i++)
		if (bucket_of(r, at[i]) == k)
			tmp[m++] = v[i];
	*count = m;
	return ddci_median_ns(tmp, m);
}

/* The deployment failure f follows: the one of its commit (or version)
 * finished before it started, else the latest finished before it; -1. */
static ptrdiff_t failed_deployment(const struct ddci_dora_dep *deps, size_t n, const struct ddci_dora_fail *f)
{
	ptrdiff_t best = -1, same = -1;

	for (size_t i = 0; i < n; i++) {
		int64_t fin = when(&deps[i]);

		if (fin > f->started_ns)
			continue;
		if (best < 0 || fin > when(&deps[best]))
			best = (ptrdiff_t)i;
		if (((f->commit_sha && deps[i].commit_sha && !strcmp(f->commit_sha, deps[i].commit_sha)) ||
		     (f->version && deps[i].version && !strcmp(f->version, deps[i].version))) &&
		    (same < 0 || fin > when(&deps[same])))
			same = (ptrdiff_t)i;
	}
	return same >= 0 ? same : best;
}

/* Which deployments are change failures (cf[i]), and the restore samples. */
static void change_failures(struct ddci_dora_report *out, unsigned char *cf, int64_t *restore, int64_t *restore_at,
			    const struct ddci_dora_dep *deps, size_t n, const struct ddci_dora_fail *fails, size_t nf)
{
	out->failures = nf;
	out->change_failure_known = nf > 0;
	for (size_t i = 0; i < n; i++) {
		cf[i] = deps[i].change_failure != 0;
		if (deps[i].change_failure || deps[i].change_failure_known)
			out->change_failure_known = 1;
	}
	for (size_t k = 0; k < nf; k++) {
		ptrdiff_t i = failed_deployment(deps, n, &fails[k]);

		if (i >= 0)
			cf[i] = 1;
		if (fails[k].finished_ns >= fails[k].started_ns && fails[k].finished_ns > 0) {
			restore_at[out->restores] = fails[k].started_ns;
			restore[out->restores++] = fails[k].finished_ns - fails[k].started_ns;
		}
	}
	for (size_t i = 0; i < n; i++) {
		out->change_failures += cf[i];
		if (!deps[i].change_failure || !deps[i].remediation_id)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (j != i && deps[j].id && !strcmp(deps[j].id, deps[i].remediation_id) &&
			    deps[j].finished_ns >= deps[i].finished_ns) {
				restore_at[out->restores] = when(&deps[i]);
				restore[out->restores++] = deps[j].finished_ns - deps[i].finished_ns;
				break;
			}
		}
	}
}

int ddci_dora_report_compute(struct ddci_dora_report *out, const struct ddci_dora_dep *deps, size_t n,
			     const struct ddci_dora_fail *fails, size_t nf, const int64_t *lead_ns,
			     const int64_t *lead_at_ns, size_t nlead, int64_t from_ns, int64_t to_ns)
{
	int64_t *tmp = NULL, *restore = NULL, *restore_at = NULL;
	unsigned char *cf = NULL;
	size_t scratch = nlead > n + nf ? nlead : n + nf;
	double days;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->from_ns = from_ns;
	out->to_ns = to_ns;
	out->deployments = n;
	days = (double)(to_ns - from_ns) / (86400.0 * (double)DDCI_NS_PER_SEC);
	if (days > 0) {
		out->per_day = (double)n / days;
		out->per_week = out->per_day * 7.0;
	}
	if ((scratch && (!(tmp = malloc(scratch * sizeof(*tmp))) || !(restore = malloc(scratch * sizeof(*restore))) ||
			 !(restore_at = malloc(scratch * sizeof(*restore_at))))) ||
	    (n && !(cf = calloc(n, 1)))) {
		rc = ddci_error_oom();
		goto done;
	}
	if (nlead)
		memcpy(tmp, lead_ns, nlead * sizeof(*tmp));
	out->lead_samples = nlead;
	out->lead_median_ns = ddci_median_ns(tmp, nlead);
	out->lead_p90_ns = ddci_p90_ns(tmp, nlead);
	change_failures(out, cf, restore, restore_at, deps, n, fails, nf);
	out->change_failure_rate = n && out->change_failure_known ? (double)out->change_failures / (double)n : -1;
	if (out->restores)
		memcpy(tmp, restore, out->restores * sizeof(*tmp));
	out->restore_median_ns = ddci_median_ns(tmp, out->restores);

	bucketing(out);
	for (size_t i = 0; i < n && out->nbuckets; i++) {
		struct ddci_dora_bucket *b = &out->buckets[bucket_of(out, when(&deps[i]))];
		b->deployments++;
		b->change_failures += cf[i];
	}
	for (size_t k = 0; k < out->nbuckets; k++) {
		struct ddci_dora_bucket *b = &out->buckets[k];
		b->lead_median_ns = bucket_median(&b->lead_samples, out, k, lead_ns, lead_at_ns, nlead, tmp);
		b->restore_median_ns = bucket_median(&b->restores, out, k, restore, restore_at, out->restores, tmp);
	}
done:
	free(tmp);
	free(restore);
	free(restore_at);
	free(cf);
	return rc;
}


static int cmp_finished(const void *a, const void *b)
{
	const struct ddci_dora_dep *x = a, *y = b;

	return (x->finished_ns > y->finished_ns) - (x->finished_ns < y->finished_ns);
}

struct samples {
	int64_t *v, *at;
	size_t n, cap;
	int64_t finished_ns;
	int rc;
};

static int add_sample(const char *sha, int64_t time_ns, void *ctx)
{
	struct samples *s = ctx;
	size_t cap = s->cap;
	int64_t *nv;

	(void)sha;
	if (time_ns > s->finished_ns)
		return 0; /* committed after the deployment finished: a skewed clock */
	if (!(nv = grow(s->v, &cap, s->n, sizeof(*nv), 64))) {
		s->rc = DDCI_ENOMEM;
		return 1;
	}
	s->v = nv;
	if (!(nv = grow(s->at, &s->cap, s->n, sizeof(*nv), 64))) {
		s->rc = DDCI_ENOMEM;
		return 1;
	}
	s->at = nv;
	s->at[s->n] = s->finished_ns;
	s->v[s->n++] = s->finished_ns - time_ns;
	return 0;
}

int ddci_dora_lead_samples(int64_t **out, int64_t **at, size_t *nout, size_t *missing, struct ddci_repo *r,
			   struct ddci_dora_dep *deps, size_t n, const char *before_sha)
{
	struct samples s = { NULL, NULL, 0, 0, 0, 0 };
	const char *prev = before_sha;
	char sha[41];
	int rc = 0;

	*out = NULL;
	if (at)
		*at = NULL;
	*nout = 0;
	*missing = 0;
	if (n)
		qsort(deps, n, sizeof(*deps), cmp_finished);
	if (prev && !ddci_git_is_sha(prev))
		prev = NULL;
	for (size_t i = 0; r && i < n; i++) {
		const char *cur = deps[i].commit_sha;
		if (!cur)
			continue;
		/* Server data: only a sha reaches git (no revision syntax). */
		if (!ddci_git_is_sha(cur) || ddci_git_resolve(sha, r, cur) < 0) {
			(*missing)++;
			continue;
		}
		s.finished_ns = deps[i].finished_ns;
		if (prev && ddci_git_resolve(sha, r, prev) == 0)
			rc = ddci_git_walk_range(r, prev, cur, 0, add_sample, &s);
		else
			rc = ddci_git_walk_range(r, NULL, cur, 1, add_sample, &s);
		if (s.rc < 0) {
			rc = s.rc;
			goto done;
		}
		if (rc == DDCI_EUNAVAIL || (rc < 0 && ddci_git_over_budget(r)))
			goto done; /* out of time or of the walk budget */
		if (rc < 0) { /* history missing (shallow): count the deployed commit alone */
			int64_t t;
			rc = 0;
			if (ddci_git_commit_time(&t, r, cur) == 0 && add_sample(cur, t, &s) != 0) {
				rc = s.rc;
				goto done;
			}
		}
		prev = cur;
	}
	ddci_error_clear();
	*out = s.v;
	if (at) {
		*at = s.at;
		s.at = NULL;
	}
	*nout = s.n;
	s.v = NULL;
done:
	free(s.v);
	free(s.at);
	return rc;
}

struct collect {
	struct ddci_dora_dep *v;
	size_t n, cap;
	int64_t from_ns, to_ns; /* the window, both ends in: the API's is in seconds */
};

static int collect_one(void *ctx, const cJSON *event)
{
	struct collect *c = ctx;
	struct ddci_dora_dep *nv;
	int rc;

	if (!(nv = grow(c->v, &c->cap, c->n, sizeof(*nv), 32)))
		return DDCI_ENOMEM;
	c->v = nv;
	if ((rc = ddci_dora_dep_parse(&c->v[c->n], event)) < 0)
		return rc;
	if (c->v[c->n].started_ns < c->from_ns || c->v[c->n].started_ns > c->to_ns) {
		ddci_dora_dep_release(&c->v[c->n]);
		return 0;
	}
	c->n++;
	return 0;
}

struct collect_fails {
	struct ddci_dora_fail *v;
	size_t n, cap;
};

static int collect_fail(void *ctx, const cJSON *event)
{
	struct collect_fails *c = ctx;
	struct ddci_dora_fail *nv;
	int rc;

	if (!(nv = grow(c->v, &c->cap, c->n, sizeof(*nv), 32)))
		return DDCI_ENOMEM;
	c->v = nv;
	if ((rc = ddci_dora_fail_parse(&c->v[c->n], event)) < 0)
		return rc;
	c->n++;
	return 0;
}

static int keep_first(void *ctx, const cJSON *event)
{
	struct ddci_dora_dep *d = ctx;
	int rc = ddci_dora_dep_parse(d, event);

	return rc < 0 ? rc : 1;
}

int ddci_dora_report(struct ddci_dora_report *out, struct ddci_client *c, struct ddci_repo *r,
		     const char *service, const char *env, int64_t from_ns, int64_t to_ns)
{
	struct ddci_dora_query q = { DDCI_DORA_DEPLOYMENTS, from_ns, to_ns, NULL, "started_at", 0 };
	struct ddci_buf query = DDCI_BUF_INIT;
	struct collect all = { NULL, 0, 0, from_ns, to_ns };
	struct collect_fails fails = { NULL, 0, 0 };
	struct ddci_dora_dep before;
	int64_t *lead = NULL, *lead_at = NULL;
	size_t nlead = 0, missing = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&before, 0, sizeof(before));
	if (!service || !*service)
		return ddci_error_set(DDCI_EUSAGE, "missing --service (or DD_SERVICE)");
	if (to_ns <= from_ns)
		return ddci_error_set(DDCI_EUSAGE, "invalid --from/--to: --from must be before --to");
	if ((rc = ddci_buf_addf(&query, "service:\"%s\"", service)) < 0 ||
	    (env && (rc = ddci_buf_addf(&query, " env:\"%s\"", env)) < 0))
		goto done;
	q.query = ddci_buf_str(&query);
	if ((rc = ddci_dora_list(c, &q, collect_one, &all)) != 0)
		goto done;
	q.kind = DDCI_DORA_FAILURES; /* change failures and restores from documented data */
	if ((rc = ddci_dora_list(c, &q, collect_fail, &fails)) != 0)
		goto done;
	if (r) { /* the deployment just before the window starts the first range */
		/* "to" whole: rounded up, it could return one in the window */
		struct ddci_dora_query pq = { DDCI_DORA_DEPLOYMENTS, 0, from_ns - from_ns % DDCI_NS_PER_SEC, q.query,
					      "-started_at", 1 };
		if ((rc = ddci_dora_list(c, &pq, keep_first, &before)) != 0)
			goto done;
		/* The server's deployments decide how much history is walked. */
		ddci_git_set_limits(r, c && c->cfg ? c->cfg->deadline_mono_ns : 0, DDCI_DORA_MAX_COMMITS);
		if ((rc = ddci_dora_lead_samples(&lead, &lead_at, &nlead, &missing, r, all.v, all.n,
						   before.commit_sha)) < 0)
			goto done;
	}
	rc = ddci_dora_report_compute(out, all.v, all.n, fails.v, fails.n, lead, lead_at, nlead, from_ns, to_ns);
	out->commits_missing = missing;
done:
	for (size_t i = 0; i < all.n; i++)
		ddci_dora_dep_release(&all.v[i]);
	free(all.v);
	for (size_t i = 0; i < fails.n; i++)
		ddci_dora_fail_release(&fails.v[i]);
	free(fails.v);
	free(lead);
	free(lead_at);
	ddci_dora_dep_release(&before);
	ddci_buf_release(&query);
	return rc;
}
