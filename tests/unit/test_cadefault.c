/* Unit tests for lib/net/cadefault.c (which CA store by default) and
 * lib/util/wipe.c.  Issue 15: the hashed directory was forced everywhere;
 * where it holds no hash links (RHEL's /etc/pki/tls/certs) or the TLS
 * backend reads no directories lazily, libcurl's default must stand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ddci/cadefault.h"
#include "ddci/wipe.h"

#define PEM "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

struct tree {
	char dir[64];
	char bundle[128];
};

static void put(const char *dir, const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A directory with a bundle of `certs` certificates and `links` hash links. */
static void make_tree(struct tree *t, int certs, int links)
{
	char name[32];
	char *pem = calloc((size_t)certs + 1, sizeof(PEM));
	int i;

	assert_non_null(pem);
	snprintf(t->dir, sizeof(t->dir), "/tmp/ddci-ca.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	for (i = 0; i < certs; i++)
		memcpy(pem + (size_t)i * (sizeof(PEM) - 1), PEM, sizeof(PEM) - 1);
	put(t->dir, "ca-certificates.crt", pem);
	free(pem);
	snprintf(t->bundle, sizeof(t->bundle), "%s/ca-certificates.crt", t->dir);
	for (i = 0; i < links; i++) {
		snprintf(name, sizeof(name), "%08x.0", 0x1a2b0000u + (unsigned)i);
		put(t->dir, name, PEM);
	}
	put(t->dir, "Some_Root_CA.pem", PEM); /* not a hash name: not counted */
	put(t->dir, "1a2b3c4d.r0", PEM);      /* a CRL link: not counted */
}

static void drop_tree(struct tree *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
}

static void test_cadefault__debian_layout_is_lazy(void **state)
{
	struct tree t;

	(void)state;
	make_tree(&t, 3, 3);
	assert_int_equal(ddci_ca_dir_covers(t.dir, t.bundle), 1);
	assert_string_equal(ddci_ca_lazy_dir("OpenSSL/3.0.19", t.bundle, t.dir), t.dir);
	assert_string_equal(ddci_ca_lazy_dir("LibreSSL/3.8.2", t.bundle, t.dir), t.dir);
	drop_tree(&t);
}

static void test_cadefault__rhel_layout_keeps_curl_default(void **state)
{
	struct tree t;

	(void)state;
	make_tree(&t, 3, 0); /* /etc/pki/tls/certs: the bundle, no hash links */
	assert_int_equal(ddci_ca_dir_covers(t.dir, t.bundle), 0);
	assert_null(ddci_ca_lazy_dir("OpenSSL/3.0.7", t.bundle, t.dir));
	drop_tree(&t);
}

static void test_cadefault__fewer_links_than_certs_keeps_curl_default(void **state)
{
	struct tree t;

	(void)state;
	make_tree(&t, 5, 1); /* one local CA hashed by hand */
	assert_int_equal(ddci_ca_dir_covers(t.dir, t.bundle), 0);
	drop_tree(&t);
}

static void test_cadefault__bundle_elsewhere_keeps_curl_default(void **state)
{
	struct tree t, other;

	(void)state;
	make_tree(&t, 2, 2);
	make_tree(&other, 2, 0);
	assert_null(ddci_ca_lazy_dir("OpenSSL/3.0.19", other.bundle, t.dir));
	drop_tree(&t);
	drop_tree(&other);
}

static void test_cadefault__other_backends_and_no_bundle_keep_curl_default(void **state)
{
	struct tree t;

	(void)state;
	make_tree(&t, 2, 2);
	assert_null(ddci_ca_lazy_dir("GnuTLS/3.7.9", t.bundle, t.dir));
	assert_null(ddci_ca_lazy_dir("Schannel", t.bundle, t.dir));
	assert_null(ddci_ca_lazy_dir("SecureTransport", t.bundle, t.dir));
	assert_null(ddci_ca_lazy_dir("rustls-ffi/0.13.0/rustls/0.23.4", t.bundle, t.dir));
	assert_null(ddci_ca_lazy_dir(NULL, t.bundle, t.dir));
	assert_null(ddci_ca_lazy_dir("OpenSSL/3.0.19", NULL, t.dir)); /* native CA store */
	assert_null(ddci_ca_lazy_dir("OpenSSL/3.0.19", t.bundle, "/nonexistent"));
	drop_tree(&t);
}

static void test_cadefault__wipe(void **state)
{
	char s[] = "secret-api-key";
	unsigned char b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t i;

	(void)state;
	ddci_wipe_str(s);
	for (i = 0; i < sizeof(s); i++)
		assert_int_equal(s[i], 0);
	ddci_wipe(b, sizeof(b));
	for (i = 0; i < sizeof(b); i++)
		assert_int_equal(b[i], 0);
	ddci_wipe(NULL, 0);
	ddci_wipe_str(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cadefault__debian_layout_is_lazy),
		cmocka_unit_test(test_cadefault__rhel_layout_keeps_curl_default),
		cmocka_unit_test(test_cadefault__fewer_links_than_certs_keeps_curl_default),
		cmocka_unit_test(test_cadefault__bundle_elsewhere_keeps_curl_default),
		cmocka_unit_test(test_cadefault__other_backends_and_no_bundle_keep_curl_default),
		cmocka_unit_test(test_cadefault__wipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
