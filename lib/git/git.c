/* git.c — reading what ddci needs from a repository: opening it, resolving
 * revisions, HEAD, branch and remote, one commit, a diff.
 *
 * ddci_git_open() finds the repository through its files (gitdir.c), which
 * also answer HEAD, branch and remote; libgit2 is initialised and opens the
 * repository the first time something needs objects, and every function
 * reads only the objects it is asked about (no full-history walks).  Errors
 * carry git_error_last() with context.  Walking the history (ancestry,
 * merge bases, ranges, shallow clones) is git_walk.c's.
 */
#include "ddci/git.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <git2.h>

#include "ddci/gitdir.h"
#include "ddci/redact.h"
#include "git_repo.h"

static int initialised;
static int in_libgit2_init;

static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

int ddci_git_fail(const char *fmt, ...)
{
	char ctx[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	return ddci_error_set(DDCI_EGIT, "%s: %s", ctx, git_msg());
}

/* For a failed lookup of `rev`: the shallow message when the object may be
 * beyond the shallow boundary, else libgit2's message. */
static int fail_lookup(struct ddci_repo *r, int gerr, const char *verb, const char *rev)
{
	if (gerr == GIT_ENOTFOUND && ddci_git_is_shallow(r))
		return ddci_error_set(DDCI_EGIT, "cannot %s '%s': " DDCI_GIT_SHALLOW_HINT, verb, rev);
	return ddci_git_fail("cannot %s '%s'", verb, rev);
}

static char *dup_str(const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* --- libgit2's initialisation without the CA bundle ---------------------------
 *
 * Debian 12's libgit2 is built with mbedTLS, and git_libgit2_init() parses
 * the whole system CA bundle for its HTTPS transport: ~85% of the
 * instructions of reading HEAD through libgit2, every time.  ddci never uses
 * libgit2's transports (libcurl does the HTTPS), so while git_libgit2_init()
 * runs, the two mbedTLS loaders it calls are answered here with an empty
 * chain.  Any other caller (none in ddci; a libcurl built on mbedTLS would be
 * one) gets the real function.  An empty chain fails closed: libgit2's HTTPS
 * could verify nobody.
 *
 * Defining these symbols in our executables only works, and is only safe,
 * when libgit2 uses mbedTLS and is linked dynamically on an ELF system (our
 * definition interposes the shared library's): a static link would define
 * them twice, another TLS backend never calls them, and Mach-O's two-level
 * namespace ignores them.  So the Makefile turns it on
 * (DDCI_GIT_MBEDTLS_OVERRIDE, -ldl where dlsym needs it) only when
 * pkg-config says this libgit2 links mbedTLS.
 */
#if defined(DDCI_GIT_MBEDTLS_OVERRIDE) && defined(__ELF__)
#include <dlfcn.h>

struct mbedtls_x509_crt;
int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);
int mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain, const char *path);

typedef int (*crt_loader)(struct mbedtls_x509_crt *, const char *);

static int crt_forward(const char *name, struct mbedtls_x509_crt *chain, const char *path)
{
	crt_loader real;
	void *sym = dlsym(RTLD_NEXT, name);

	if (!sym)
		return -1;
	memcpy(&real, &sym, sizeof(real)); /* object to function pointer */
	return real(chain, path);
}

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
	return in_libgit2_init ? 0 : crt_forward("mbedtls_x509_crt_parse_file", chain, path);
}

int mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain, const char *path)
{
	return in_libgit2_init ? 0 : crt_forward("mbedtls_x509_crt_parse_path", chain, path);
}
#endif /* DDCI_GIT_MBEDTLS_OVERRIDE */

static int libgit2_init(void)
{
	int rc;

	if (initialised)
		return 0;
	in_libgit2_init = 1;
	rc = git_libgit2_init();
	in_libgit2_init = 0;
	if (rc < 0)
		return ddci_git_fail("cannot initialise libgit2");
	initialised = 1;
	/* Like git: objects read are not hashed again (sha1dc is costly).
	 * Ownership was checked by ddci_gitdir_discover() the way git checks
	 * it (safe.directory = * included, which libgit2 1.5 does not take). */
	if (git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0) < 0 ||
	    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0) < 0)
		return ddci_git_fail("cannot set libgit2 options");
	return 0;
}

/* libgit2's repository, opened the first time something needs it, at the
 * git directory discovery found (so libgit2 never discovers differently). */
