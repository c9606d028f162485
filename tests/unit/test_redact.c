/* Unit tests for lib/util/redact.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/redact.h"
#include "ddci/url.h"

static void url_is(const char *in, const char *want)
{
	char *got = ddci_redact_url(in);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("redact_url('%s') = '%s', want '%s'", in, got, want);
	free(got);
}

static void id_is(const char *in, const char *want)
{
	char *got = NULL;

	if (ddci_repository_id(&got, in) != 0)
		fail_msg("repository_id('%s') failed: %s", in, ddci_error_last());
	if (strcmp(got, want) != 0)
		fail_msg("repository_id('%s') = '%s', want '%s'", in, got, want);
	free(got);
}

static void text_is(const char *in, const char *want)
{
	char *got = ddci_redact_text(in);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("redact_text('%s') = '%s', want '%s'", in, got, want);
	free(got);
}

static void test_redact__url_user_info_removed(void **state)
{
	(void)state;
	url_is("https://user:pw@host/x", "https://host/x");
	url_is("http://token@host", "http://host");
	url_is("ssh://git:pw@host:22/x", "ssh://host:22/x");
	url_is("https://user:p@ss@host/x", "https://host/x");
	url_is("https://user:pw@[::1]:8080/x", "https://[::1]:8080/x");
	url_is("HTTPS://u:p@Host?q=1", "HTTPS://Host?q=1");
	url_is("https://u:p@host#frag@x", "https://host#frag@x");
	url_is("git+ssh://u:p@host/r", "git+ssh://host/r");
}

static void test_redact__url_at_in_path_is_kept(void **state)
{
	(void)state;
	url_is("https://host/org/repo@v1", "https://host/org/repo@v1");
	url_is("https://host/a@b/c@d", "https://host/a@b/c@d");
	url_is("https://u:p@host/a@b", "https://host/a@b");
	url_is("https://host?x=a@b", "https://host?x=a@b");
	url_is("https://host", "https://host");
	url_is("", "");
	url_is("/local/path@x", "/local/path@x");
}

static void test_redact__url_scp_like(void **state)
{
	char *s;

	(void)state;
	url_is("git@github.com:org/repo.git", "git@github.com:org/repo.git");
	url_is("git:secret@github.com:org/repo.git", "git@github.com:org/repo.git");
	url_is("git@host:re@po", "git@host:re@po");
	url_is("github.com:org/repo", "github.com:org/repo");
	url_is("org/a@b:c", "org/a@b:c");
	s = ddci_redact_url(NULL);
	assert_string_equal(s, "");
	free(s);
}

static void test_redact__repository_id_forms(void **state)
{
	(void)state;
	id_is("git@github.com:org/repo.git", "github.com/org/repo");
	id_is("git@GitHub.com:Org/Repo.git", "github.com/Org/Repo");
	id_is("https://u:p@github.com/org/repo", "github.com/org/repo");
	id_is("https://github.com/org/repo.git/", "github.com/org/repo");
	id_is("https://github.com/org/repo/", "github.com/org/repo");
	id_is("https://GITHUB.COM:443/org/repo", "github.com/org/repo");
	id_is("http://github.com:80/org/repo", "github.com/org/repo");
	id_is("https://gitlab.example.com:8443/group/sub/repo.git", "gitlab.example.com:8443/group/sub/repo");
	id_is("ssh://git@host:22/org/repo.git", "host/org/repo");
	id_is("ssh://git@host/org/repo.git", "host/org/repo");
	id_is("ssh://git@host:2222/org/repo.git", "host:2222/org/repo");
	id_is("git://host:9418/org/repo", "host/org/repo");
	id_is("https://u:p@[::1]:8080/x", "[::1]:8080/x");
	id_is("https://[::1]/x.git", "[::1]/x");
	id_is("https://host/org/repo.git?x=1#y", "host/org/repo");
	id_is("https://host/org/repo@v1", "host/org/repo@v1");
	id_is("github.com:org/repo.git", "github.com/org/repo");
	id_is("git@host:/abs/repo.git", "host/abs/repo");
	id_is("host.xz", "host.xz");
	id_is("/srv/git/repo.git", "/srv/git/repo");
	id_is("file:///srv/git/repo.git", "/srv/git/repo");
	id_is("https://github.com", "github.com");
}

static void test_redact__repository_id_errors_hide_password(void **state)
{
	char *out = (char *)"x";

	(void)state;
	assert_int_equal(ddci_repository_id(&out, ""), DDCI_EUSAGE);
	assert_null(out);
	assert_int_equal(ddci_repository_id(&out, NULL), DDCI_EUSAGE);
	assert_int_equal(ddci_repository_id(&out, "https://user:hunter22@/org"), DDCI_EUSAGE);
	assert_null(strstr(ddci_error_last(), "hunter22"));
	assert_non_null(strstr(ddci_error_last(), "no host"));
	assert_int_equal(ddci_repository_id(&out, "/"), DDCI_EUSAGE);
}

/* Finding 1: white space around a URL, passwords holding '/', '#' or '?',
 * and tokens in the query never survive. */
