/* dora_report.c — deployment frequency, lead time, change failure rate,
 * time to restore. */
#include "ddci/dora_report.h"

#include <stdlib.h>
#include <string.h>

#include "ddci/buf.h"
#include "ddci/json.h"
#include "ddci/timeutil.h"

static int oom(void)
{
	return ddci_error_set(DDCI_ENOMEM, "out of memory");
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

int ddci_dora_report_compute(struct ddci_dora_report *out, const struct ddci_dora_dep *deps, size_t n,
			     const int64_t *lead_ns, size_t nlead, int64_t from_ns, int64_t to_ns)
{
	int64_t *lead = NULL, *restore = NULL;
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
	if ((nlead && !(lead = malloc(nlead * sizeof(*lead)))) || (n && !(restore = malloc(n * sizeof(*restore))))) {
		rc = oom();
		goto done;
	}
	if (nlead)
		memcpy(lead, lead_ns, nlead * sizeof(*lead));
	out->lead_samples = nlead;
	out->lead_median_ns = ddci_median_ns(lead, nlead);
	out->lead_p90_ns = ddci_p90_ns(lead, nlead);
	for (size_t i = 0; i < n; i++) {
		if (!deps[i].change_failure)
			continue;
		out->change_failures++;
		if (!deps[i].remediation_id)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (j != i && deps[j].id && !strcmp(deps[j].id, deps[i].remediation_id) &&
			    deps[j].finished_ns >= deps[i].finished_ns) {
				restore[out->restores++] = deps[j].finished_ns - deps[i].finished_ns;
				break;
			}
		}
	}
	out->change_failure_rate = n ? (double)out->change_failures / (double)n : -1;
	out->restore_median_ns = ddci_median_ns(restore, out->restores);
done:
	free(lead);
	free(restore);
	return rc;
}

static int cmp_finished(const void *a, const void *b)
{
	const struct ddci_dora_dep *x = a, *y = b;

	return (x->finished_ns > y->finished_ns) - (x->finished_ns < y->finished_ns);
}

struct samples {
	int64_t *v;
	size_t n, cap;
	int64_t finished_ns;
	int rc;
};

static int add_sample(const char *sha, int64_t time_ns, void *ctx)
{
	struct samples *s = ctx;
	int64_t *nv;

	(void)sha;
	if (time_ns > s->finished_ns)
		return 0; /* committed after the deployment finished: a skewed clock */
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		nv = realloc(s->v, s->cap * sizeof(*nv));
		if (!nv) {
			s->rc = oom();
			return 1;
		}
		s->v = nv;
	}
	s->v[s->n++] = s->finished_ns - time_ns;
	return 0;
}

int ddci_dora_lead_samples(int64_t **out, size_t *nout, size_t *missing, struct ddci_repo *r,
			   struct ddci_dora_dep *deps, size_t n, const char *before_sha)
{
	struct samples s = { NULL, 0, 0, 0, 0 };
	const char *prev = before_sha;
	char sha[41];
	int rc = 0;

	*out = NULL;
	*nout = 0;
	*missing = 0;
	qsort(deps, n, sizeof(*deps), cmp_finished);
	for (size_t i = 0; r && i < n; i++) {
		const char *cur = deps[i].commit_sha;
		if (!cur)
			continue;
		if (ddci_git_resolve(sha, r, cur) < 0) {
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
	*nout = s.n;
	s.v = NULL;
done:
	free(s.v);
	return rc;
}

struct collect {
	struct ddci_dora_dep *v;
	size_t n, cap;
};

static int collect_one(void *ctx, const cJSON *event)
{
	struct collect *c = ctx;
	struct ddci_dora_dep *nv;
	int rc;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		nv = realloc(c->v, c->cap * sizeof(*nv));
		if (!nv)
			return oom();
		c->v = nv;
	}
	if ((rc = ddci_dora_dep_parse(&c->v[c->n], event)) < 0)
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
	struct collect all = { NULL, 0, 0 };
	struct ddci_dora_dep before;
	int64_t *lead = NULL;
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
	if (r) { /* the deployment just before the window starts the first range */
		struct ddci_dora_query pq = { DDCI_DORA_DEPLOYMENTS, 0, from_ns, q.query, "-started_at", 1 };
		if ((rc = ddci_dora_list(c, &pq, keep_first, &before)) != 0)
			goto done;
		if ((rc = ddci_dora_lead_samples(&lead, &nlead, &missing, r, all.v, all.n, before.commit_sha)) < 0)
			goto done;
	}
	rc = ddci_dora_report_compute(out, all.v, all.n, lead, nlead, from_ns, to_ns);
	out->commits_missing = missing;
done:
	for (size_t i = 0; i < all.n; i++)
		ddci_dora_dep_release(&all.v[i]);
	free(all.v);
	free(lead);
	ddci_dora_dep_release(&before);
	ddci_buf_release(&query);
	return rc;
}

static int add_dur(cJSON *o, const char *name, int64_t ns)
{
	if (ns < 0)
		return cJSON_AddNullToObject(o, name) ? 0 : oom();
	return cJSON_AddNumberToObject(o, name, (double)ns / 1e9) ? 0 : oom();
}

int ddci_dora_report_json(cJSON **out, const struct ddci_dora_report *rep, const char *service, const char *env)
{
	char from[40], to[40];
	cJSON *o = cJSON_CreateObject();
	int rc;

	*out = NULL;
	if (!o)
		return oom();
	ddci_time_format_rfc3339(from, sizeof(from), rep->from_ns);
	ddci_time_format_rfc3339(to, sizeof(to), rep->to_ns);
	if ((rc = ddci_json_add_str(o, "service", service)) < 0 || (rc = ddci_json_add_str(o, "env", env)) < 0 ||
	    (rc = ddci_json_add_str(o, "from", from)) < 0 || (rc = ddci_json_add_str(o, "to", to)) < 0 ||
	    (rc = ddci_json_add_int64(o, "deployments", (int64_t)rep->deployments)) < 0 ||
	    !cJSON_AddNumberToObject(o, "deployments_per_day", rep->per_day) ||
	    !cJSON_AddNumberToObject(o, "deployments_per_week", rep->per_week) ||
	    (rc = ddci_json_add_int64(o, "lead_time_commits", (int64_t)rep->lead_samples)) < 0 ||
	    (rc = add_dur(o, "lead_time_median_seconds", rep->lead_median_ns)) < 0 ||
	    (rc = add_dur(o, "lead_time_p90_seconds", rep->lead_p90_ns)) < 0 ||
	    (rc = ddci_json_add_int64(o, "commits_missing", (int64_t)rep->commits_missing)) < 0 ||
	    (rc = ddci_json_add_int64(o, "change_failures", (int64_t)rep->change_failures)) < 0 ||
	    !(rep->change_failure_rate < 0 ? cJSON_AddNullToObject(o, "change_failure_rate")
					   : cJSON_AddNumberToObject(o, "change_failure_rate", rep->change_failure_rate)) ||
	    (rc = ddci_json_add_int64(o, "restores", (int64_t)rep->restores)) < 0 ||
	    (rc = add_dur(o, "time_to_restore_median_seconds", rep->restore_median_ns)) < 0) {
		cJSON_Delete(o);
		return rc < 0 ? rc : oom();
	}
	*out = o;
	return 0;
}
