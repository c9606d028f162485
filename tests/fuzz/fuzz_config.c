/* fuzz_config — the shared settings from the environment: sites, URLs,
 * timeouts, retries, dry-run and keys.  The input is NAME=VALUE lines for
 * a fixed set of variables. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/config.h"
#include "ddci/redact.h"

#include "fuzz_common.h"

static const char *const vars[] = {
	"DD_SITE", "DATADOG_SITE", "DDCI_API_URL", "DDCI_TIMEOUT", "DDCI_RETRIES", "DDCI_DRY_RUN",
	"DD_API_KEY", "DATADOG_API_KEY", "DD_APP_KEY", "DD_APPLICATION_KEY", "DATADOG_APP_KEY",
	"DD_SERVICE", "DD_ENV", "DD_VERSION", "DDCI_SPOOL_DIR", "SSL_CERT_FILE", "CURL_CA_BUNDLE",
	"SSL_CERT_DIR", NULL
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *p[32];
	size_t n = fuzz_split(&buf, p, 32, data, size), i, k;
	struct ddci_config cfg = DDCI_CONFIG_INIT;

	for (k = 0; vars[k]; k++)
		unsetenv(vars[k]);
	/* Key files are never read from the fuzzer's input. */
	unsetenv("DD_API_KEY_FILE");
	unsetenv("DD_APP_KEY_FILE");
	for (i = 0; i < n; i++) {
		char *eq = strchr(p[i], '=');
		if (!eq)
			continue;
		*eq = '\0';
		for (k = 0; vars[k]; k++)
			if (!strcmp(vars[k], p[i]))
				setenv(vars[k], eq + 1, 1);
	}
	cfg.prog = "ddci-fuzz";
	(void)ddci_config_finish(&cfg, DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY);
	ddci_config_release(&cfg);
	ddci_redact_clear();
	free(buf);
	return 0;
}