static void test_redact__url_credentials_never_survive(void **state)
{
	(void)state;
	url_is("  https://user:tok@github.com/acme/shop.git", "https://github.com/acme/shop.git");
	url_is("\nhttps://user:tok@github.com/acme/shop.git\n", "https://github.com/acme/shop.git");
	url_is(" https://user:tok@host/x ", "https://host/x");
	url_is("https://user:ab/cd+ef==@github.com/acme/shop", "https://github.com/acme/shop");
	url_is("https://user:ab#cd@github.com/acme/shop", "https://github.com/acme/shop");
	url_is("https://user:ab?cd@github.com/acme/shop", "https://github.com/acme/shop");
	url_is("https://user:a/b@c@github.com/acme/shop", "https://github.com/acme/shop");
	url_is("https://host/r.git?access_token=tok", "https://host/r.git");
	url_is("https://host/r.git?private_token=tok&ref=main", "https://host/r.git?ref=main");
	url_is("https://host/r.git?a=1&token=t&oauth_token=o&MY_TOKEN=m&db_password=p#f",
	       "https://host/r.git?a=1#f");
	url_is("https://host/r.git?tokens=1", "https://host/r.git?tokens=1");
	url_is("ci:tok/en@github.com:org/repo.git", "ci@github.com:org/repo.git");
	url_is("ghp_0123456789abcdef0123456789abcdef01234567890123456789abcdef0123@github.com:o/r",
	       "github.com:o/r");
	id_is("  https://user:tok@github.com/acme/shop.git", "github.com/acme/shop");
	id_is("https://user:ab/cd@github.com/acme/shop", "github.com/acme/shop");
	text_is("clone https://user:ab/cd@github.com/acme/shop failed", "clone https://github.com/acme/shop failed");
}

/* The parsed form: no credential anywhere in the struct. */
static void test_redact__url_parse_fields(void **state)
{
	struct ddci_url u = DDCI_URL_INIT;
	char *s;

	(void)state;
	assert_int_equal(ddci_url_parse(&u, " https://u:p@Host:8443/o/r.git?token=x "), 0);
	assert_int_equal(u.kind, DDCI_URL_SCHEME);
	assert_string_equal(u.scheme, "https");
	assert_string_equal(u.host, "Host");
	assert_string_equal(u.port, "8443");
	assert_string_equal(u.path, "/o/r.git");
	assert_true(ddci_url_is_repository(&u));
	s = ddci_url_format(&u);
	assert_string_equal(s, "https://Host:8443/o/r.git");
	free(s);
	ddci_url_release(&u);
	assert_int_equal(ddci_url_parse(&u, "git:tok@host:x y"), 0);
	assert_int_equal(u.kind, DDCI_URL_SCP);
	assert_string_equal(u.login, "git");
	assert_false(ddci_url_is_repository(&u));
	s = ddci_url_format(&u);
	assert_string_equal(s, "git@host:x y");
	free(s);
	ddci_url_release(&u);
	assert_int_equal(ddci_url_parse(&u, "C:/repo"), 0);
	assert_int_equal(u.kind, DDCI_URL_LOCAL);
	ddci_url_release(&u);
}

