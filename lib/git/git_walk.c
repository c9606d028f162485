/* git_walk.c — walking the history: ancestry, merge bases and ranges.
 *
 * A complete history is walked over raw commits read straight from the
 * object database (git's own algorithms, reading only what the question
 * needs); a shallow clone, which libgit2 1.5 does not understand (and 1.7+
 * reads as grafts: a boundary commit without parents), and a walk without
 * a lower bound get a walk of their own that answers what the fetched
 * history can answer and otherwise says that history is missing, the same
 * with every libgit2.
 * Every walk counts the commits it reads against ddci_git_set_limits().
 */
#include "ddci/git.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "ddci/timeutil.h"
#include "git_repo.h"

/* --- A walk that stops at the shallow boundary ------------------------------
 *
 * libgit2 1.5 does not know shallow clones: its revwalk, merge-base and graph
 * functions fail as soon as they reach a commit whose parents were not
 * fetched, even when the answer lies above it.  So in a shallow repository
 * (short history by definition) and for walks without a lower bound (which
 * libgit2's sorted revwalk would run over the whole history before the first
 * commit), ddci walks itself: newest first by committer time, a missing
 * parent ends that line of history and marks the walk incomplete.  (Later
 * libgit2s know shallow clones, as grafts: see walk_push_parents.)
 */

/* A set of oids, open addressing; the zero oid marks a free slot. */
struct oidset {
	git_oid *v;
	size_t n, cap; /* cap is 0 or a power of 2 */
};

static size_t oid_slot(const struct oidset *s, const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	h &= s->cap - 1;
	while (!git_oid_is_zero(&s->v[h]) && !git_oid_equal(&s->v[h], id))
		h = (h + 1) & (s->cap - 1);
	return h;
}

static int oidset_has(const struct oidset *s, const git_oid *id)
{
	return s && s->cap && !git_oid_is_zero(&s->v[oid_slot(s, id)]);
}

/* 1 when added, 0 when already there, DDCI_ENOMEM. */
static int oidset_add(struct oidset *s, const git_oid *id)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		struct oidset bigger = { NULL, 0, s->cap ? s->cap * 2 : 64 };

		bigger.v = calloc(bigger.cap, sizeof(*bigger.v));
		if (!bigger.v)
			return ddci_error_oom();
		for (i = 0; i < s->cap; i++)
			if (!git_oid_is_zero(&s->v[i]))
				git_oid_cpy(&bigger.v[oid_slot(&bigger, &s->v[i])], &s->v[i]);
		bigger.n = s->n;
		free(s->v);
		*s = bigger;
	}
	i = oid_slot(s, id);
	if (!git_oid_is_zero(&s->v[i]))
		return 0;
	git_oid_cpy(&s->v[i], id);
	s->n++;
	return 1;
}

struct queued {
	int64_t time;
	git_oid id;
};

struct walk {
	struct ddci_repo *owner;   /* its limits */
	git_repository *repo;
	struct oidset seen;        /* commits queued so far */
	struct oidset boundary;    /* commits met with a parent missing */
	const struct oidset *stop; /* commits not entered: the `from` side */
	struct queued *q;          /* binary max-heap on time */
	size_t n, cap;
	size_t missing;            /* parents met that are not in the odb */
};

void ddci_git_set_limits(struct ddci_repo *r, int64_t deadline_mono_ns, int64_t max_commits)
{
	r->deadline_ns = deadline_mono_ns;
	r->commits_left = max_commits;
}

int ddci_git_over_budget(const struct ddci_repo *r)
{
	return r->commits_left == 0;
}

/* One more commit read by a walk: within the limits? */
static int walk_tick(struct ddci_repo *r)
{
	if (r->commits_left == 0)
		return ddci_error_set(DDCI_EGIT, "too much history to walk for one command: the limit of commits "
						 "read was reached");
	if (r->commits_left > 0)
		r->commits_left--;
	/* a clock read costs far less than reading a commit */
	if (r->deadline_ns > 0 && ddci_time_mono_ns() >= r->deadline_ns)
		return ddci_error_set(DDCI_EUNAVAIL, "timed out (--timeout) walking the git history");
	return 0;
}

static void walk_init(struct walk *w, struct ddci_repo *r, const struct oidset *stop)
{
	memset(w, 0, sizeof(*w));
	w->owner = r;
	w->repo = r->repo;
	w->stop = stop;
}

