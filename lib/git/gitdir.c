/* gitdir.c — discovery, HEAD, refs and config read from the repository's
 * files, with no libgit2.  See gitdir.h for why, and for the rule: anything
 * not plainly answered is DDCI_GITDIR_UNSURE and goes to libgit2.
 */
#include "ddci/gitdir.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNSURE DDCI_GITDIR_UNSURE
#define MAX_SMALL 4096              /* HEAD, loose refs, gitdir/commondir files */
#define MAX_CONFIG ((size_t)4 * 1024 * 1024)

/* Reads a whole regular file of at most `max` bytes, NUL-terminated.
 * 0, UNSURE (missing, too big, unreadable) or DDCI_ENOMEM. */
static int slurp(char **out, size_t *len, const char *path, size_t max)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t got;
	int fd, rc = UNSURE;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return UNSURE;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 0 || (size_t)st.st_size > max)
		goto done;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = ddci_error_oom();
		goto done;
	}
	while (n < (size_t)st.st_size && (got = read(fd, buf + n, (size_t)st.st_size - n)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			goto done;
		}
		n += (size_t)got;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n))
		goto done;
	*out = buf;
	buf = NULL;
	if (len)
		*len = n;
	rc = 0;
done:
	free(buf);
	close(fd);
	return rc;
}

/* "dir/name" into a new string. */
static char *join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);

	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

static int is_kind(const char *dir, const char *name, mode_t kind)
{
	struct stat st;
	char *p = join(dir, name);
	int ok;

	if (!p)
		return 0;
	ok = stat(p, &st) == 0 && (st.st_mode & S_IFMT) == kind;
	free(p);
	return ok;
}

/* The first line of a small file, without its newline (or CR LF). */
static int read_line_file(char **out, const char *path)
{
	size_t n;
	int rc = slurp(out, &n, path, MAX_SMALL);

	if (rc)
		return rc;
	(*out)[strcspn(*out, "\r\n")] = '\0';
	return 0;
}

/* A path given in a gitdir/commondir file: relative ones are relative to
 * `base`.  The result is canonical. */
static int resolve_from(char **out, const char *base, const char *p)
{
	char *joined = NULL, *real;

	*out = NULL;
	if (!*p)
		return UNSURE;
	if (p[0] != '/') {
		joined = join(base, p);
		if (!joined)
			return ddci_error_oom();
		p = joined;
	}
	real = realpath(p, NULL);
	free(joined);
	if (!real)
		return errno == ENOMEM ? ddci_error_oom() : UNSURE;
	*out = real;
	return 0;
}

/* Whether `g` is a repository directory as git sees one (is_git_directory):
 * HEAD in it, objects/ and refs/ in its common directory.  1, 0, or
 * DDCI_ENOMEM; on 1 *common is the common directory, malloc'd. */
static int is_git_directory(char **common, const char *g)
{
	char *cfile = NULL, *line = NULL;
	int rc;

	*common = NULL;
	if (!is_kind(g, "HEAD", S_IFREG))
		return 0;
	if (!(cfile = join(g, "commondir")))
		return ddci_error_oom();
	rc = read_line_file(&line, cfile);
	free(cfile);
	if (rc < 0)
		return rc;
	if (rc == 0)
		rc = resolve_from(common, g, line);
	else if ((*common = realpath(g, NULL)) == NULL)
		rc = errno == ENOMEM ? ddci_error_oom() : UNSURE;
	else
		rc = 0;
	free(line);
	if (rc)
		return rc < 0 ? rc : 0;
	if (is_kind(*common, "objects", S_IFDIR) && is_kind(*common, "refs", S_IFDIR))
		return 1;
	free(*common);
	*common = NULL;
	return 0;
}

/* Fills d with the repository directory `g` (taken). */
static int use_gitdir(struct ddci_gitdir *d, char *g, char *common)
{
	char *real = realpath(g, NULL);

	free(g);
	if (!real) {
		free(common);
		return errno == ENOMEM ? ddci_error_oom() : UNSURE;
	}
	d->gitdir = real;
	d->commondir = common;
	return 0;
}

/* A .git file: "gitdir: <path>", relative to the file's directory.  0 with
 * d filled, or git's error (exit 2: never a walk up to the enclosing
 * repository). */
