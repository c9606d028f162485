/* output.c — GitHub Actions outputs, step summary, annotations, JSON and
 * table printing, atomic report files.  Everything is redacted first, then
 * sanitised for its channel (sanitize.h). */
#include "ddci/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ddci/buf.h"
#include "ddci/json.h"
#include "ddci/redact.h"
#include "ddci/sanitize.h"

static int append_file(const char *path, const char *text, const char *var)
{
	int fd, rc = 0;
	size_t len = strlen(text), off = 0;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return ddci_error_set(DDCI_EIO, "cannot write %s '%s': %s", var, path, strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = ddci_error_set(DDCI_EIO, "cannot write %s '%s': %s", var, path, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	close(fd);
	return rc;
}

int ddci_in_github_actions(void)
{
	const char *v = getenv("GITHUB_ACTIONS");
	return v && !strcmp(v, "true");
}

char *ddci_output_clean(const char *text, enum ddci_chan ch)
{
	char *red = ddci_redact_text(text ? text : ""), *out;

	if (!red) {
		ddci_error_oom();
		return NULL;
	}
	out = ddci_san_dup(red, ch);
	free(red);
	if (!out)
		ddci_error_oom();
	return out;
}

/* A heredoc delimiter nobody can predict: "ghadelimiter_" and 32 random hex
 * digits from getrandom(2), as GitHub's own toolkit does. */
static int random_delimiter(char out[48])
{
	unsigned char r[16];
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ddci_error_set(DDCI_EIO, "cannot write GITHUB_OUTPUT: no random delimiter: %s",
					      strerror(errno));
		got += (size_t)n;
	}
	memcpy(out, "ghadelimiter_", 13);
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(out + 13 + 2 * i, 3, "%02x", r[i]);
	return 0;
}

int ddci_gh_output(const char *key, const char *value)
{
	const char *path = getenv("GITHUB_OUTPUT");
	struct ddci_buf b = DDCI_BUF_INIT;
	char *clean = NULL, delim[48];
	int rc = 0;

	if (!path || !*path)
		return 0;
	if (!(clean = ddci_output_clean(value, DDCI_CHAN_DOC)))
		return DDCI_ENOMEM;
	if (strchr(clean, '\n')) {
		do /* a value holding the delimiter would end the heredoc early */
			rc = random_delimiter(delim);
		while (rc == 0 && strstr(clean, delim));
		if (rc == 0)
			rc = ddci_buf_addf(&b, "%s<<%s\n%s\n%s\n", key, delim, clean, delim);
	} else {
		rc = ddci_buf_addf(&b, "%s=%s\n", key, clean);
	}
	if (rc == 0)
		rc = append_file(path, ddci_buf_str(&b), "GITHUB_OUTPUT");
	free(clean);
	ddci_buf_release(&b);
	return rc;
}

int ddci_gh_summary_wanted(void)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");

	return path && *path;
}

int ddci_gh_summary(const char *markdown)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	char *clean;
	int rc;

	if (!path || !*path)
		return 0;
	if (!(clean = ddci_output_clean(markdown, DDCI_CHAN_DOC)))
		return DDCI_ENOMEM;
	rc = append_file(path, clean, "GITHUB_STEP_SUMMARY");
	free(clean);
	return rc;
}

/* Workflow-command escaping: % \r \n always, and , : in properties. */
static void put_escaped(FILE *f, const char *s, int property)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '%': fputs("%25", f); break;
		case '\r': fputs("%0D", f); break;
		case '\n': fputs("%0A", f); break;
		case ':': fputs(property ? "%3A" : ":", f); break;
		case ',': fputs(property ? "%2C" : ",", f); break;
		default: fputc(*s, f);
		}
	}
}

void ddci_gh_annotate(const char *level, const char *file, int line, const char *title, const char *message)
{
	char *msg, *cfile, *ctitle;
	int sep = 0;

	if (!ddci_in_github_actions())
		return;
	msg = ddci_output_clean(message, DDCI_CHAN_DOC);
	cfile = ddci_output_clean(file, DDCI_CHAN_TEXT);
	ctitle = ddci_output_clean(title, DDCI_CHAN_TEXT);
	printf("::%s", level);
	if (cfile && *cfile) {
		fputs(" file=", stdout);
		put_escaped(stdout, cfile, 1);
		sep = 1;
		if (line > 0)
			printf(",line=%d", line);
	}
	if (ctitle && *ctitle) {
		fputs(sep ? "," : " ", stdout);
		fputs("title=", stdout);
		put_escaped(stdout, ctitle, 1);
	}
	fputs("::", stdout);
	put_escaped(stdout, msg ? msg : "", 0);
	fputc('\n', stdout);
	free(msg);
	free(cfile);
	free(ctitle);
}