static void walk_release(struct walk *w)
{
	free(w->seen.v);
	free(w->boundary.v);
	free(w->q);
	memset(w, 0, sizeof(*w));
}

/* Queues commit `id` once, unless it is on the stop side; a commit that is
 * not in the object database is counted in w->missing. */
static int walk_push(struct walk *w, const git_oid *id)
{
	git_commit *c = NULL;
	size_t i;
	int gerr;

	if (oidset_has(w->stop, id) || oidset_has(&w->seen, id))
		return 0;
	if ((gerr = walk_tick(w->owner)) < 0)
		return gerr;
	gerr = git_commit_lookup(&c, w->repo, id);
	if (gerr == GIT_ENOTFOUND) {
		w->missing++;
		return 0;
	}
	if (gerr < 0)
		return ddci_git_fail("cannot read commit '%s'", git_oid_tostr_s(id));
	gerr = oidset_add(&w->seen, id);
	if (gerr < 0) {
		git_commit_free(c);
		return gerr;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct queued *q = realloc(w->q, cap * sizeof(*q));

		if (!q) {
			git_commit_free(c);
			return ddci_error_oom();
		}
		w->q = q;
		w->cap = cap;
	}
	for (i = w->n++; i > 0 && w->q[(i - 1) / 2].time < git_commit_time(c); i = (i - 1) / 2)
		w->q[i] = w->q[(i - 1) / 2];
	w->q[i].time = git_commit_time(c);
	git_oid_cpy(&w->q[i].id, id);
	git_commit_free(c);
	return 0;
}

/* Queues the parents written in commit `c`.  Not git_commit_parent_id():
 * libgit2 1.7 and later read the `shallow` file as grafts and give a
 * commit at the boundary no parents at all (so its line of history would
 * seem complete), 1.5 gives the parents written in it.  The raw header is
 * the same with both: a parent that was not fetched is counted in
 * w->missing whichever libgit2 ddci runs with. */
