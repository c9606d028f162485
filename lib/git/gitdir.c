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
#include <sys/stat.h>
#include <unistd.h>

#define UNSURE DDCI_GITDIR_UNSURE
#define MAX_SMALL 4096              /* HEAD, loose refs, gitdir/commondir files */
#define MAX_CONFIG ((size_t)4 * 1024 * 1024)
#define MAX_SYMREF_DEPTH 5

static int nomem(void)
{
	ddci_error_set(DDCI_ENOMEM, "out of memory");
	return DDCI_ENOMEM; /* a constant the analyzer can follow */
}

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
		rc = nomem();
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
			return nomem();
		p = joined;
	}
	real = realpath(p, NULL);
	free(joined);
	if (!real)
		return errno == ENOMEM ? nomem() : UNSURE;
	*out = real;
	return 0;
}

/* `g` is a repository directory: HEAD in it, objects/ and refs/ in its
 * common directory.  Fills d (taking g) on 0. */
static int check_gitdir(struct ddci_gitdir *d, char *g)
{
	char *cfile = NULL, *line = NULL, *common = NULL;
	int rc;

	if (!is_kind(g, "HEAD", S_IFREG)) {
		rc = UNSURE;
		goto done;
	}
	cfile = join(g, "commondir");
	if (!cfile) {
		rc = nomem();
		goto done;
	}
	rc = read_line_file(&line, cfile);
	if (rc < 0)
		goto done;
	if (rc == 0)
		rc = resolve_from(&common, g, line);
	else if ((common = strdup(g)) == NULL)
		rc = nomem();
	else
		rc = 0;
	if (rc)
		goto done;
	if (!is_kind(common, "objects", S_IFDIR) || !is_kind(common, "refs", S_IFDIR)) {
		rc = UNSURE;
		goto done;
	}
	d->gitdir = g;
	d->commondir = common;
	g = common = NULL;
done:
	free(g);
	free(common);
	free(line);
	free(cfile);
	return rc;
}

/* dir/.git: a directory, or a file saying "gitdir: <path>". */
static int try_dotgit(struct ddci_gitdir *d, const char *dir)
{
	struct stat st;
	char *dotgit = join(dir, ".git"), *line = NULL, *g = NULL;
	int rc = UNSURE;

	if (!dotgit)
		return nomem();
	if (stat(dotgit, &st) != 0)
		goto done;
	if (S_ISDIR(st.st_mode)) {
		rc = resolve_from(&g, dir, ".git");
	} else if (S_ISREG(st.st_mode)) {
		rc = read_line_file(&line, dotgit);
		if (rc == 0)
			rc = strncmp(line, "gitdir:", 7) ? UNSURE
							   : resolve_from(&g, dir, line + 7 + strspn(line + 7, " \t"));
	}
	if (rc == 0) {
		rc = check_gitdir(d, g);
		g = NULL;
	}
done:
	free(g);
	free(line);
	free(dotgit);
	return rc;
}

int ddci_gitdir_discover(struct ddci_gitdir *out, const char *path)
{
	struct stat st;
	char *dir, *slash, *g;
	dev_t dev;
	int rc = UNSURE;

	out->gitdir = out->commondir = NULL;
	dir = realpath(path ? path : ".", NULL);
	if (!dir)
		return errno == ENOMEM ? nomem() : UNSURE;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		goto done;
	dev = st.st_dev;
	for (;;) {
		rc = try_dotgit(out, dir);
		if (rc <= 0)
			break;
		/* The directory itself, as a bare repository. */
		g = strdup(dir);
		if (!g) {
			rc = nomem();
			break;
		}
		rc = check_gitdir(out, g);
		if (rc <= 0)
			break;
		/* Up one, not across file systems (git's default). */
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			break;
		*slash = '\0';
		if (stat(dir, &st) != 0 || st.st_dev != dev)
			break;
	}
done:
	free(dir);
	return rc;
}

