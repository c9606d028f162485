/* Unit tests for config.c: flag > environment > default, validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ddci/config.h"

static const char *const vars[] = {
	"DD_API_KEY", "DATADOG_API_KEY", "DD_API_KEY_FILE", "DD_APP_KEY", "DD_APPLICATION_KEY",
	"DATADOG_APP_KEY", "DATADOG_APPLICATION_KEY", "DD_APP_KEY_FILE", "DD_SITE", "DATADOG_SITE",
	"DDCI_API_URL", "DD_SERVICE", "DD_ENV", "DD_VERSION", "DDCI_TIMEOUT", "DDCI_RETRIES", "DDCI_DRY_RUN",
	"SSL_CERT_FILE", "CURL_CA_BUNDLE", "DDCI_SPOOL_DIR", NULL,
};

static int clean_env(void **state)
{
	(void)state;
	for (size_t i = 0; vars[i]; i++)
		unsetenv(vars[i]);
	return 0;
}

static void test_config__defaults(void **state)
{
	struct ddci_config c = DDCI_CONFIG_INIT;
	(void)state;
	setenv("DD_API_KEY", "abcdabcdabcd", 1);
	assert_int_equal(ddci_config_finish(&c, DDCI_NEED_API_KEY), 0);
	assert_string_equal(c.site, "datadoghq.com");
	assert_string_equal(c.api_url, "https://api.datadoghq.com");
	assert_int_equal(c.timeout_ms, 30000);
	assert_int_equal(c.retries, 3);
	assert_int_equal(c.dry_run, 0);
	assert_string_equal(c.repo_path, ".");
	assert_true(c.deadline_mono_ns > 0);
	ddci_config_release(&c);
}

static void test_config__flag_beats_environment(void **state)
{
	struct ddci_config c = DDCI_CONFIG_INIT;
	(void)state;
	setenv("DD_SITE", "datadoghq.eu", 1);
	setenv("DD_SERVICE", "from-env", 1);
	setenv("DDCI_TIMEOUT", "7", 1);
	assert_int_equal(ddci_config_set(&c.service, "from-flag"), 0);
	assert_int_equal(ddci_config_finish(&c, 0), 0);
	assert_string_equal(c.service, "from-flag");
	assert_string_equal(c.api_url, "https://api.datadoghq.eu");
	assert_int_equal(c.timeout_ms, 7000);
	ddci_config_release(&c);
}

static void test_config__key_aliases_and_file(void **state)
{
	struct ddci_config c = DDCI_CONFIG_INIT, d = DDCI_CONFIG_INIT;
	char path[] = "/tmp/ddci-key-XXXXXX";
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "  filekey1234\n", 14), 14);
	close(fd);
	setenv("DATADOG_API_KEY", "aliaskey1234", 1);
	setenv("DATADOG_APP_KEY", "appalias1234", 1);
	assert_int_equal(ddci_config_finish(&c, DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY), 0);
	assert_string_equal(c.api_key, "aliaskey1234");
	assert_string_equal(c.app_key, "appalias1234");
	unsetenv("DATADOG_API_KEY");
	setenv("DD_API_KEY_FILE", path, 1);
	assert_int_equal(ddci_config_finish(&d, DDCI_NEED_API_KEY), 0);
	assert_string_equal(d.api_key, "filekey1234");
	unlink(path);
	ddci_config_release(&c);
	ddci_config_release(&d);
}

static void test_config__missing_keys(void **state)
{
	struct ddci_config c = DDCI_CONFIG_INIT, d = DDCI_CONFIG_INIT;
	(void)state;
	assert_int_equal(ddci_config_finish(&c, DDCI_NEED_API_KEY), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "DD_API_KEY"));
	setenv("DD_API_KEY", "abcdabcdabcd", 1);
	assert_int_equal(ddci_config_finish(&d, DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "DD_APP_KEY"));
	ddci_config_release(&c);
	ddci_config_release(&d);
}

static void test_config__dry_run_needs_no_key(void **state)
{
	struct ddci_config c = DDCI_CONFIG_INIT;
	(void)state;
	setenv("DDCI_DRY_RUN", "1", 1);
	assert_int_equal(ddci_config_finish(&c, DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY), 0);
	assert_int_equal(c.dry_run, 1);
	ddci_config_release(&c);
}

static void check_site(const char *site, int want)
{
	struct ddci_config c = DDCI_CONFIG_INIT;
	assert_int_equal(ddci_config_set(&c.site, site), 0);
	assert_int_equal(ddci_config_finish(&c, 0), want);
	if (want)
		assert_non_null(strstr(ddci_error_last(), "--site"));
	ddci_config_release(&c);
}

static void test_config__sites(void **state)
{
	(void)state;
	for (size_t i = 0; ddci_sites[i]; i++)
		check_site(ddci_sites[i], 0);
	check_site("datadoghq.co", DDCI_EUSAGE);
	check_site("evil.com/x?", DDCI_EUSAGE);
	check_site("", DDCI_EUSAGE);
	check_site("api.datadoghq.com", DDCI_EUSAGE);
	/* Finding 19.10: the API reference's site names (app.<site>) */
	check_site("app.datadoghq.com", 0);
	check_site("app.datadoghq.eu", 0);
	check_site("APP.DDOG-GOV.COM", 0);
	check_site("app.app.datadoghq.com", DDCI_EUSAGE);
	check_site("app.example.com", DDCI_EUSAGE);
}