static int walk_push_parents(struct walk *w, const git_commit *c)
{
	const char *p = git_commit_raw_header(c), *nl;
	git_oid id;
	int err = 0;

	/* "tree <hex>", then one "parent <hex>" line per parent */
	for (; p && !err && (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		if (nl - p > 5 && !memcmp(p, "tree ", 5))
			continue;
		if (nl - p != 7 + GIT_OID_HEXSZ || memcmp(p, "parent ", 7))
			break;
		if (git_oid_fromstrn(&id, p + 7, GIT_OID_HEXSZ) < 0)
			return ddci_error_set(DDCI_EGIT, "corrupt commit '%s'",
					      git_oid_tostr_s(git_commit_id(c)));
		err = walk_push(w, &id);
	}
	return err;
}

/* Takes the newest queued commit and queues its parents: 1 with *out set,
 * 0 when the walk is over, or an error. */
static int walk_next(struct queued *out, struct walk *w)
{
	git_commit *c = NULL;
	struct queued last;
	size_t i = 0, child, missing = w->missing;
	int err;

	if (w->n == 0)
		return 0;
	*out = w->q[0];
	last = w->q[--w->n];
	while ((child = 2 * i + 1) < w->n) {
		if (child + 1 < w->n && w->q[child + 1].time > w->q[child].time)
			child++;
		if (w->q[child].time <= last.time)
			break;
		w->q[i] = w->q[child];
		i = child;
	}
	w->q[i] = last;
	if (git_commit_lookup(&c, w->repo, &out->id) < 0)
		return ddci_git_fail("cannot read commit '%s'", git_oid_tostr_s(&out->id));
	err = walk_push_parents(w, c);
	git_commit_free(c);
	if (!err && w->missing != missing)
		err = oidset_add(&w->boundary, &out->id);
	return err < 0 ? err : 1;
}

/* Walks everything reachable from `tip` (the shallow history is short);
 * afterwards w->seen holds it. */
static int walk_all(struct walk *w, const git_oid *tip)
{
	struct queued c;
	int rc = walk_push(w, tip);

	while (rc >= 0 && (rc = walk_next(&c, w)) == 1)
		;
	return rc;
}

/* Walks from `tip` until `want` comes: 1 found, 0 not, or an error. */
static int walk_find(struct walk *w, const git_oid *tip, const git_oid *want)
{
	struct queued c;
	int rc = walk_push(w, tip);

	while (rc >= 0 && (rc = walk_next(&c, w)) == 1)
		if (git_oid_equal(&c.id, want))
			return 1;
	return rc;
}

/* Whether every commit of `sub` is in `s`. */
static int oidset_within(const struct oidset *sub, const struct oidset *s)
{
	for (size_t i = 0; i < sub->cap; i++)
		if (!git_oid_is_zero(&sub->v[i]) && !oidset_has(s, &sub->v[i]))
			return 0;
	return 1;
}

static int is_ancestor_shallow(int *out, struct ddci_repo *r, const git_oid *a, const git_oid *d)
{
	struct walk w, wa;
	int rc;

	walk_init(&w, r, NULL);
	walk_init(&wa, r, NULL);
	rc = walk_find(&w, d, a);
	if (rc == 0 && w.missing) {
		/* Not above the boundary.  Below it only if `a` does not reach
		 * the boundary commits itself: else `a` would be its own
		 * ancestor. */
		rc = walk_all(&wa, a);
		if (rc == 0 && !oidset_within(&w.boundary, &wa.seen))
			rc = ddci_error_set(DDCI_EGIT, DDCI_GIT_SHALLOW_HINT);
	}
	walk_release(&w);
	walk_release(&wa);
	if (rc < 0)
		return rc;
	*out = rc;
	return 0;
}

/* The newest (by committer time) commit reachable from `b` that is also
 * reachable from `a`: git's merge base for ordinary histories. */
static int merge_base_shallow(git_oid *out, struct ddci_repo *r, const git_oid *a, const git_oid *b)
{
	struct walk wa, wb;
	struct queued c;
	int rc;

	walk_init(&wa, r, NULL);
	walk_init(&wb, r, NULL);
	rc = walk_all(&wa, a);
	if (rc >= 0)
		rc = walk_push(&wb, b);
	while (rc >= 0 && (rc = walk_next(&c, &wb)) == 1) {
		if (oidset_has(&wa.seen, &c.id)) {
			git_oid_cpy(out, &c.id);
			break;
		}
	}
	if (rc == 0)
		rc = wa.missing || wb.missing ? ddci_error_set(DDCI_EGIT, DDCI_GIT_SHALLOW_HINT)
						     : ddci_error_set(DDCI_EGIT, "no common ancestor");
	walk_release(&wa);
	walk_release(&wb);
	return rc < 0 ? rc : 0;
}

/* --- Ancestry and ranges ---------------------------------------------------- */

static int merge_base_paint(git_oid *out, int *found, struct ddci_repo *r, const git_oid *a,
			    const git_oid *b);

int ddci_git_is_ancestor(int *out, struct ddci_repo *r, const char *ancestor,
			 const char *descendant)
{
	git_oid a, d;
	int gerr, err;

	*out = 0;
	err = ddci_git_oid(&a, r, ancestor);
	if (!err)
		err = ddci_git_oid(&d, r, descendant);
	if (err)
		return err;
	if (git_oid_equal(&a, &d)) {
		*out = 1;
		return 0;
	}
	if (ddci_git_is_shallow(r)) {
		err = is_ancestor_shallow(out, r, &a, &d);
		if (err)
			return ddci_error_wrap(err, "cannot tell whether '%s' is an ancestor of '%s'",
					       ancestor, descendant);
		return 0;
	}
	/* Not counting equality, which is handled above. */
	gerr = git_graph_descendant_of(r->repo, &d, &a);
	if (gerr < 0)
		return ddci_git_fail("cannot tell whether '%s' is an ancestor of '%s'", ancestor, descendant);
	*out = gerr == 1;
	return 0;
}

int ddci_git_merge_base(char out[41], struct ddci_repo *r, const char *a, const char *b)
{
	git_oid oa, ob, base;
	int gerr, err;

	out[0] = '\0';
	err = ddci_git_oid(&oa, r, a);
	if (!err)
		err = ddci_git_oid(&ob, r, b);
	if (err)
		return err;
	if (ddci_git_is_shallow(r)) {
		err = merge_base_shallow(&base, r, &oa, &ob);
		if (err)
			return ddci_error_wrap(err, "cannot find the merge base of '%s' and '%s'", a, b);
	} else {
		int found = 0;

		if ((err = merge_base_paint(&base, &found, r, &oa, &ob)) < 0)
			return ddci_error_wrap(err, "cannot find the merge base of '%s' and '%s'", a, b);
		gerr = found == 1 ? 0 : found == 0 ? GIT_ENOTFOUND : git_merge_base(&base, r->repo, &oa, &ob);
		if (gerr == GIT_ENOTFOUND)
			return ddci_error_set(DDCI_EGIT, "'%s' and '%s' have no common ancestor", a, b);
		if (gerr < 0)
			return ddci_git_fail("cannot find the merge base of '%s' and '%s'", a, b);
	}
	git_oid_tostr(out, 41, &base);
	return 0;
}

typedef int (*walk_fn)(const char *sha, int64_t time_ns, void *ctx);

/* from..to with our own walk: no lower bound, or a shallow repository. */
static int walk_range_own(struct ddci_repo *r, const git_oid *from, const git_oid *to,
			  size_t limit, walk_fn fn, void *ctx)
{
	struct walk hidden, w;
	struct queued c;
	char sha[41];
	size_t n = 0;
	int rc = 0;

	walk_init(&hidden, r, NULL);
	walk_init(&w, r, from ? &hidden.seen : NULL);
	if (from)
		rc = walk_all(&hidden, from);
	if (rc >= 0)
		rc = walk_push(&w, to);
	while (rc >= 0 && (limit == 0 || n < limit) && (rc = walk_next(&c, &w)) == 1) {
		git_oid_tostr(sha, sizeof(sha), &c.id);
		n++;
		if (fn(sha, (int64_t)c.time * INT64_C(1000000000), ctx))
			break;
	}
	/* Without a lower bound the walk just ends at the boundary; with one,
	 * commits of the range may be missing. */
	if (rc == 0 && from && w.missing)
		rc = ddci_error_set(DDCI_EGIT, DDCI_GIT_SHALLOW_HINT);
	walk_release(&hidden);
	walk_release(&w);
	return rc < 0 ? rc : 0;
}

/* --- A bounded range, read straight from the object database -----------------
 *
 * from..to in a complete history: git's "limited" walk (revision.c's
 * limit_list), over raw commits (parents and committer time parsed in
 * place, no commit objects built).  As in git: a commit is parsed when it
 * is queued; queued commits come out newest first, ties in the order they
 * were queued; an uninteresting commit passes the mark to its parents at
 * once, and on through every commit already parsed
 * (mark_parents_uninteresting); the walk ends when only uninteresting
 * commits are queued and none is newer than the last one of the range,
 * after a few more for clock skew (still_interesting).  The interesting
 * commits taken, less those marked since, are the range, in git's order.
 */
#define RANGE_SLOP 5

struct rnode {
	git_oid id;
	int64_t time;
	size_t parents;    /* index of the first parent in range_walk.par */
	unsigned nparents;
	unsigned char parsed, unint, seen, queued;
	unsigned char paint; /* merge base: PAINT_* */
};

struct rheap {
	size_t ix;         /* node */
	size_t seq;        /* queueing order: ties come out first in, first out */
};

struct range_walk {
	struct ddci_repo *owner;   /* its limits */
	git_odb *odb;
	struct rnode *node;
	size_t n, cap;
	size_t *slot;      /* oid hash -> node index + 1; 0 = free */
	size_t nslot;      /* power of 2 */
	git_oid *par;
	size_t npar, par_cap;
	struct rheap *heap; /* max-heap on (time, -seq) */
	size_t nheap, heap_cap, seq;
	size_t interesting; /* queued nodes not marked uninteresting */
};

static int range_walk_open(struct range_walk *w, struct ddci_repo *r)
{
	memset(w, 0, sizeof(*w));
	w->owner = r;
	if (git_repository_odb(&w->odb, r->repo) < 0)
		return ddci_git_fail("cannot open the object database");
	return 0;
}

static void range_walk_release(struct range_walk *w)
{
	free(w->node);
	free(w->slot);
	free(w->par);
	free(w->heap);
	git_odb_free(w->odb);
	memset(w, 0, sizeof(*w));
}

static size_t rslot(const struct range_walk *w, const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	h &= w->nslot - 1;
	while (w->slot[h] && !git_oid_equal(&w->node[w->slot[h] - 1].id, id))
		h = (h + 1) & (w->nslot - 1);
	return h;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * elem);
	if (!q)
		return ddci_error_oom();
	*p = q;
	*cap = c;
	return 0;
}