static int read_gitfile(struct ddci_gitdir *d, const char *file, const char *dir)
{
	char *line = NULL, *g = NULL, *common = NULL;
	const char *p;
	int rc = read_line_file(&line, file);

	if (rc < 0)
		return rc;
	if (rc || strncmp(line, "gitdir: ", 8) != 0 || !line[8]) {
		rc = ddci_error_set(DDCI_EGIT, "invalid gitfile format: %s", file);
		goto done;
	}
	p = line + 8;
	g = p[0] == '/' ? strdup(p) : join(dir, p);
	if (!g) {
		rc = ddci_error_oom();
		goto done;
	}
	rc = is_git_directory(&common, g);
	if (rc == 0)
		rc = ddci_error_set(DDCI_EGIT, "not a git repository: %s (named by %s)", g, file);
	if (rc < 0)
		goto done;
	rc = use_gitdir(d, g, common);
	g = NULL;
done:
	free(g);
	free(line);
	return rc;
}

/* git_env_bool(): unset or empty is `dflt`. */
static int env_bool(const char *name, int dflt)
{
	const char *v = getenv(name);

	if (!v || !*v)
		return dflt;
	return !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") ||
	       (isdigit((unsigned char)*v) && strtol(v, NULL, 10) != 0);
}

/* GIT_CEILING_DIRECTORIES: the length of the longest entry that is a
 * proper ancestor of `dir` (git's longest_ancestor_length), or -1. */
static ssize_t ceiling_offset(const char *dir)
{
	const char *env = getenv("GIT_CEILING_DIRECTORIES"), *p, *colon;
	ssize_t best = -1;
	char entry[PATH_MAX], *real;
	size_t n;

	for (p = env; p && *p; p = *colon ? colon + 1 : colon) {
		colon = p + strcspn(p, ":");
		n = (size_t)(colon - p);
		if (n == 0 || n >= sizeof(entry) || *p != '/')
			continue;
		memcpy(entry, p, n);
		entry[n] = '\0';
		real = realpath(entry, NULL);
		if (real) {
			snprintf(entry, sizeof(entry), "%s", real);
			free(real);
		}
		n = strlen(entry);
		while (n > 1 && entry[n - 1] == '/')
			entry[--n] = '\0';
		if (n > 1 && !strncmp(dir, entry, n) && dir[n] == '/' && (ssize_t)n > best)
			best = (ssize_t)n;
	}
	return best;
}

/* GIT_DIR: the repository is there (a directory or a .git file), relative
 * to `base`; no discovery and, like git, no ownership check. */
static int explicit_gitdir(struct ddci_gitdir *d, const char *base, const char *env)
{
	char *g = env[0] == '/' ? strdup(env) : join(base, env), *common = NULL;
	struct stat st;
	int rc;

	if (!g)
		return ddci_error_oom();
	if (stat(g, &st) == 0 && S_ISREG(st.st_mode)) {
		rc = read_gitfile(d, g, base);
		free(g);
		return rc;
	}
	rc = is_git_directory(&common, g);
	if (rc == 0)
		rc = ddci_error_set(DDCI_EGIT, "not a git repository: '%s' (GIT_DIR)", env);
	if (rc < 0) {
		free(g);
		return rc;
	}
	return use_gitdir(d, g, common);
}

/* dir/.git, then dir itself as a bare repository: 0 found, UNSURE not
 * there, or an error (an invalid .git file). */
static int try_dir(struct ddci_gitdir *d, const char *dir)
{
	struct stat st;
	char *dotgit = join(dir, ".git"), *common = NULL, *g;
	int rc;

	if (!dotgit)
		return ddci_error_oom();
	if (stat(dotgit, &st) == 0 && S_ISREG(st.st_mode)) {
		rc = read_gitfile(d, dotgit, dir);
		if (rc == 0 && !(d->gitfile = strdup(dotgit)))
			rc = ddci_error_oom();
		free(dotgit);
		if (rc == 0 && !(d->worktree = strdup(dir)))
			rc = ddci_error_oom();
		return rc;
	}
	rc = is_git_directory(&common, dotgit);
	if (rc == 1) {
		rc = use_gitdir(d, dotgit, common);
		if (rc == 0 && !(d->worktree = strdup(dir)))
			rc = ddci_error_oom();
		return rc;
	}
	free(dotgit);
	if (rc < 0)
		return rc;
	rc = is_git_directory(&common, dir);
	if (rc == 1) {
		if (!(g = strdup(dir))) {
			free(common);
			return ddci_error_oom();
		}
		return use_gitdir(d, g, common);
	}
	return rc < 0 ? rc : UNSURE;
}

