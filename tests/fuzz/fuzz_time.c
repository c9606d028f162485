/* fuzz_time — time, duration and number parsing of flags and variables,
 * and formatting back whatever was accepted. */
#include <stdint.h>
#include <stdlib.h>

#include "ddci/timeutil.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	int64_t ns, ms, n;
	double d;
	char buf[64];

	if (!s)
		return 0;
	if (ddci_time_parse(&ns, s, INT64_C(1700000000000000000), "--started-at") == 0)
		ddci_time_format_rfc3339(buf, sizeof(buf), ns);
	if (ddci_duration_parse(&ms, s, "--interval") == 0)
		ddci_duration_format(buf, sizeof(buf), ms);
	(void)ddci_parse_int64(&n, s, INT64_MIN, INT64_MAX, "--limit");
	(void)ddci_parse_int64(&n, s, 0, 100, "--limit");
	(void)ddci_parse_double(&d, s, 0, 100, "--max-failure-rate");
	if (size >= 8) {
		int64_t v;
		memcpy(&v, data, sizeof(v));
		ddci_time_format_rfc3339(buf, sizeof(buf), v);
		ddci_duration_format(buf, sizeof(buf), v);
	}
	free(s);
	return 0;
}