/* Whether heap entry a comes out before b. */
static int heap_before(const struct range_walk *w, const struct rheap *a, const struct rheap *b)
{
	int64_t ta = w->node[a->ix].time, tb = w->node[b->ix].time;

	return ta > tb || (ta == tb && a->seq < b->seq);
}

static int heap_push(struct range_walk *w, size_t ix)
{
	struct rheap e = { ix, w->seq++ };
	size_t i;
	int err = grow((void **)&w->heap, &w->heap_cap, w->nheap + 1, sizeof(*w->heap));

	if (err)
		return err;
	for (i = w->nheap++; i > 0 && heap_before(w, &e, &w->heap[(i - 1) / 2]); i = (i - 1) / 2)
		w->heap[i] = w->heap[(i - 1) / 2];
	w->heap[i] = e;
	w->node[ix].queued = 1;
	if (!w->node[ix].unint)
		w->interesting++;
	return 0;
}

static size_t heap_pop(struct range_walk *w)
{
	size_t top = w->heap[0].ix, i = 0, child;
	struct rheap last = w->heap[--w->nheap];

	while ((child = 2 * i + 1) < w->nheap) {
		if (child + 1 < w->nheap && heap_before(w, &w->heap[child + 1], &w->heap[child]))
			child++;
		if (!heap_before(w, &w->heap[child], &last))
			break;
		w->heap[i] = w->heap[child];
		i = child;
	}
	w->heap[i] = last;
	w->node[top].queued = 0;
	if (!w->node[top].unint)
		w->interesting--;
	return top;
}