int ddci_gitdir_discover(struct ddci_gitdir *out, const char *path)
{
	const char *env = getenv("GIT_DIR");
	struct stat st;
	char *dir, *slash;
	ssize_t ceil;
	dev_t dev;
	int rc = UNSURE, one_fs = !env_bool("GIT_DISCOVERY_ACROSS_FILESYSTEM", 0);

	memset(out, 0, sizeof(*out));
	dir = realpath(path ? path : ".", NULL);
	if (!dir)
		return errno == ENOMEM ? ddci_error_oom() : UNSURE;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		goto done;
	if (env && *env) {
		rc = explicit_gitdir(out, dir, env);
		goto done;
	}
	dev = st.st_dev;
	ceil = ceiling_offset(dir);
	for (;;) {
		rc = try_dir(out, dir);
		if (rc <= 0)
			break;
		/* Up one, not into a ceiling, not across file systems. */
		slash = strrchr(dir, '/');
		if (!slash || dir[1] == '\0' || (ssize_t)(slash - dir) <= ceil)
			break;
		slash[slash == dir] = '\0';
		if (one_fs && (stat(dir, &st) != 0 || st.st_dev != dev))
			break;
	}
	if (rc == 0)
		rc = ddci_gitdir_check_owner(out);
done:
	if (rc)
		ddci_gitdir_release(out);
	free(dir);
	return rc;
}

void ddci_gitdir_release(struct ddci_gitdir *d)
{
	if (!d)
		return;
	free(d->gitdir);
	free(d->commondir);
	free(d->worktree);
	free(d->gitfile);
	memset(d, 0, sizeof(*d));
}

