/* Unit tests for lib/util/hash.c: the FIPS 180-4 / NIST example vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/hash.h"

static void hex_of(char out[65], const unsigned char d[32])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

static void test_hash__empty(void **state)
{
	char h[65];

	(void)state;
	ddci_sha256_hex(h, "", 0);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_hash__abc(void **state)
{
	char h[65];

	(void)state;
	ddci_sha256_hex(h, "abc", 3);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_hash__448_bit_message(void **state)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char h[65];

	(void)state;
	ddci_sha256_hex(h, m, strlen(m));
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_hash__896_bit_message(void **state)
{
	const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			"ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	char h[65];

	(void)state;
	ddci_sha256_hex(h, m, strlen(m));
	assert_string_equal(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_hash__million_a_in_odd_chunks(void **state)
{
	struct ddci_sha256 c;
	unsigned char a[997], d[32];
	char h[65];
	size_t left = 1000000;

	(void)state;
	memset(a, 'a', sizeof(a));
	ddci_sha256_init(&c);
	while (left) {
		size_t n = left < sizeof(a) ? left : sizeof(a);

		ddci_sha256_update(&c, a, n);
		left -= n;
	}
	ddci_sha256_final(d, &c);
	hex_of(h, d);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_hash__chunking_does_not_matter(void **state)
{
	unsigned char msg[300], d[32];
	char whole[65], parts[65];
	struct ddci_sha256 c;
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)(i * 7);
	for (len = 0; len <= sizeof(msg); len += 13) {
		ddci_sha256_hex(whole, msg, len);
		ddci_sha256_init(&c);
		for (i = 0; i < len; i++)
			ddci_sha256_update(&c, msg + i, 1);
		ddci_sha256_final(d, &c);
		hex_of(parts, d);
		assert_string_equal(whole, parts);
	}
	/* Padding boundaries: 55, 56, 63, 64 bytes. */
	ddci_sha256_hex(whole, msg, 55);
	ddci_sha256_hex(parts, msg, 56);
	assert_string_not_equal(whole, parts);
}

static void test_hash__boundary_lengths(void **state)
{
	char h[65];
	char m[64];

	(void)state;
	memset(m, 'a', sizeof(m));
	ddci_sha256_hex(h, m, 55);
	assert_string_equal(h, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	ddci_sha256_hex(h, m, 56);
	assert_string_equal(h, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	ddci_sha256_hex(h, m, 64);
	assert_string_equal(h, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash__empty),
		cmocka_unit_test(test_hash__abc),
		cmocka_unit_test(test_hash__448_bit_message),
		cmocka_unit_test(test_hash__896_bit_message),
		cmocka_unit_test(test_hash__million_a_in_odd_chunks),
		cmocka_unit_test(test_hash__chunking_does_not_matter),
		cmocka_unit_test(test_hash__boundary_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