/* "parent <hex>" lines and the committer's time, from a raw commit. */
static int parse_commit(struct range_walk *w, struct rnode *c, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl, *gt;
	int err;

	c->parents = w->npar;
	c->nparents = 0;
	c->time = 0;
	for (; p < end && *p != '\n'; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		if (nl - p == 7 + GIT_OID_HEXSZ && !memcmp(p, "parent ", 7)) {
			if ((err = grow((void **)&w->par, &w->par_cap, w->npar + 1, sizeof(*w->par))) < 0)
				return err;
			if (git_oid_fromstrn(&w->par[w->npar], p + 7, GIT_OID_HEXSZ) < 0)
				return ddci_error_set(DDCI_EGIT, "corrupt commit '%s'", git_oid_tostr_s(&c->id));
			w->npar++;
			c->nparents++;
		} else if (nl - p > 10 && !memcmp(p, "committer ", 10)) {
			/* "committer Name <email> 1700000000 +0000" */
			for (gt = nl; gt > p && gt[-1] != '>'; gt--)
				;
			c->time = strtoll(gt, NULL, 10);
		}
	}
	return 0;
}

/* The node for `id`, made (not parsed) on first sight: *ix; *fresh = 1
 * when it was made now. */
static int range_get(size_t *ix, int *fresh, struct range_walk *w, const git_oid *id)
{
	size_t h, i;
	int err;

	*fresh = 0;
	if ((w->n + 1) * 2 > w->nslot) {
		size_t *old = w->slot, oldn = w->nslot;

		w->nslot = oldn ? oldn * 2 : 1024;
		w->slot = calloc(w->nslot, sizeof(*w->slot));
		if (!w->slot) {
			w->slot = old;
			w->nslot = oldn;
			return ddci_error_oom();
		}
		for (i = 0; i < oldn; i++)
			if (old[i])
				w->slot[rslot(w, &w->node[old[i] - 1].id)] = old[i];
		free(old);
	}
	h = rslot(w, id);
	if (w->slot[h]) {
		*ix = w->slot[h] - 1;
		return 0;
	}
	if ((err = walk_tick(w->owner)) < 0 ||
	    (err = grow((void **)&w->node, &w->cap, w->n + 1, sizeof(*w->node))) < 0)
		return err;
	memset(&w->node[w->n], 0, sizeof(w->node[w->n]));
	git_oid_cpy(&w->node[w->n].id, id);
	w->slot[h] = ++w->n;
	*ix = w->n - 1;
	*fresh = 1;
	return 0;
}