static int need_libgit2(struct ddci_repo *r)
{
	int gerr, err;

	if (r->repo)
		return 0;
	if ((err = libgit2_init()) < 0)
		return err;
	gerr = git_repository_open_ext(&r->repo, r->dir.gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (gerr < 0)
		return ddci_git_fail("cannot open git repository '%s'", r->dir.gitdir);
	return 0;
}

int ddci_git_open(struct ddci_repo **out, const char *path)
{
	struct ddci_repo *r = NULL;
	int err = 0;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (r)
		r->commits_left = -1;
	if (!r || !(r->path = dup_str(path ? path : "."))) {
		err = ddci_error_oom();
		goto done;
	}
	/* The files first: HEAD, branch and remote need nothing more.  Found
	 * there, and checked the way git checks it (ownership included), or
	 * not a repository for git either. */
	err = ddci_gitdir_discover(&r->dir, r->path);
	if (err == DDCI_GITDIR_UNSURE) {
		ddci_error_set(DDCI_EGIT, "not a git repository: '%s'", r->path);
		err = DDCI_GIT_NONE;
	}
	if (err)
		goto done;
	*out = r;
	r = NULL;
done:
	ddci_git_free(r);
	return err;
}

void ddci_git_free(struct ddci_repo *r)
{
	if (!r)
		return;
	git_repository_free(r->repo);
	ddci_gitdir_release(&r->dir);
	free(r->path);
	free(r);
}

void ddci_git_shutdown(void)
{
	if (initialised) {
		git_libgit2_shutdown();
		initialised = 0;
	}
}

int ddci_git_is_shallow(struct ddci_repo *r)
{
	return ddci_gitdir_is_shallow(&r->dir);
}

/* Peels `rev` to a commit; NULL = HEAD. */
static int lookup_commit(git_commit **out, struct ddci_repo *r, const char *rev)
{
	git_object *obj = NULL;
	int gerr, err = 0;

	*out = NULL;
	if (!rev)
		rev = "HEAD";
	if ((err = need_libgit2(r)) < 0)
		return err;
	gerr = git_revparse_single(&obj, r->repo, rev);
	if (gerr < 0) {
		if (gerr == GIT_EUNBORNBRANCH ||
		    (gerr == GIT_ENOTFOUND && !strcmp(rev, "HEAD") &&
		     git_repository_head_unborn(r->repo) == 1))
			err = ddci_error_set(DDCI_EGIT, "cannot resolve 'HEAD': the branch has no commit yet");
		else
			err = fail_lookup(r, gerr, "resolve", rev);
		goto done;
	}
	gerr = git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT);
	if (gerr < 0)
		err = fail_lookup(r, gerr, "resolve", rev);
done:
	git_object_free(obj);
	return err;
}

int ddci_git_oid(git_oid *out, struct ddci_repo *r, const char *rev)
{
	git_commit *c = NULL;
	int err = lookup_commit(&c, r, rev);

	if (err)
		return err;
	git_oid_cpy(out, git_commit_id(c));
	git_commit_free(c);
	return 0;
}

int ddci_git_resolve(char out[41], struct ddci_repo *r, const char *rev)
{
	git_oid oid;
	int err;

	out[0] = '\0';
	err = ddci_git_oid(&oid, r, rev);
	if (err)
		return err;
	git_oid_tostr(out, 41, &oid);
	return 0;
}

int ddci_git_head(char out[41], struct ddci_repo *r)
{
	char *symref = NULL;
	int err = ddci_gitdir_head(out, &symref, &r->dir);

	free(symref);
	if (err <= 0)
		return err;
	return ddci_git_resolve(out, r, "HEAD");
}

/* Length of the valid UTF-8 sequence at p (no overlongs, surrogates or
 * code points past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* The branch name of refs/heads/<name>, as sent: a byte that is not part of
 * valid UTF-8 is written "%XX" (JSON must be UTF-8; git allows any byte). */
static int branch_name(char **out, const char *ref)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)ref + 11;
	char *o = malloc(strlen(ref) * 3 + 1);
	size_t k = 0, n;

	if (!(*out = o))
		return ddci_error_oom();
	for (; *p; p += n ? n : 1) {
		n = utf8_len(p);
		if (n) {
			memcpy(o + k, p, n);
			k += n;
		} else {
			o[k++] = '%';
			o[k++] = hex[*p >> 4];
			o[k++] = hex[*p & 15];
		}
	}
	o[k] = '\0';
	return 0;
}