static void check_url(const char *url, int want, const char *norm)
{
	struct ddci_config c = DDCI_CONFIG_INIT;
	assert_int_equal(ddci_config_set(&c.api_url, url), 0);
	assert_int_equal(ddci_config_finish(&c, 0), want);
	if (norm)
		assert_string_equal(c.api_url, norm);
	ddci_config_release(&c);
}

static void test_config__api_url(void **state)
{
	(void)state;
	check_url("https://api.datadoghq.com/", 0, "https://api.datadoghq.com");
	check_url("http://127.0.0.1:8080", 0, NULL);
	check_url("http://127.8.9.1:8080", 0, NULL);
	check_url("http://localhost:1", 0, NULL);
	check_url("http://[::1]:9/", 0, "http://[::1]:9");
	check_url("http://example.com", DDCI_EUSAGE, NULL);
	check_url("http://127.0.0.1.evil.com", DDCI_EUSAGE, NULL);
	check_url("ftp://x", DDCI_EUSAGE, NULL);
	check_url("https://user:pw@host", DDCI_EUSAGE, NULL);
	check_url("https://", DDCI_EUSAGE, NULL);
	check_url("https://host?x=1", DDCI_EUSAGE, NULL);
}

static void test_config__bad_numbers_in_environment(void **state)
{
	struct ddci_config c = DDCI_CONFIG_INIT, d = DDCI_CONFIG_INIT;
	(void)state;
	setenv("DDCI_TIMEOUT", "abc", 1);
	assert_int_equal(ddci_config_finish(&c, 0), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "DDCI_TIMEOUT"));
	unsetenv("DDCI_TIMEOUT");
	setenv("DDCI_RETRIES", "99", 1);
	assert_int_equal(ddci_config_finish(&d, 0), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "DDCI_RETRIES"));
	ddci_config_release(&c);
	ddci_config_release(&d);
}

static void test_config__key_with_newline_is_refused(void **state)
{
	struct ddci_config c = DDCI_CONFIG_INIT;
	(void)state;
	setenv("DD_API_KEY", "abc\r\nX-Evil: 1", 1);
	assert_int_equal(ddci_config_finish(&c, DDCI_NEED_API_KEY), DDCI_EUSAGE);
	assert_null(strstr(ddci_error_last(), "abc"));
	ddci_config_release(&c);
}

static void test_config__loopback(void **state)
{
	(void)state;
	assert_true(ddci_host_is_loopback("localhost"));
	assert_true(ddci_host_is_loopback("127.0.0.1"));
	assert_true(ddci_host_is_loopback("127.255.0.3"));
	assert_true(ddci_host_is_loopback("::1"));
	assert_false(ddci_host_is_loopback("128.0.0.1"));
	assert_false(ddci_host_is_loopback("localhost.evil.com"));
	assert_false(ddci_host_is_loopback("10.0.0.1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_config__defaults, clean_env),
		cmocka_unit_test_setup(test_config__flag_beats_environment, clean_env),
		cmocka_unit_test_setup(test_config__key_aliases_and_file, clean_env),
		cmocka_unit_test_setup(test_config__missing_keys, clean_env),
		cmocka_unit_test_setup(test_config__dry_run_needs_no_key, clean_env),
		cmocka_unit_test_setup(test_config__sites, clean_env),
		cmocka_unit_test_setup(test_config__api_url, clean_env),
		cmocka_unit_test_setup(test_config__bad_numbers_in_environment, clean_env),
		cmocka_unit_test_setup(test_config__key_with_newline_is_refused, clean_env),
		cmocka_unit_test_setup(test_config__loopback, clean_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