void ddci_gitdir_release(struct ddci_gitdir *d)
{
	if (!d)
		return;
	free(d->gitdir);
	free(d->commondir);
	d->gitdir = d->commondir = NULL;
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

static int packed_ref(char sha[41], const struct ddci_gitdir *d, const char *refname)
{
	char *path = join(d->commondir, "packed-refs"), *line = NULL;
	size_t cap = 0, rlen = strlen(refname);
	ssize_t n;
	FILE *f;
	int rc = UNSURE;

	if (!path)
		return nomem();
	f = fopen(path, "re");
	free(path);
	if (!f)
		return UNSURE;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#' || line[0] == '^')
			continue;
		if ((size_t)n == 41 + rlen && line[40] == ' ' && !memcmp(line + 41, refname, rlen) &&
		    is_hex40(line)) {
			memcpy(sha, line, 40);
			sha[40] = '\0';
			rc = 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

static int read_ref(char sha[41], const struct ddci_gitdir *d, const char *refname, int depth)
{
	char *path, *line = NULL;
	int rc;

	if (depth > MAX_SYMREF_DEPTH || !safe_refname(refname))
		return UNSURE;
	path = join(per_worktree(refname) ? d->gitdir : d->commondir, refname);
	if (!path)
		return nomem();
	rc = read_line_file(&line, path);
	free(path);
	if (rc < 0)
		return rc;
	if (rc == UNSURE) /* not loose (or unreadable): packed, if anywhere here */
		return packed_ref(sha, d, refname);
	if (!strncmp(line, "ref:", 4))
		rc = read_ref(sha, d, line + 4 + strspn(line + 4, " \t"), depth + 1);
	else if (strlen(line) == 40 && is_hex40(line)) {
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
	return read_ref(sha, d, refname, 0);
}

int ddci_gitdir_head(char sha[41], char **symref, const struct ddci_gitdir *d)
{
	char *path, *line = NULL, *target;
	int rc;

	sha[0] = '\0';
	*symref = NULL;
	path = join(d->gitdir, "HEAD");
	if (!path)
		return nomem();
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
	rc = read_ref(sha, d, target, 1);
	if (rc == 0 && (*symref = strdup(target)) == NULL)
		rc = nomem();
done:
	free(line);
	if (rc)
		sha[0] = '\0';
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

int ddci_gitdir_config(char **out, const struct ddci_gitdir *d, const char *section,
		       const char *subsection, const char *key)
{
	struct cfgp p;
	char *path, *text = NULL, *value = NULL, *found = NULL;
	char name[128];
	size_t len, vlen, k;
	int rc, c;

	*out = NULL;
	path = join(d->commondir, "config");
	if (!path)
		return nomem();
	rc = slurp(&text, &len, path, MAX_CONFIG);
	free(path);
	if (rc)
		return rc;
	value = malloc(len + 1);
	if (!value) {
		rc = nomem();
		goto done;
	}
	memset(&p, 0, sizeof(p));
	p.s = text;
	p.n = len;
	rc = 0;
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
			if (rc)
				break;
			p.in_wanted = !strcmp(p.section, section) &&
				      !strcmp(p.sub, subsection ? subsection : "");
			continue; /* a key may follow on the same line */
		}
		if (!isalpha(c)) {
			rc = UNSURE;
			break;
		}
		for (k = 0; (c = cfg_peek(&p)) != -1 && (isalnum(c) || c == '-'); p.i++) {
			if (k + 1 >= sizeof(name)) {
				rc = UNSURE;
				break;
			}
			name[k++] = (char)tolower(c);
		}
		name[k] = '\0';
		if (rc)
			break;
		if (!strcmp(p.section, "extensions") && !strcmp(name, "worktreeconfig"))
			p.refuse = 1;
		rc = cfg_value(&p, value, len + 1, &vlen);
		if (rc == CFG_BOOLEAN) {
			/* A boolean cannot be the value we want; its line ends here. */
			rc = p.in_wanted && !strcasecmp(name, key) ? UNSURE : 0;
		} else if (rc) {
			break;
		} else if (p.in_wanted && !strcasecmp(name, key)) {
			free(found);
			found = strdup(value);
			if (!found) {
				rc = nomem();
				break;
			}
		}
		cfg_skip_blank(&p);
		if (cfg_peek(&p) == '#' || cfg_peek(&p) == ';' || cfg_peek(&p) == '\r')
			while (p.i < p.n && p.s[p.i] != '\n')
				p.i++;
		if (cfg_peek(&p) != -1 && cfg_peek(&p) != '\n') {
			rc = UNSURE;
			break;
		}
		cfg_skip_line(&p);
	}
	if (rc == 0 && (p.refuse || !found))
		rc = UNSURE;
	if (rc == 0) {
		*out = found;
		found = NULL;
	}
done:
	free(found);
	free(value);
	free(text);
	return rc;
}