int ddci_git_branch(char **out, struct ddci_repo *r)
{
	git_reference *ref = NULL;
	char sha[41], *symref = NULL;
	const char *name = "HEAD";
	int err = 0, reads;

	*out = NULL;
	err = ddci_gitdir_head(sha, &symref, &r->dir);
	if (err == DDCI_GITDIR_UNSURE) {
		/* An unborn branch, or refs the files do not answer: HEAD's
		 * chain of symbolic refs, at most as deep as git follows. */
		if ((err = need_libgit2(r)) < 0)
			return err;
		for (reads = 0; reads < 5 && git_reference_lookup(&ref, r->repo, name) == 0; reads++) {
			if (git_reference_type(ref) != GIT_REFERENCE_SYMBOLIC)
				break;
			free(symref);
			if (!(symref = dup_str(git_reference_symbolic_target(ref)))) {
				err = ddci_error_oom();
				break;
			}
			name = symref;
			git_reference_free(ref);
			ref = NULL;
		}
		git_reference_free(ref);
		if (reads == 0 && err == 0)
			err = ddci_git_fail("cannot read 'HEAD'");
		else if (err == DDCI_GITDIR_UNSURE)
			err = 0;
	}
	if (err == 0 && symref && !strncmp(symref, "refs/heads/", 11))
		err = branch_name(out, symref);
	free(symref);
	return err;
}

/* What libgit2's configuration says about remotes: the first url of the
 * remote asked for (an empty value clears those before it), the remote
 * whose name sorts first (git_remote_list's order) for when none is asked
 * for, and url.<base>.insteadOf pairs. */
struct remote_scan {
	const char *want;  /* remote name, or NULL: the first remote */
	char name[256];
	char *url;
	char **pairs;      /* base, prefix, ... */
	size_t npairs, cap;
	int nomem;
};

static int scan_pair(struct remote_scan *f, const char *key, const char *value)
{
	size_t n = strlen(key);

	if (n <= 14 || strcasecmp(key + n - 10, ".insteadof") != 0 || !*value)
		return 0;
	if (f->npairs + 2 > f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		char **p = realloc(f->pairs, cap * sizeof(*p));

		if (!p)
			return -1;
		f->pairs = p;
		f->cap = cap;
	}
	f->pairs[f->npairs++] = strndup(key + 4, n - 14);
	f->pairs[f->npairs++] = dup_str(value);
	return f->pairs[f->npairs - 1] && f->pairs[f->npairs - 2] ? 0 : -1;
}

static int remote_scan_cb(const git_config_entry *e, void *payload)
{
	struct remote_scan *f = payload;
	size_t n = strlen(e->name);
	char cand[sizeof(f->name)];

	if (!e->value)
		return 0;
	if (!strncasecmp(e->name, "url.", 4) && scan_pair(f, e->name, e->value) < 0)
		return f->nomem = 1, -1;
	/* "remote.<name>.url" */
	if (n <= 11 || n - 11 >= sizeof(cand) || strncmp(e->name, "remote.", 7) != 0 ||
	    strcmp(e->name + n - 4, ".url") != 0)
		return 0;
	memcpy(cand, e->name + 7, n - 11);
	cand[n - 11] = '\0';
	if (f->want ? strcmp(cand, f->want) != 0 : (f->url && strcmp(cand, f->name) > 0))
		return 0;
	if (!*e->value || (f->url && strcmp(cand, f->name) != 0)) {
		free(f->url); /* cleared, or a remote that sorts before */
		f->url = NULL;
	}
	if (!*e->value || f->url)
		return 0; /* the first url wins */
	if (!(f->url = dup_str(e->value)))
		return f->nomem = 1, -1;
	memcpy(f->name, cand, sizeof(cand));
	return 0;
}

/* The URL as git uses it (`git remote get-url`): the first url, insteadOf
 * applied; without credentials.  From the files when they answer, else
 * from libgit2's configuration (git_remote_lookup() is avoided: libgit2
 * 1.5 leaks pcre2 match data in it). */