static int is_hex40(const char *s)
{
	for (int i = 0; i < 40; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A ref name safe to use as a path under the repository. */
static int safe_refname(const char *r)
{
	size_t n = strlen(r);

	if (strncmp(r, "refs/", 5) != 0 || n > 1024 || strstr(r, "..") || strstr(r, "//") ||
	    r[n - 1] == '/' || strstr(r, "/."))
		return 0;
	for (const char *p = r; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("~^:?*[\\", *p) || *p == 0x7f)
			return 0;
	return 1;
}

/* Refs that belong to each worktree rather than to the repository. */
static int per_worktree(const char *r)
{
	return !strncmp(r, "refs/bisect/", 12) || !strncmp(r, "refs/worktree/", 14) ||
	       !strncmp(r, "refs/rewritten/", 15);
}

/* --- packed-refs ----------------------------------------------------------------
 *
 * "<40 hex> <refname>" lines, each possibly followed by "^<40 hex>" (the
 * peeled tag).  When git wrote the file sorted (its header says so), a
 * record is found by binary search in the mapped file, as git does;
 * otherwise by a scan.
 */

/* Compares `refname` with the name of the record at r: <0, 0, >0; 2 when
 * the record is not one this reader takes. */
static int cmp_record(const char *refname, size_t rlen, const char *r, const char *end)
{
	const char *name = r + 41, *nl;
	size_t n;
	int c;

	if (end - r < 42 || r[40] != ' ')
		return 2;
	nl = memchr(name, '\n', (size_t)(end - name));
	n = (size_t)((nl ? nl : end) - name);
	if (n && name[n - 1] == '\r')
		n--;
	c = memcmp(refname, name, rlen < n ? rlen : n);
	if (c)
		return c < 0 ? -1 : 1;
	return rlen < n ? -1 : rlen > n;
}

/* The start of the line after the record at r (and its "^" lines). */
static const char *next_record(const char *r, const char *end)
{
	do {
		const char *nl = memchr(r, '\n', (size_t)(end - r));

		r = nl ? nl + 1 : end;
	} while (r < end && *r == '^');
	return r;
}

/* The record `refname` in [buf, end): NULL when absent. */
static const char *find_packed(const char *buf, const char *end, const char *refname, int sorted)
{
	size_t rlen = strlen(refname);
	const char *lo = buf, *hi = end, *mid;
	int c;

	if (!sorted) {
		for (mid = buf; mid < end; mid = next_record(mid, end))
			if (*mid != '#' && cmp_record(refname, rlen, mid, end) == 0)
				return mid;
		return NULL;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		while (mid > lo && (mid[-1] != '\n' || *mid == '^'))
			mid--;
		c = cmp_record(refname, rlen, mid, end);
		if (c == 0)
			return mid;
		if (c == 2)
			return find_packed(buf, end, refname, 0); /* not what git writes */
		if (c < 0)
			hi = mid;
		else
			lo = next_record(mid, end);
	}
	return NULL;
}

static int packed_ref(char sha[41], const struct ddci_gitdir *d, const char *refname)
{
	char *path = join(d->commondir, "packed-refs");
	const char *buf, *end, *rec, *hdr_end;
	struct stat st;
	void *map;
	int fd, sorted = 0, rc = UNSURE;

	if (!path)
		return ddci_error_oom();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return UNSURE;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return UNSURE;
	}
	close(fd);
	buf = map;
	end = buf + st.st_size;
	if (end - buf > 17 && !memcmp(buf, "# pack-refs with:", 17)) {
		hdr_end = memchr(buf, '\n', (size_t)(end - buf));
		hdr_end = hdr_end ? hdr_end : end;
		sorted = memmem(buf, (size_t)(hdr_end - buf), " sorted", 7) != NULL;
		buf = hdr_end < end ? hdr_end + 1 : end;
	}
	rec = find_packed(buf, end, refname, sorted);
	if (rec && is_hex40(rec)) {
		memcpy(sha, rec, 40);
		sha[40] = '\0';
		rc = 0;
	}
	munmap(map, (size_t)st.st_size);
	return rc;
}

/* git follows at most this many refs, HEAD included (SYMREF_MAXDEPTH). */
#define MAX_REF_READS 5

/* Reads `refname`, following symbolic refs; `reads` refs were read to get
 * here.  *last = the last symbolic target met (malloc'd), when wanted. */
static int read_ref(char sha[41], char **last, const struct ddci_gitdir *d, const char *refname, int reads)
{
	char *path, *line = NULL, *target;
	int rc;

	if (reads >= MAX_REF_READS)
		return ddci_error_set(DDCI_EGIT, "cannot resolve '%s': symbolic refs nested deeper than git follows "
						 "(%d levels)", refname, MAX_REF_READS);
	if (!safe_refname(refname))
		return UNSURE;
	path = join(per_worktree(refname) ? d->gitdir : d->commondir, refname);
	if (!path)
		return ddci_error_oom();
	rc = read_line_file(&line, path);
	free(path);
	if (rc < 0)
		return rc;
	if (rc == UNSURE) /* not loose (or unreadable): packed, if anywhere here */
		return packed_ref(sha, d, refname);
	if (!strncmp(line, "ref:", 4)) {
		target = line + 4 + strspn(line + 4, " \t");
		if (last) {
			free(*last);
			if (!(*last = strdup(target))) {
				free(line);
				return ddci_error_oom();
			}
		}
		rc = read_ref(sha, last, d, target, reads + 1);
	} else if (strlen(line) == 40 && is_hex40(line)) {
		memcpy(sha, line, 41);
		rc = 0;
	} else {
		rc = UNSURE;
	}
	free(line);
	return rc;
}

int ddci_gitdir_ref(char sha[41], const struct ddci_gitdir *d, const char *refname)
{
	sha[0] = '\0';
	return read_ref(sha, NULL, d, refname, 0);
}

int ddci_gitdir_head(char sha[41], char **symref, const struct ddci_gitdir *d)
{
	char *path, *line = NULL, *target;
	int rc;

	sha[0] = '\0';
	*symref = NULL;
	path = join(d->gitdir, "HEAD");
	if (!path)
		return ddci_error_oom();
	rc = read_line_file(&line, path);
	free(path);
	if (rc)
		return rc;
	if (strlen(line) == 40 && is_hex40(line)) {
		memcpy(sha, line, 41);
		goto done;
	}
	if (strncmp(line, "ref:", 4) != 0) {
		rc = UNSURE;
		goto done;
	}
	target = line + 4 + strspn(line + 4, " \t");
	if (!(*symref = strdup(target))) {
		rc = ddci_error_oom();
		goto done;
	}
	rc = read_ref(sha, symref, d, target, 1);
done:
	free(line);
	if (rc) {
		sha[0] = '\0';
		free(*symref);
		*symref = NULL;
	}
	return rc;
}

int ddci_gitdir_is_shallow(const struct ddci_gitdir *d)
{
	struct stat st;
	char *p = join(d->commondir, "shallow");
	int shallow;

	if (!p)
		return 0;
	shallow = stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
	free(p);
	return shallow;
}

/* --- The config file ---------------------------------------------------------
 *
 * git-config(1) syntax: "[section]" or "[section \"subsection\"]" (the old
 * "[section.subsection]" too), "key = value" lines, # and ; comments,
 * quoted parts, \n \t \b \\ \" escapes and backslash-newline continuations.
 * Section and key names are case-insensitive, subsections are not (except in
 * the old form, which git lowercases).  Anything else is UNSURE.
 */

struct cfgp {
	const char *s;
	size_t i, n;
	char section[128];
	char sub[512];
	int in_wanted;      /* the current section is the one asked for */
	int refuse;         /* includes, worktree config: let libgit2 do it */
};

static int cfg_peek(const struct cfgp *p)
{
	return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

static void cfg_skip_blank(struct cfgp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
		p->i++;
}

static void cfg_skip_line(struct cfgp *p)
{
	while (p->i < p->n && p->s[p->i] != '\n')
		p->i++;
	if (p->i < p->n)
		p->i++;
}

/* After "[": the header up to "]".  0 or UNSURE. */
static int cfg_section(struct cfgp *p)
{
	size_t k = 0;
	int c;

	p->sub[0] = '\0';
	while ((c = cfg_peek(p)) != -1 && (isalnum(c) || c == '-' || c == '.')) {
		if (k + 1 >= sizeof(p->section))
			return UNSURE;
		p->section[k++] = (char)tolower(c);
		p->i++;
	}
	p->section[k] = '\0';
	if (k == 0)
		return UNSURE;
	if (c == ' ' || c == '\t') {
		cfg_skip_blank(p);
		if (cfg_peek(p) != '"')
			return UNSURE;
		p->i++;
		k = 0;
		while ((c = cfg_peek(p)) != '"') {
			if (c == -1 || c == '\n')
				return UNSURE;
			if (c == '\\') {
				p->i++;
				c = cfg_peek(p);
				if (c == -1 || c == '\n')
					return UNSURE;
			}
			if (k + 1 >= sizeof(p->sub))
				return UNSURE;
			p->sub[k++] = (char)c;
			p->i++;
		}
		p->sub[k] = '\0';
		p->i++;
		c = cfg_peek(p);
	} else {
		char *dot = strchr(p->section, '.');

		if (dot) { /* [section.subsection], already lowercased */
			snprintf(p->sub, sizeof(p->sub), "%s", dot + 1);
			*dot = '\0';
		}
	}
	if (c != ']')
		return UNSURE;
	p->i++;
	if (!strcmp(p->section, "include") || !strcmp(p->section, "includeif"))
		p->refuse = 1;
	return 0;
}

#define CFG_BOOLEAN 2

/* After "key": " = value" to the end of the (continued) line, unescaped
 * into `out` (size cap).  0, CFG_BOOLEAN for a key without a value, or
 * UNSURE. */
static int cfg_value(struct cfgp *p, char *out, size_t cap, size_t *len)
{
	size_t k = 0, keep = 0; /* keep: length up to the last character not to trim */
	int quoted = 0, c;

	cfg_skip_blank(p);
	c = cfg_peek(p);
	if (c == -1 || c == '\n' || c == '\r')
		return CFG_BOOLEAN; /* "key" alone: true */
	if (c != '=')
		return UNSURE;
	p->i++;
	cfg_skip_blank(p);
	for (;;) {
		c = cfg_peek(p);
		if (c == -1 || c == '\n' || c == '\r') {
			if (quoted)
				return UNSURE;
			break;
		}
		p->i++;
		if (!quoted && (c == '#' || c == ';')) {
			while (p->i < p->n && p->s[p->i] != '\n')
				p->i++; /* the newline is the caller's */
			break;
		}
		if (c == '"') {
			quoted = !quoted;
			keep = k;
			continue;
		}
		if (c == '\\') {
			c = cfg_peek(p);
			p->i++;
			switch (c) {
			case '\n': continue; /* continuation */
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'b': c = '\b'; break;
			case '\\': case '"': break;
			default: return UNSURE;
			}
			if (k + 1 >= cap)
				return UNSURE;
			out[k++] = (char)c;
			keep = k;
			continue;
		}
		if (k + 1 >= cap)
			return UNSURE;
		out[k++] = (char)c;
		if (quoted || (c != ' ' && c != '\t'))
			keep = k;
	}
	out[keep] = '\0';
	*len = keep;
	return 0;
}

/* One "key = value" (value NULL for a bare "key"): 0 to go on. */
typedef int (*cfg_fn)(void *ctx, const char *section, const char *sub, const char *key, const char *value);

/* After a key's value: only a comment may follow on its line. */
static int cfg_end_of_entry(struct cfgp *p)
{
	cfg_skip_blank(p);
	if (cfg_peek(p) == '#' || cfg_peek(p) == ';' || cfg_peek(p) == '\r')
		while (p->i < p->n && p->s[p->i] != '\n')
			p->i++;
	if (cfg_peek(p) != -1 && cfg_peek(p) != '\n')
		return UNSURE;
	cfg_skip_line(p);
	return 0;
}

/* Calls fn for every entry of a config text.  0, UNSURE (syntax this
 * reader does not take), DDCI_ENOMEM, or fn's non-zero.  *refused: the
 * file has includes or turns worktree config on. */
static int cfg_parse(const char *text, size_t len, cfg_fn fn, void *ctx, int *refused)
{
	struct cfgp p;
	char *value = malloc(len + 1), name[128];
	size_t vlen, k;
	int rc = 0, c;

	if (!value)
		return ddci_error_oom();
	memset(&p, 0, sizeof(p));
	p.s = text;
	p.n = len;
	while (rc == 0 && p.i < p.n) {
		cfg_skip_blank(&p);
		c = cfg_peek(&p);
		if (c == '\n' || c == '\r' || c == '#' || c == ';') {
			cfg_skip_line(&p);
			continue;
		}
		if (c == '[') {
			p.i++;
			rc = cfg_section(&p);
			continue; /* a key may follow on the same line */
		}
		if (!isalpha(c) || !p.section[0]) {
			rc = UNSURE;
			break;
		}
		for (k = 0; (c = cfg_peek(&p)) != -1 && (isalnum(c) || c == '-') && k + 1 < sizeof(name); p.i++)
			name[k++] = (char)tolower(c);
		name[k] = '\0';
		if (k + 1 >= sizeof(name)) {
			rc = UNSURE;
			break;
		}
		if (!strcmp(p.section, "extensions") && !strcmp(name, "worktreeconfig"))
			p.refuse = 1;
		rc = cfg_value(&p, value, len + 1, &vlen);
		if (rc == 0 || rc == CFG_BOOLEAN)
			rc = fn(ctx, p.section, p.sub, name, rc == 0 ? value : NULL);
		if (rc == 0)
			rc = cfg_end_of_entry(&p);
	}
	if (p.refuse)
		*refused = 1;
	free(value);
	return rc;
}

/* The config file at `path` (a missing one is empty). */
static int cfg_file(const char *path, cfg_fn fn, void *ctx, int *refused)
{
	char *text = NULL;
	size_t len;
	int rc;

	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	rc = slurp(&text, &len, path, MAX_CONFIG);
	if (rc == 0)
		rc = cfg_parse(text, len, fn, ctx, refused);
	free(text);
	return rc;
}

/* The system and global files, in git's order; `local` adds the
 * repository's own and the command-line GIT_CONFIG_COUNT entries. */
static int cfg_scopes(const struct ddci_gitdir *d, cfg_fn fn, void *ctx, int *refused)
{
	const char *sys = getenv("GIT_CONFIG_SYSTEM"), *glob = getenv("GIT_CONFIG_GLOBAL");
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME"), *count;
	char path[PATH_MAX], k[64];
	int rc = 0;

	if (!env_bool("GIT_CONFIG_NOSYSTEM", 0))
		rc = cfg_file(sys && *sys ? sys : "/etc/gitconfig", fn, ctx, refused);
	if (!rc && glob && *glob) {
		rc = cfg_file(glob, fn, ctx, refused);
	} else if (!rc) {
		if (xdg && *xdg)
			snprintf(path, sizeof(path), "%s/git/config", xdg);
		else
			snprintf(path, sizeof(path), "%s/.config/git/config", home ? home : "");
		if ((xdg && *xdg) || (home && *home))
			rc = cfg_file(path, fn, ctx, refused);
		if (!rc && home && *home) {
			snprintf(path, sizeof(path), "%s/.gitconfig", home);
			rc = cfg_file(path, fn, ctx, refused);
		}
	}
	if (!rc && d) {
		char *local = join(d->commondir, "config");

		if (!local)
			return ddci_error_oom();
		rc = cfg_file(local, fn, ctx, refused);
		free(local);
	}
	count = getenv("GIT_CONFIG_COUNT");
	for (long i = 0, n = count ? strtol(count, NULL, 10) : 0; !rc && i < n && i < 1000; i++) {
		const char *key, *val, *dot, *last;
		char sec[128], sub[512];

		snprintf(k, sizeof(k), "GIT_CONFIG_KEY_%ld", i);
		key = getenv(k);
		snprintf(k, sizeof(k), "GIT_CONFIG_VALUE_%ld", i);
		val = getenv(k);
		if (!key || !val || !(dot = strchr(key, '.')) || !(last = strrchr(key, '.')) ||
		    (size_t)(dot - key) >= sizeof(sec) || (size_t)(last - dot) > sizeof(sub))
			continue;
		snprintf(sec, sizeof(sec), "%.*s", (int)(dot - key), key);
		for (char *c = sec; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		snprintf(sub, sizeof(sub), "%.*s", last > dot ? (int)(last - dot - 1) : 0, dot + 1);
		snprintf(k, sizeof(k), "%s", last + 1);
		for (char *c = k; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		rc = fn(ctx, sec, sub, k, val);
	}
	return rc;
}

struct cfg_get {
	const char *section, *sub, *key;
	char *found; /* the last value */
	int boolean; /* the last one was a bare key */
};

static int get_cb(void *ctx, const char *section, const char *sub, const char *key, const char *value)
{
	struct cfg_get *g = ctx;

	if (strcmp(section, g->section) || strcmp(sub, g->sub) || strcmp(key, g->key))
		return 0;
	free(g->found);
	g->found = NULL;
	g->boolean = !value;
	if (value && !(g->found = strdup(value)))
		return ddci_error_oom();
	return 0;
}

int ddci_gitdir_config(char **out, const struct ddci_gitdir *d, const char *section,
		       const char *subsection, const char *key)
{
	struct cfg_get g = { section, subsection ? subsection : "", key, NULL, 0 };
	char *path = join(d->commondir, "config"), lkey[128];
	int rc, refused = 0;

	*out = NULL;
	if (!path)
		return ddci_error_oom();
	snprintf(lkey, sizeof(lkey), "%s", key);
	for (char *c = lkey; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	g.key = lkey;
	rc = access(path, F_OK) == 0 ? cfg_file(path, get_cb, &g, &refused) : UNSURE;
	free(path);
	if (rc == 0 && (refused || !g.found || g.boolean))
		rc = UNSURE;
	if (rc == 0) {
		*out = g.found;
		g.found = NULL;
	}
	free(g.found);
	return rc;
}

/* --- A remote's URL, as git reads it ------------------------------------------
 *
 * remote.<name>.url from every scope in git's order: the first value wins
 * (an empty one clears those before it); then url.<base>.insteadOf, the
 * longest matching prefix, replaced by its base (pushInsteadOf is for
 * pushing only).
 */
struct remote_cfg {
	const char *name;
	char *url;         /* the first url, or NULL */
	int cleared;       /* urls were given but an empty one cleared them */
	char *base;        /* the best insteadOf so far */
	size_t best;       /* its prefix length */
	int nomem;
	char **pairs;      /* base, prefix, base, prefix, ... */
	size_t npairs, cap;
};

static int remote_cb(void *ctx, const char *section, const char *sub, const char *key, const char *value)
{
	struct remote_cfg *r = ctx;

	if (!strcmp(section, "remote") && !strcmp(sub, r->name) && !strcmp(key, "url") && value) {
		if (!*value) {
			free(r->url);
			r->url = NULL;
			return 0;
		}
		if (!r->url && !(r->url = strdup(value)))
			return ddci_error_oom();
		return 0;
	}
	if (!strcmp(section, "url") && !strcmp(key, "insteadof") && value && *value) {
		if (r->npairs + 2 > r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 16;
			char **p = realloc(r->pairs, cap * sizeof(*p));

			if (!p)
				return ddci_error_oom();
			r->pairs = p;
			r->cap = cap;
		}
		r->pairs[r->npairs] = strdup(sub);
		r->pairs[r->npairs + 1] = strdup(value);
		r->npairs += 2;
		if (!r->pairs[r->npairs - 2] || !r->pairs[r->npairs - 1])
			return ddci_error_oom();
	}
	return 0;
}

int ddci_gitdir_rewrite_url(char **out, const char *url, char *const *pairs, size_t npairs)
{
	size_t best = 0, n, i;
	const char *base = NULL;

	*out = NULL;
	for (i = 0; i + 1 < npairs; i += 2) {
		n = strlen(pairs[i + 1]);
		if (n > best && !strncmp(url, pairs[i + 1], n)) {
			best = n;
			base = pairs[i];
		}
	}
	n = base ? strlen(base) : 0;
	*out = malloc(n + strlen(url + best) + 1);
	if (!*out)
		return ddci_error_oom();
	memcpy(*out, base ? base : "", n);
	memcpy(*out + n, url + best, strlen(url + best) + 1);
	return 0;
}

int ddci_gitdir_remote_url(char **out, const struct ddci_gitdir *d, const char *name)
{
	struct remote_cfg r;
	int rc, refused = 0;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.name = name;
	rc = cfg_scopes(d, remote_cb, &r, &refused);
	if (rc == 0 && (refused || !r.url))
		rc = UNSURE; /* includes, or no such remote: libgit2 says */
	if (rc == 0)
		rc = ddci_gitdir_rewrite_url(out, r.url, r.pairs, r.npairs);
	for (size_t i = 0; i < r.npairs; i++)
		free(r.pairs[i]);
	free(r.pairs);
	free(r.url);
	return rc;
}

/* --- Ownership, as git checks it ----------------------------------------------
 *
 * git refuses a repository whose worktree, .git file or git directory is
 * not owned by the user running it (root run through sudo counts as
 * SUDO_UID), unless safe.directory names it or is "*" in the system or
 * global config or on the command line (an empty value clears the list).
 * GIT_TEST_ASSUME_DIFFERENT_OWNER=1 makes every path foreign, as in git.
 */
static int owned(const char *path)
{
	struct stat st;
	uid_t euid = geteuid();
	const char *sudo = getenv("SUDO_UID");

	if (lstat(path, &st) != 0)
		return 0;
	if (euid == 0 && sudo && *sudo) {
		char *end;
		unsigned long v = strtoul(sudo, &end, 10);

		if (!*end && v <= UINT_MAX)
			euid = (uid_t)v;
	}
	return st.st_uid == euid;
}

struct safe_dir {
	const char *path;
	int safe;
};

static int safe_cb(void *ctx, const char *section, const char *sub, const char *key, const char *value)
{
	struct safe_dir *s = ctx;
	const char *home = getenv("HOME");
	char buf[PATH_MAX];

	if (strcmp(section, "safe") || *sub || strcmp(key, "directory") || !value)
		return 0;
	if (!*value) {
		s->safe = 0;
		return 0;
	}
	if (!strcmp(value, "*")) {
		s->safe = 1;
		return 0;
	}
	if (value[0] == '~' && value[1] == '/' && home) {
		snprintf(buf, sizeof(buf), "%s%s", home, value + 1);
		value = buf;
	}
	if (!strcmp(value, s->path))
		s->safe = 1;
	return 0;
}

int ddci_gitdir_check_owner(const struct ddci_gitdir *d)
{
	struct safe_dir s = { d->worktree ? d->worktree : d->gitdir, 0 };
	int refused = 0, rc;

	if (!env_bool("GIT_TEST_ASSUME_DIFFERENT_OWNER", 0) && (!d->gitfile || owned(d->gitfile)) &&
	    (!d->worktree || owned(d->worktree)) && owned(d->gitdir))
		return 0;
	rc = cfg_scopes(NULL, safe_cb, &s, &refused);
	if (rc < 0)
		return rc;
	if (s.safe)
		return 0;
	return ddci_error_set(DDCI_EGIT,
			      "detected dubious ownership in repository at '%s' (it belongs to another user); "
			      "if you trust it, run: git config --global --add safe.directory %s",
			      s.path, s.path);
}