/* Reads node ix's parents and time, once. */
static int range_parse(struct range_walk *w, size_t ix)
{
	git_odb_object *o = NULL;
	git_oid id;
	int err;

	if (w->node[ix].parsed)
		return 0;
	git_oid_cpy(&id, &w->node[ix].id);
	if (git_odb_read(&o, w->odb, &id) < 0)
		return ddci_git_fail("cannot read commit '%s'", git_oid_tostr_s(&id));
	if (git_odb_object_type(o) != GIT_OBJECT_COMMIT)
		err = ddci_error_set(DDCI_EGIT, "'%s' is not a commit", git_oid_tostr_s(&id));
	else
		err = parse_commit(w, &w->node[ix], git_odb_object_data(o), git_odb_object_size(o));
	git_odb_object_free(o);
	if (!err)
		w->node[ix].parsed = 1;
	return err;
}

/* The node for `id`, parsed: *fresh = 1 when first met now. */
static int range_node(size_t *ix, int *fresh, struct range_walk *w, const git_oid *id)
{
	int err = range_get(ix, fresh, w, id);

	return err ? err : range_parse(w, *ix);
}

static void set_unint(struct range_walk *w, size_t ix)
{
	if (w->node[ix].unint)
		return;
	w->node[ix].unint = 1;
	if (w->node[ix].queued)
		w->interesting--;
}

/* git's mark_parents_uninteresting(): the parents of ix, and on through
 * every commit already parsed, until one already marked. */
static int mark_parents(struct range_walk *w, size_t ix)
{
	size_t *stack = NULL, n = 0, cap = 0, k, p;
	int fresh, err = 0;

	for (;;) {
		for (k = 0; k < w->node[ix].nparents && !err; k++) {
			git_oid parent;

			git_oid_cpy(&parent, &w->par[w->node[ix].parents + k]);
			if ((err = range_get(&p, &fresh, w, &parent)) < 0 ||
			    (err = grow((void **)&stack, &cap, n + 1, sizeof(*stack))) < 0)
				break;
			stack[n++] = p;
		}
		do {
			if (err || n == 0)
				goto done;
			ix = stack[--n];
		} while (w->node[ix].unint);
		set_unint(w, ix);
	}
done:
	free(stack);
	return err;
}

/* Queues `ix` (parsed) unless it was queued before. */
static int range_enqueue(struct range_walk *w, size_t ix)
{
	if (w->node[ix].seen)
		return 0;
	w->node[ix].seen = 1;
	return heap_push(w, ix);
}

/* git's process_parents(): parses ix's parents and queues those not seen;
 * from an uninteresting commit, marks them (and what is known above them)
 * first. */
static int range_parents(struct range_walk *w, size_t ix)
{
	size_t k, p;
	int fresh, err = 0;

	for (k = 0; k < w->node[ix].nparents && !err; k++) {
		git_oid parent;

		git_oid_cpy(&parent, &w->par[w->node[ix].parents + k]);
		if ((err = range_get(&p, &fresh, w, &parent)) < 0)
			break;
		if (w->node[ix].unint)
			set_unint(w, p);
		if ((err = range_parse(w, p)) < 0)
			break;
		if (w->node[p].unint && (err = mark_parents(w, p)) < 0)
			break;
		err = range_enqueue(w, p);
	}
	return err;
}

/* git's still_interesting(): whether to go on after taking an
 * uninteresting commit. */
static unsigned range_slop(const struct range_walk *w, int64_t last, unsigned slop)
{
	if (w->nheap == 0)
		return 0;
	if (last <= w->node[w->heap[0].ix].time || w->interesting > 0)
		return RANGE_SLOP;
	return slop - 1;
}

/* The tips: `from` uninteresting (its parents marked), then `to`, as git
 * queues "from..to". */
static int range_start(struct range_walk *w, const git_oid *from, const git_oid *to)
{
	size_t a, b;
	int fresh, err = range_node(&a, &fresh, w, from);

	if (!err) {
		set_unint(w, a);
		err = mark_parents(w, a);
	}
	if (!err)
		err = range_node(&b, &fresh, w, to);
	if (!err)
		err = range_enqueue(w, a);
	if (!err)
		err = range_enqueue(w, b);
	return err;
}

