/* fuzz_sanitize — the output boundary (sanitize.h): whatever the bytes, each
 * channel's output is valid UTF-8 without control characters it does not
 * allow, never carries a line a CI runner would act on, and keeps its
 * grammar (Markdown cell, Mermaid label, HTML, XML, JSON); server ids are
 * accepted only when they are ids.  A broken promise aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ddci/sanitize.h"

#include "../unit/channel_check.h"
#include "fuzz_common.h"

static char *chan(const char *s, enum ddci_chan ch)
{
	char *out = ddci_san_dup(s, ch);

	if (!out)
		abort();
	return out;
}

static void check_json(const char *s)
{
	cJSON *v = cJSON_CreateString(s), *back;
	char *text = v ? cJSON_PrintUnformatted(v) : NULL, *clean;

	if (!text) {
		cJSON_Delete(v);
		return;
	}
	clean = chan(text, DDCI_CHAN_JSON);
	if (!cc_text_ok(clean, "") || !(back = cJSON_Parse(clean)) || !cJSON_IsString(back))
		abort();
	cJSON_Delete(back);
	free(clean);
	free(text);
	cJSON_Delete(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *o;
	size_t n;

	if (!s)
		return 0;
	n = strlen(s);
	o = chan(s, DDCI_CHAN_TEXT);
	if (!cc_text_ok(o, "") || !cc_log_ok(o))
		abort();
	free(o);
	o = chan(s, DDCI_CHAN_LINES);
	if (!cc_text_ok(o, "\n\t") || !cc_log_ok(o))
		abort();
	free(o);
	o = chan(s, DDCI_CHAN_DOC);
	if (!cc_text_ok(o, "\n\t") || strlen(o) < n) /* nothing is dropped */
		abort();
	free(o);
	o = chan(s, DDCI_CHAN_MD);
	if (!cc_md_cell_ok(o))
		abort();
	free(o);
	o = chan(s, DDCI_CHAN_MERMAID);
	if (!cc_mermaid_ok(o))
		abort();
	free(o);
	o = chan(s, DDCI_CHAN_HTML);
	if (!cc_markup_ok(o, 0))
		abort();
	free(o);
	o = chan(s, DDCI_CHAN_XML);
	if (!cc_markup_ok(o, 1))
		abort();
	free(o);
	check_json(s);
	if (ddci_san_check_id(s, "data.id") == 0) {
		/* an accepted id prints unchanged (but for a GitLab marker) */
		o = chan(s, DDCI_CHAN_TEXT);
		if ((strcmp(o, s) && !strstr(s, "section_")) || n < 16 || n > 128 || s[0] == ':')
			abort();
		free(o);
	}
	free(s);
	return 0;
}