static void test_redact__text_masks_registered_secrets(void **state)
{
	(void)state;
	ddci_redact_clear();
	ddci_redact_register("abcdef0123456789");
	ddci_redact_register("abc");  /* too short: ignored */
	ddci_redact_register(NULL);
	text_is("key=abcdef0123456789 again abcdef0123456789.", "key=*** again ***.");
	text_is("abc is not a secret", "abc is not a secret");
	text_is("partial abcdef012345678", "partial abcdef012345678");
	ddci_redact_register("abcdef0123456789");  /* duplicate */
	ddci_redact_register("ef01");
	ddci_redact_register("abcdef0123456789XYZ");
	/* The longest registered secret wins where they overlap. */
	text_is("abcdef0123456789XYZ|abcdef0123456789|ef01", "***|***|***");
	ddci_redact_clear();
	text_is("abcdef0123456789", "abcdef0123456789");
}

static void test_redact__text_strips_url_user_info(void **state)
{
	char *s;

	(void)state;
	ddci_redact_clear();
	text_is("fetch https://user:pw@host/x failed", "fetch https://host/x failed");
	text_is("\"https://tok@host\"", "\"https://host\"");
	text_is("a https://host/x@y b", "a https://host/x@y b");
	text_is("https://host mail me@example.com", "https://host mail me@example.com");
	text_is("x ssh://git:pw@h:22/r and http://t@h2/", "x ssh://h:22/r and http://h2/");
	text_is("https://u:p@[::1]:8080/x", "https://[::1]:8080/x");
	text_is("://@", "://");
	text_is("", "");
	s = ddci_redact_text(NULL);
	assert_string_equal(s, "");
	free(s);
}

static void test_redact__text_secret_and_url_together(void **state)
{
	(void)state;
	ddci_redact_clear();
	ddci_redact_register("s3cr3t-key");
	text_is("https://s3cr3t-key@host/p?api_key=s3cr3t-key", "https://host/p?api_key=***");
	ddci_redact_clear();
}

/* url.c: a query parameter's value, names and values percent-decoded. */
static void test_redact__url_query_value(void **state)
{
	static const struct {
		const char *url, *name, *want;
	} cases[] = {
		{ "https://h/x?filter[query]=foo&page[cursor]=eyJ%3D%3D&x=1", "page[cursor]", "eyJ==" },
		{ "/x?page%5Bcursor%5D=q%2Bz", "page[cursor]", "q+z" },
		{ "/x?page%5bcursor%5d=a+b%zz#frag", "page[cursor]", "a b%zz" },
		{ "/x?a=1&page[cursor]=first&page[cursor]=second", "page[cursor]", "first" },
		{ "/x?page[cursor]=&page[cursor]=later", "page[cursor]", NULL },
		{ "/x?page[limit]=2", "page[cursor]", NULL },
		{ "/x?page[cursor]", "page[cursor]", NULL },
		{ "/x#page[cursor]=1", "page[cursor]", NULL },
		{ "/x", "page[cursor]", NULL },
	};
	char *v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ddci_url_query_value(&v, cases[i].url, cases[i].name), 0);
		if (cases[i].want)
			assert_string_equal(v, cases[i].want);
		else
			assert_null(v);
		free(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact__url_user_info_removed),
		cmocka_unit_test(test_redact__url_at_in_path_is_kept),
		cmocka_unit_test(test_redact__url_scp_like),
		cmocka_unit_test(test_redact__repository_id_forms),
		cmocka_unit_test(test_redact__repository_id_errors_hide_password),
		cmocka_unit_test(test_redact__url_credentials_never_survive),
		cmocka_unit_test(test_redact__url_parse_fields),
		cmocka_unit_test(test_redact__url_query_value),
		cmocka_unit_test(test_redact__text_masks_registered_secrets),
		cmocka_unit_test(test_redact__text_strips_url_user_info),
		cmocka_unit_test(test_redact__text_secret_and_url_together),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
