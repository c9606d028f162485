/* output.c — GitHub Actions outputs, step summary, annotations, JSON and
 * table printing, atomic report files.  Everything is redacted first. */
#include "ddci/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddci/buf.h"
#include "ddci/json.h"
#include "ddci/redact.h"

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

int ddci_gh_output(const char *key, const char *value)
{
	const char *path = getenv("GITHUB_OUTPUT");
	struct ddci_buf b = DDCI_BUF_INIT;
	char *clean = NULL;
	int rc;

	if (!path || !*path)
		return 0;
	clean = ddci_redact_text(value ? value : "");
	if (!clean)
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
	if (strchr(clean, '\n'))
		rc = ddci_buf_addf(&b, "%s<<DDCI_EOF_%08x\n%s\nDDCI_EOF_%08x\n", key, (unsigned)getpid(), clean,
				   (unsigned)getpid());
	else
		rc = ddci_buf_addf(&b, "%s=%s\n", key, clean);
	if (rc == 0)
		rc = append_file(path, ddci_buf_str(&b), "GITHUB_OUTPUT");
	free(clean);
	ddci_buf_release(&b);
	return rc;
}

int ddci_gh_summary(const char *markdown)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	char *clean;
	int rc;

	if (!path || !*path)
		return 0;
	clean = ddci_redact_text(markdown);
	if (!clean)
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
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
	char *msg;
	int sep = 0;

	if (!ddci_in_github_actions())
		return;
	msg = ddci_redact_text(message ? message : "");
	printf("::%s", level);
	if (file && *file) {
		fputs(" file=", stdout);
		put_escaped(stdout, file, 1);
		sep = 1;
		if (line > 0)
			printf(",line=%d", line);
	}
	if (title && *title) {
		fputs(sep ? "," : " ", stdout);
		fputs("title=", stdout);
		put_escaped(stdout, title, 1);
	}
	fputs("::", stdout);
	put_escaped(stdout, msg ? msg : "", 0);
	fputc('\n', stdout);
	free(msg);
}

int ddci_print_json(FILE *f, const cJSON *v, int pretty)
{
	char *text = pretty ? ddci_json_print_pretty(v) : ddci_json_print(v);
	char *clean;

	if (!text)
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
	clean = ddci_redact_text(text);
	free(text);
	if (!clean)
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
	fputs(clean, f);
	fputc('\n', f);
	free(clean);
	return 0;
}

int ddci_write_file(const char *path, const char *data, size_t len, int mode)
{
	struct ddci_buf tmp = DDCI_BUF_INIT;
	char *clean = NULL;
	size_t off = 0;
	int fd = -1, rc = 0;

	if (ddci_buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return DDCI_ENOMEM;
	(void)len;
	clean = ddci_redact_text(data);
	if (!clean) {
		rc = ddci_error_set(DDCI_ENOMEM, "out of memory");
		goto done;
	}
	fd = open(ddci_buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  mode ? mode : 0644);
	if (fd < 0) {
		rc = ddci_error_set(DDCI_EIO, "cannot write '%s': %s", path, strerror(errno));
		goto done;
	}
	len = strlen(clean);
	while (off < len) {
		ssize_t n = write(fd, clean + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ddci_error_set(DDCI_EIO, "cannot write '%s': %s", path, strerror(errno));
			goto done;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = ddci_error_set(DDCI_EIO, "cannot write '%s': %s", path, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(ddci_buf_str(&tmp), path) < 0)
		rc = ddci_error_set(DDCI_EIO, "cannot write '%s': %s", path, strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp.ptr)
		unlink(tmp.ptr);
	free(clean);
	ddci_buf_release(&tmp);
	return rc;
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
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
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
			return ddci_error_set(DDCI_ENOMEM, "out of memory");
		t->cells = v;
		t->cap = cap;
	}
	for (int i = 0; i < t->ncols; i++) {
		char *c = ddci_redact_text(cells[i] ? cells[i] : "");
		if (!c) {
			for (int j = 0; j < i; j++)
				free(t->cells[t->nrows * (size_t)t->ncols + (size_t)j]);
			return ddci_error_set(DDCI_ENOMEM, "out of memory");
		}
		for (char *p = c; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
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
