/* fuzz_synth_diff — the Synthetics line diff and change renderer over
 * arbitrary texts: input is "before\0after" (or a change_metadata JSON
 * object when it parses as one). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ddci/buf.h"
#include "ddci/synthetics.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *before, *after;
	struct ddci_buf out = DDCI_BUF_INIT;
	const uint8_t *nul;
	cJSON *j;

	if (!s)
		return 0;
	nul = memchr(data, '\0', size);
	before = s;
	after = nul ? s + (nul - data) + 1 : (char *)"";
	(void)ddci_synth_render_diff(&out, before, after, "  ");
	ddci_buf_release(&out);
	if ((j = cJSON_Parse(s))) {
		(void)ddci_synth_render_change(&out, j, "    ");
		ddci_buf_release(&out);
		cJSON_Delete(j);
	}
	free(s);
	return 0;
}
