/* cadefault.c — see ddci/cadefault.h.
 *
 * Before this, ddci always cleared libcurl's CA file and used
 * /etc/ssl/certs as a hashed directory: right on Debian/Ubuntu, fatal where
 * that directory holds no hash links (RHEL, Rocky, Amazon Linux: every
 * request failed verification) and refused by backends without CA-path
 * support (Schannel, Secure Transport, rustls).  Now the directory is used
 * only when it is proven to hold the certificates libcurl would have
 * loaded; otherwise libcurl's default stands, which is what curl itself does.
 */
#include "ddci/cadefault.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"

/* "1a2b3c4d.0": an OpenSSL subject-hash link (c_rehash, update-ca-certificates). */
static int is_hash_name(const char *s)
{
	int i;

	for (i = 0; i < 8; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	if (s[8] != '.' || !s[9])
		return 0;
	for (s += 9; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static long count_hash_links(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += is_hash_name(e->d_name);
	closedir(d);
	return n;
}

/* Certificates in a PEM bundle: its BEGIN lines, read in blocks (no parsing). */
static long count_pem_certs(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, PEM_BEGIN, sizeof(PEM_BEGIN) - 1) == 0)
			n++;
	fclose(f);
	return n;
}

/* Is the real path of `file` directly inside the real path of `dir`? */
static int file_in_dir(const char *file, const char *dir)
{
	char rf[PATH_MAX], rd[PATH_MAX];
	char *slash;

	if (!realpath(file, rf) || !realpath(dir, rd))
		return 0;
	slash = strrchr(rf, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	return strcmp(rf, rd) == 0 || (slash == rf && strcmp(rd, "/") == 0);
}

int ddci_ca_dir_covers(const char *dir, const char *bundle)
{
	long certs, links;

	if (!dir || !*dir || !bundle || !*bundle || !file_in_dir(bundle, dir))
		return 0;
	links = count_hash_links(dir);
	if (links <= 0)
		return 0;
	certs = count_pem_certs(bundle);
	return certs > 0 && links >= certs;
}

static int lazy_backend(const char *ssl_version)
{
	static const char *const lazy[] = { "OpenSSL/", "LibreSSL/", "BoringSSL", "quictls/", "AWS-LC/", NULL };
	int i;

	if (!ssl_version)
		return 0;
	for (i = 0; lazy[i]; i++)
		if (strncmp(ssl_version, lazy[i], strlen(lazy[i])) == 0)
			return 1;
	return 0;
}

const char *ddci_ca_lazy_dir(const char *ssl_version, const char *curl_bundle, const char *dir)
{
	if (!lazy_backend(ssl_version) || !curl_bundle)
		return NULL;
	return ddci_ca_dir_covers(dir, curl_bundle) ? dir : NULL;
}