int ddci_git_remote_url(char **out, struct ddci_repo *r, const char *name)
{
	struct remote_scan scan;
	git_config *cfg = NULL;
	char *url = NULL;
	int err;

	*out = NULL;
	memset(&scan, 0, sizeof(scan));
	scan.want = name;
	err = ddci_gitdir_remote_url(&url, &r->dir, name ? name : "origin");
	if (err == DDCI_GITDIR_UNSURE) {
		if ((err = need_libgit2(r)) < 0)
			goto done;
		if (git_repository_config_snapshot(&cfg, r->repo) < 0) {
			err = ddci_git_fail("cannot read the git configuration");
			goto done;
		}
		scan.want = name ? name : "origin";
		if (git_config_foreach(cfg, remote_scan_cb, &scan) < 0 && !scan.nomem) {
			err = ddci_git_fail("cannot read the git remotes");
			goto done;
		}
		if (!scan.url && !name && !scan.nomem) {
			scan.want = NULL;
			for (size_t i = 0; i < scan.npairs; i++)
				free(scan.pairs[i]);
			scan.npairs = 0;
			if (git_config_foreach(cfg, remote_scan_cb, &scan) < 0 && !scan.nomem) {
				err = ddci_git_fail("cannot list git remotes");
				goto done;
			}
		}
		if (scan.nomem) {
			err = ddci_error_oom();
			goto done;
		}
		if (!scan.url) {
			err = name ? ddci_error_set(DDCI_EGIT, "no git remote '%s'", name) : 0;
			goto done;
		}
		err = ddci_gitdir_rewrite_url(&url, scan.url, scan.pairs, scan.npairs);
	}
	if (err == 0 && url && !(*out = ddci_redact_url(url)))
		err = ddci_error_oom();
done:
	for (size_t i = 0; i < scan.npairs; i++)
		free(scan.pairs[i]);
	free(scan.pairs);
	free(scan.url);
	free(url);
	git_config_free(cfg);
	return err;
}

int ddci_git_is_sha(const char *s)
{
	size_t n = s ? strspn(s, "0123456789abcdefABCDEF") : 0;

	return n >= 7 && n <= 64 && !s[n];
}

int ddci_git_commit_time(int64_t *out_ns, struct ddci_repo *r, const char *rev)
{
	git_commit *c = NULL;
	int err;

	*out_ns = 0;
	err = lookup_commit(&c, r, rev);
	if (err)
		return err;
	*out_ns = (int64_t)git_commit_time(c) * INT64_C(1000000000);
	git_commit_free(c);
	return 0;
}

int ddci_git_commit_info(struct ddci_git_commit *out, struct ddci_repo *r, const char *rev)
{
	git_commit *c = NULL;
	const git_signature *author;
	const char *summary;
	int err;

	memset(out, 0, sizeof(*out));
	err = lookup_commit(&c, r, rev);
	if (err)
		return err;
	git_oid_tostr(out->sha, sizeof(out->sha), git_commit_id(c));
	author = git_commit_author(c);
	summary = git_commit_summary(c);
	out->author_name = dup_str(author && author->name ? author->name : "");
	out->author_email = dup_str(author && author->email ? author->email : "");
	out->summary = dup_str(summary ? summary : "");
	out->author_time_ns = author ? (int64_t)author->when.time * INT64_C(1000000000) : 0;
	out->time_ns = (int64_t)git_commit_time(c) * INT64_C(1000000000);
	git_commit_free(c);
	if (!out->author_name || !out->author_email || !out->summary) {
		ddci_git_commit_release(out);
		return ddci_error_oom();
	}
	return 0;
}

void ddci_git_commit_release(struct ddci_git_commit *c)
{
	if (!c)
		return;
	free(c->author_name);
	free(c->author_email);
	free(c->summary);
	memset(c, 0, sizeof(*c));
}

int ddci_git_changed_files(struct ddci_repo *r, const char *from, const char *to,
			   int (*fn)(const char *path, void *ctx), void *ctx)
{
	git_commit *cfrom = NULL, *cto = NULL;
	git_tree *tfrom = NULL, *tto = NULL;
	git_diff *diff = NULL;
	git_diff_options opts;
	git_diff_find_options find;
	size_t i, n;
	int err;

	/* The _INIT macros trip -Wmissing-field-initializers. */
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION);
	err = lookup_commit(&cto, r, to);
	if (!err && from)
		err = lookup_commit(&cfrom, r, from);
	if (err)
		goto done;
	if ((cfrom && git_commit_tree(&tfrom, cfrom) < 0) || git_commit_tree(&tto, cto) < 0) {
		err = fail_lookup(r, GIT_ENOTFOUND, "read the tree of", to ? to : "HEAD");
		goto done;
	}
	opts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, r->repo, tfrom, tto, &opts) < 0) {
		err = ddci_git_fail("cannot diff '%s..%s'", from ? from : "", to ? to : "HEAD");
		goto done;
	}
	find.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_find_similar(diff, &find) < 0) {
		err = ddci_git_fail("cannot detect renames in '%s..%s'", from ? from : "", to ? to : "HEAD");
		goto done;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *np = d->new_file.path, *op = d->old_file.path;

		if (np && fn(np, ctx))
			break;
		if (op && (!np || strcmp(op, np) != 0) && fn(op, ctx))
			break;
	}
done:
	git_diff_free(diff);
	git_tree_free(tfrom);
	git_tree_free(tto);
	git_commit_free(cfrom);
	git_commit_free(cto);
	return err;
}