int ddci_put_json(FILE *f, const cJSON *v, int pretty)
{
	char *text = pretty ? ddci_json_print_pretty(v) : ddci_json_print(v);
	char *clean;

	if (!text)
		return ddci_error_oom();
	clean = ddci_output_clean(text, DDCI_CHAN_JSON);
	free(text);
	if (!clean)
		return DDCI_ENOMEM;
	fputs(clean, f);
	free(clean);
	return 0;
}

int ddci_print_json(FILE *f, const cJSON *v, int pretty)
{
	int rc = ddci_put_json(f, v, pretty);

	if (rc == 0)
		fputc('\n', f);
	return rc;
}

static int write_all(int fd, const char *data, size_t len, const char *path)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ddci_error_set(DDCI_EIO, "cannot write '%s': %s", path, strerror(errno));
		off += (size_t)n;
	}
	return 0;
}

/* A new file next to path ("PATH.XXXXXX", mkostemp: O_EXCL, so neither a
 * planted file nor a planted symlink is ever opened), renamed over path once
 * written.  rename() replaces a symlink at path, never what it points to. */
int ddci_write_file(const char *path, const char *data, size_t len, int mode)
{
	struct ddci_buf tmp = DDCI_BUF_INIT;
	char *clean = NULL;
	mode_t mask;
	int fd = -1, rc = 0, created = 0;

	(void)len;
	if (ddci_buf_addf(&tmp, "%s.XXXXXX", path) < 0)
		return DDCI_ENOMEM;
	if (!(clean = ddci_output_clean(data, DDCI_CHAN_DOC))) {
		rc = DDCI_ENOMEM;
		goto done;
	}
	fd = mkostemp(tmp.ptr, O_CLOEXEC);
	if (fd < 0) {
		rc = ddci_error_set(DDCI_EIO, "cannot write '%s': %s", path, strerror(errno));
		goto done;
	}
	created = 1;
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, (mode_t)(mode ? mode : 0644) & ~mask) < 0) {
		rc = ddci_error_set(DDCI_EIO, "cannot write '%s': %s", path, strerror(errno));
		goto done;
	}
	if ((rc = write_all(fd, clean, strlen(clean), path)) < 0)
		goto done;
	if (close(fd) < 0) {
		fd = -1;
		rc = ddci_error_set(DDCI_EIO, "cannot write '%s': %s", path, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp.ptr, path) < 0)
		rc = ddci_error_set(DDCI_EIO, "cannot write '%s': %s", path, strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && created)
		unlink(tmp.ptr);
	free(clean);
	ddci_buf_release(&tmp);
	return rc;
}

void ddci_print(FILE *f, const char *fmt, ...)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	char *clean;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ddci_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (rc == 0 && (clean = ddci_output_clean(ddci_buf_str(&b), DDCI_CHAN_LINES))) {
		fputs(clean, f);
		free(clean);
	}
	ddci_buf_release(&b);
}

struct ddci_table {
	int ncols;
	size_t nrows, cap;
	char **cells; /* nrows * ncols, row 0 = headers */
};

int ddci_table_new(struct ddci_table **out, int ncols, const char *const *headers)
{
	struct ddci_table *t = calloc(1, sizeof(*t));

	if (!t)
		return ddci_error_oom();
	t->ncols = ncols;
	*out = t;
	return ddci_table_add(t, headers);
}

int ddci_table_add(struct ddci_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **v = realloc(t->cells, cap * (size_t)t->ncols * sizeof(*v));
		if (!v)
			return ddci_error_oom();
		t->cells = v;
		t->cap = cap;
	}
	for (int i = 0; i < t->ncols; i++) {
		char *c = ddci_output_clean(cells[i], DDCI_CHAN_TEXT);
		if (!c) {
			for (int j = 0; j < i; j++)
				free(t->cells[t->nrows * (size_t)t->ncols + (size_t)j]);
			return DDCI_ENOMEM;
		}
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = c;
	}
	t->nrows++;
	return 0;
}

void ddci_table_print(FILE *f, const struct ddci_table *t)
{
	size_t width[32] = { 0 };
	int n = t->ncols < 32 ? t->ncols : 32;

	for (size_t r = 0; r < t->nrows; r++)
		for (int i = 0; i < n; i++) {
			size_t w = strlen(t->cells[r * (size_t)t->ncols + (size_t)i]);
			if (w > width[i])
				width[i] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (int i = 0; i < n; i++) {
			const char *c = t->cells[r * (size_t)t->ncols + (size_t)i];
			if (i == n - 1)
				fprintf(f, "%s", c);
			else
				fprintf(f, "%-*s  ", (int)width[i], c);
		}
		fputc('\n', f);
	}
}

void ddci_table_free(struct ddci_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