static int walk_range_limited(struct ddci_repo *r, const git_oid *from, const git_oid *to, size_t limit,
			      walk_fn fn, void *ctx)
{
	struct range_walk w;
	size_t *out = NULL, nout = 0, out_cap = 0, i, k, ix;
	unsigned slop = RANGE_SLOP;
	int64_t last = INT64_MAX;
	char sha[41];
	int err;

	if ((err = range_walk_open(&w, r)) < 0)
		return err;
	err = range_start(&w, from, to);
	while (!err && w.nheap > 0) {
		ix = heap_pop(&w);
		if ((err = range_parents(&w, ix)) < 0)
			break;
		if (w.node[ix].unint) {
			if ((err = mark_parents(&w, ix)) < 0 || (slop = range_slop(&w, last, slop)) == 0)
				break;
			continue;
		}
		last = w.node[ix].time;
		if ((err = grow((void **)&out, &out_cap, nout + 1, sizeof(*out))) < 0)
			break;
		out[nout++] = ix;
	}
	for (i = 0, k = 0; !err && i < nout && (limit == 0 || k < limit); i++) {
		if (w.node[out[i]].unint)
			continue;
		git_oid_tostr(sha, sizeof(sha), &w.node[out[i]].id);
		k++;
		if (fn(sha, w.node[out[i]].time * INT64_C(1000000000), ctx))
			break;
	}
	free(out);
	range_walk_release(&w);
	return err;
}

/* The merge base, git's paint_down_to_common() over raw commits: commits
 * reachable from `a` are painted 1, from `b` 2; one painted both is a
 * common ancestor and paints its own ancestors stale; the walk ends when
 * only stale commits are queued.  *found: 1 with *out set, 0 when there is
 * no common ancestor, 2 when there are several merge bases (criss-cross
 * merges), for libgit2 to choose among like git does. */
#define PAINT_1 1
#define PAINT_2 2
#define PAINT_STALE 4
#define PAINT_RESULT 8

static int paint_push(struct range_walk *w, const git_oid *id, unsigned char flags)
{
	size_t ix = 0;
	int fresh = 0, err = range_node(&ix, &fresh, w, id);

	if (err)
		return err;
	if (!fresh && (w->node[ix].paint & flags) == flags)
		return 0;
	w->node[ix].paint |= flags;
	return heap_push(w, ix);
}

static int merge_base_paint(git_oid *out, int *found, struct ddci_repo *r, const git_oid *a,
			    const git_oid *b)
{
	struct range_walk w;
	size_t *res = NULL, nres = 0, res_cap = 0, i, k, ix;
	unsigned char flags;
	int err;

	*found = 0;
	if ((err = range_walk_open(&w, r)) < 0)
		return err;
	err = paint_push(&w, a, PAINT_1);
	if (!err)
		err = paint_push(&w, b, PAINT_2);
	while (!err && w.nheap > 0) {
		for (i = 0; i < w.nheap && (w.node[w.heap[i].ix].paint & PAINT_STALE); i++)
			;
		if (i == w.nheap)
			break; /* only stale commits are left */
		ix = heap_pop(&w);
		flags = w.node[ix].paint & (PAINT_1 | PAINT_2 | PAINT_STALE);
		if (flags == (PAINT_1 | PAINT_2)) {
			if (!(w.node[ix].paint & PAINT_RESULT)) {
				w.node[ix].paint |= PAINT_RESULT;
				if ((err = grow((void **)&res, &res_cap, nres + 1, sizeof(*res))) < 0)
					break;
				res[nres++] = ix;
			}
			flags |= PAINT_STALE;
		}
		for (k = 0; k < w.node[ix].nparents && !err; k++) {
			git_oid parent;

			git_oid_cpy(&parent, &w.par[w.node[ix].parents + k]);
			err = paint_push(&w, &parent, flags);
		}
	}
	for (i = 0; !err && i < nres; i++) {
		if (w.node[res[i]].paint & PAINT_STALE)
			continue;
		if (++*found == 1)
			git_oid_cpy(out, &w.node[res[i]].id);
	}
	if (*found > 1)
		*found = 2;
	free(res);
	range_walk_release(&w);
	return err;
}

int ddci_git_walk_range(struct ddci_repo *r, const char *from, const char *to, size_t limit,
			walk_fn fn, void *ctx)
{
	git_oid from_oid, to_oid;
	int err;

	err = ddci_git_oid(&to_oid, r, to);
	if (!err && from)
		err = ddci_git_oid(&from_oid, r, from);
	if (err)
		return err;
	if (!from || ddci_git_is_shallow(r))
		err = walk_range_own(r, from ? &from_oid : NULL, &to_oid, limit, fn, ctx);
	else
		err = walk_range_limited(r, &from_oid, &to_oid, limit, fn, ctx);
	if (err)
		return ddci_error_wrap(err, "cannot walk '%s..%s'", from ? from : "", to ? to : "HEAD");
	return 0;
}

