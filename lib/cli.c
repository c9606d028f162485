/* cli.c — option tables to getopt_long, --help, --version, exit mapping. */
#include "ddci/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <git2/common.h> /* git_libgit2_version(): in every libgit2, unlike the version macros (renamed in 1.9) */

#include "ddci/commands.h"
#include "ddci/git.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/redact.h"
#include "ddci/timeutil.h"
#include "ddci/version.h"

enum {
	K_SITE = 1000, K_API_URL, K_TIMEOUT, K_RETRIES, K_CA_BUNDLE, K_DRY_RUN, K_SERVICE, K_ENV,
	K_SVC_VERSION, K_REPO, K_OUTPUT, K_SPOOL, K_NO_FAIL, K_FAIL_OPEN, K_LIST_OPTIONS,
	K_HELP = 'h', K_VERSION = 'V', K_VERBOSE = 'v'
};

struct group {
	unsigned mask;
	const char *title;
	struct ddci_opt opts[8];
};

static const struct group groups[] = {
	{ DDCI_CLI_SERVICE, "Service", {
		{ "service", K_SERVICE, "NAME", "DD_SERVICE", NULL, "service name" },
		{ "env", K_ENV, "ENV", "DD_ENV", NULL, "environment (production, staging, ...)" },
		{ "service-version", K_SVC_VERSION, "VERSION", "DD_VERSION", NULL,
		  "version of the service (--version prints ddci's own)" },
		{ NULL, 0, NULL, NULL, NULL, NULL } } },
	{ DDCI_CLI_GIT, "Git", {
		{ "repo", K_REPO, "PATH", NULL, ".", "git repository (discovered upwards from PATH)" },
		{ NULL, 0, NULL, NULL, NULL, NULL } } },
	{ DDCI_CLI_OUTPUT, "Output", {
		{ "output", K_OUTPUT, "FORMAT", NULL, "text", "result format on stdout" },
		{ NULL, 0, NULL, NULL, NULL, NULL } } },
	{ DDCI_CLI_SPOOL, "Delivery", {
		{ "spool", K_SPOOL, "DIR", "DDCI_SPOOL_DIR", NULL,
		  "keep events Datadog could not take in DIR (deliver later with ddci-flush)" },
		{ NULL, 0, NULL, NULL, NULL, NULL } } },
	{ DDCI_CLI_REPORTER, "Delivery", {
		{ "no-fail", K_NO_FAIL, NULL, NULL, NULL,
		  "exit 0 with a warning when Datadog is down or rejects the event (3, 4); usage errors still exit 2" },
		{ NULL, 0, NULL, NULL, NULL, NULL } } },
	{ DDCI_CLI_GATE, "Gate", {
		{ "fail-open", K_FAIL_OPEN, NULL, NULL, NULL,
		  "pass (exit 0, with a warning) when Datadog cannot be read" },
		{ NULL, 0, NULL, NULL, NULL, NULL } } },
	{ DDCI_CLI_NET, "Connection", {
		{ "site", K_SITE, "SITE", "DD_SITE, DATADOG_SITE", "datadoghq.com", "Datadog site (app.<site> accepted)" },
		{ "api-url", K_API_URL, "URL", "DDCI_API_URL", "https://api.<site>",
		  "API base URL (plain http only for loopback)" },
		{ "timeout", K_TIMEOUT, "SECONDS", "DDCI_TIMEOUT", "30", "total time allowed, retries included" },
		{ "retries", K_RETRIES, "N", "DDCI_RETRIES", "3",
		  "retries on network errors and 5xx; 429s are waited out within --timeout (0: no retry, no wait)" },
		{ "ca-bundle", K_CA_BUNDLE, "FILE", "SSL_CERT_FILE, CURL_CA_BUNDLE", "the system's, SSL_CERT_DIR",
		  "CA certificates to trust" },
		{ "dry-run", K_DRY_RUN, NULL, "DDCI_DRY_RUN", NULL, "print the request that would be sent; send nothing" },
		{ "verbose", K_VERBOSE, NULL, NULL, NULL, "trace requests on stderr (keys are never shown)" },
		{ NULL, 0, NULL, NULL, NULL, NULL } } },
};

static const struct ddci_opt always[] = {
	{ "help", K_HELP, NULL, NULL, NULL, "show this help and exit" },
	{ "version", K_VERSION, NULL, NULL, NULL, "show ddci's version and its libraries' and exit" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

static size_t count(const struct ddci_opt *o)
{
	size_t n = 0;
	while (o && o[n].name)
		n++;
	return n;
}

/* Calls fn for every option a command accepts, in help order. */
static void each_opt(const struct ddci_cmd *cmd, void (*fn)(const struct ddci_opt *, const char *, void *),
		     void *ctx)
{
	for (size_t i = 0; i < count(cmd->opts); i++)
		fn(&cmd->opts[i], NULL, ctx);
	for (size_t g = 0; g < N_GROUPS; g++)
		if (cmd->groups & groups[g].mask)
			for (size_t i = 0; i < count(groups[g].opts); i++)
				fn(&groups[g].opts[i], groups[g].title, ctx);
	for (size_t i = 0; i < count(always); i++)
		fn(&always[i], "General", ctx);
}

struct longopts {
	struct option *v;
	size_t n;
	char shorts[128];
	size_t ns;
};

static void add_longopt(const struct ddci_opt *o, const char *title, void *ctx)
{
	struct longopts *l = ctx;
	(void)title;
	l->v[l->n].name = o->name;
	l->v[l->n].has_arg = o->arg ? required_argument : no_argument;
	l->v[l->n].flag = NULL;
	l->v[l->n].val = o->key;
	l->n++;
	if (o->key > 0 && o->key < 128 && l->ns + 3 < sizeof(l->shorts)) {
		l->shorts[l->ns++] = (char)o->key;
		if (o->arg)
			l->shorts[l->ns++] = ':';
	}
}

/* The long name of option `key`, for messages. */
static const char *long_name(const struct longopts *l, int key)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].val == key)
			return l->v[i].name;
	return "?";
}

static void count_opt(const struct ddci_opt *o, const char *title, void *ctx)
{
	(void)o;
	(void)title;
	(*(size_t *)ctx)++;
}

static int set_output(struct ddci_config *cfg, const struct ddci_cmd *cmd, const char *arg)
{
	static const char *const names[] = { "text", "json", "ndjson", "table" };
	const char *allowed = cmd->outputs ? cmd->outputs : "text|json";
	size_t n = strlen(arg);

	for (const char *p = allowed; *p;) {
		size_t len = strcspn(p, "|");
		if (len == n && !strncmp(p, arg, n)) {
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (!strcmp(names[i], arg))
					cfg->output = (enum ddci_output)i;
			return 0;
		}
		p += len;
		if (*p == '|')
			p++;
	}
	return ddci_error_set(DDCI_EUSAGE, "invalid --output '%s': expected %s", arg, allowed);
}

static int on_shared(struct ddci_config *cfg, const struct ddci_cmd *cmd, int key, const char *arg)
{
	int64_t n;
	int rc;

	switch (key) {
	case K_SITE: return ddci_config_set(&cfg->site, arg);
	case K_API_URL: return ddci_config_set(&cfg->api_url, arg);
	case K_CA_BUNDLE: return ddci_config_set(&cfg->ca_bundle, arg);
	case K_SERVICE: return ddci_config_set(&cfg->service, arg);
	case K_ENV: return ddci_config_set(&cfg->env, arg);
	case K_SVC_VERSION: return ddci_config_set(&cfg->version, arg);
	case K_REPO: return ddci_config_set(&cfg->repo_path, arg);
	case K_SPOOL: return ddci_config_set(&cfg->spool_dir, arg);
	case K_OUTPUT: return set_output(cfg, cmd, arg);
	case K_DRY_RUN: cfg->dry_run = 1; return 0;
	case K_VERBOSE: cfg->verbose = 1; return 0;
	case K_NO_FAIL: cfg->no_fail = 1; return 0;
	case K_FAIL_OPEN: cfg->fail_open = 1; return 0;
	case K_TIMEOUT:
		if ((rc = ddci_parse_int64(&n, arg, 1, 86400, "--timeout")) < 0)
			return rc;
		cfg->timeout_ms = n * 1000;
		return 0;
	case K_RETRIES:
		if ((rc = ddci_parse_int64(&n, arg, 0, 10, "--retries")) < 0)
			return rc;
		cfg->retries = (int)n;
		return 0;
	default:
		return ddci_error_set(DDCI_EUSAGE, "internal: unhandled option %d", key);
	}
}

static int is_shared_key(int key)
{
	return key >= K_SITE && key < K_LIST_OPTIONS;
}

/* Levenshtein distance of a and b, at most 64 characters each (else 99). */
static size_t distance(const char *a, size_t na, const char *b, size_t nb)
{
	size_t row[65], diag, up;

	if (na > 64 || nb > 64)
		return 99;
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[nb];
}

const char *ddci_cli_suggest(const char *word, size_t n, const char *const *names, size_t count)
{
	const char *best = NULL;
	size_t best_d = (n <= 4 ? 1 : 2) + 1; /* "servce" -> "service"; "x" -> nothing */

	for (size_t i = 0; i < count; i++) {
		size_t d = distance(word, n, names[i], strlen(names[i]));

		if (d < best_d) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}

/* "unknown option '--servce' (did you mean '--service'?)" */
static int unknown_option(const struct longopts *l, int opt, const char *arg)
{
	const char *names[128], *word, *hint;
	size_t n = 0;

	if (opt && opt < 128)
		return ddci_error_set(DDCI_EUSAGE, "unknown option '-%c'", opt);
	for (size_t i = 0; i < l->n && n < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(l->v[i].name, "list-options"))
			names[n++] = l->v[i].name;
	word = arg + strspn(arg, "-");
	hint = ddci_cli_suggest(word, strcspn(word, "="), names, n);
	if (hint)
		return ddci_error_set(DDCI_EUSAGE, "unknown option '%s' (did you mean '--%s'?)", arg, hint);
	return ddci_error_set(DDCI_EUSAGE, "unknown option '%s'", arg);
}

/* Is `key` one of the shared keys, or the command's own?  A command key in
 * the shared range would be a programming error; keep them apart. */
int ddci_cli_parse(int *first_arg, const struct ddci_cmd *cmd, struct ddci_config *cfg, void *ctx,
		   int argc, char **argv)
{
	struct longopts l = { 0 };
	size_t n = 1; /* --list-options */
	int rc = 0, c, idx;

	cfg->prog = cmd->name;

	each_opt(cmd, count_opt, &n);
	l.v = calloc(n + 1, sizeof(*l.v));
	if (!l.v)
		return ddci_error_oom();
	l.shorts[l.ns++] = ':';
	each_opt(cmd, add_longopt, &l);
	l.v[l.n].name = "list-options";
	l.v[l.n].has_arg = no_argument;
	l.v[l.n].val = K_LIST_OPTIONS;
	l.n++;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, l.shorts, l.v, &idx)) != -1) {
		if (c == '?') {
			rc = unknown_option(&l, optopt, argv[optind - 1]);
			goto done;
		}
		if (c == ':') {
			rc = ddci_error_set(DDCI_EUSAGE, "option '%s' needs a value", argv[optind - 1]);
			goto done;
		}
		if (c == K_HELP) {
			ddci_cli_help(stdout, cmd);
			rc = 1;
			goto done;
		}
		if (c == K_VERSION) {
			ddci_cli_version(stdout, cmd);
			rc = 1;
			goto done;
		}
		if (c == K_LIST_OPTIONS) {
			ddci_cli_list_options(stdout, cmd);
			rc = 1;
			goto done;
		}
		if (optarg && !ddci_utf8_valid(optarg)) {
			rc = ddci_error_set(DDCI_EUSAGE, "invalid --%s: not valid UTF-8", long_name(&l, c));
			goto done;
		}
		if (c == K_VERBOSE || is_shared_key(c))
			rc = on_shared(cfg, cmd, c, optarg);
		else if (cmd->on_opt)
			rc = cmd->on_opt(ctx, c, optarg);
		else
			rc = ddci_error_set(DDCI_EUSAGE, "unknown option");
		if (rc < 0)
			goto done;
	}
	*first_arg = optind;
done:
	free(l.v);
	return rc;
}

struct help_ctx {
	FILE *f;
	const char *title;
	int first;
};

static void print_opt(const struct ddci_opt *o, const char *title, void *ctx)
{
	struct help_ctx *h = ctx;
	char left[64];
	const char *t = title ? title : "Options";

	if (h->first || strcmp(t, h->title)) {
		fprintf(h->f, "\n%s:\n", t);
		h->title = t;
		h->first = 0;
	}
	if (o->key > 0 && o->key < 128)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key, o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	fprintf(h->f, "  %-30s %s", left, o->help);
	if (o->env && o->def)
		fprintf(h->f, " [env %s; default %s]", o->env, o->def);
	else if (o->env)
		fprintf(h->f, " [env %s]", o->env);
	else if (o->def)
		fprintf(h->f, " [default %s]", o->def);
	fputc('\n', h->f);
}

void ddci_cli_help(FILE *f, const struct ddci_cmd *cmd)
{
	struct help_ctx h = { f, "", 1 };
	const char *summary = ddci_command_summary(cmd->name);

	fprintf(f, "%s - %s\n\nUsage: %s %s\n", cmd->name, summary ? summary : "", cmd->name,
		cmd->synopsis ? cmd->synopsis : "[OPTIONS]");
	if (cmd->description)
		fprintf(f, "\n%s\n", cmd->description);
	each_opt(cmd, print_opt, &h);
	if (cmd->groups & DDCI_CLI_OUTPUT)
		fprintf(f, "  (--output accepts %s)\n", cmd->outputs ? cmd->outputs : "text|json");
	fputs("\nEnvironment:\n"
	      "  DD_API_KEY, DATADOG_API_KEY, DD_API_KEY_FILE      API key (required to send)\n"
	      "  DD_APP_KEY, DD_APPLICATION_KEY, DATADOG_APP_KEY, DATADOG_APPLICATION_KEY, DD_APP_KEY_FILE\n"
	      "                                                    application key (reads, gates, PATCH, DELETE)\n"
	      "  SSL_CERT_DIR                                      CA directory (default /etc/ssl/certs)\n"
	      "  HTTPS_PROXY, NO_PROXY                             proxy (libcurl)\n",
	      f);
	fputs("\nExit status:\n"
	      "  0  done; gate passed\n",
	      f);
	if (cmd->groups & DDCI_CLI_GATE)
		fputs("  1  gate failed (a threshold was exceeded)\n", f);
	fputs("  2  bad usage or input, or a local precondition failed (nothing was sent)\n"
	      "  3  Datadog unreachable, timed out, 5xx or 429 after all retries\n"
	      "  4  Datadog rejected the request (400, 401, 403, 404, 409, 422)\n",
	      f);
	if (cmd->groups & DDCI_CLI_REPORTER)
		fputs("  --no-fail turns 3 and 4 into 0 (never 2)\n", f);
	if (cmd->groups & DDCI_CLI_GATE)
		fputs("  --fail-open turns 3 and 4 into 0 (never 1 or 2)\n", f);
	if (cmd->examples)
		fprintf(f, "\nExamples:\n%s", cmd->examples);
}

const char *ddci_cli_version_string(void)
{
	return ddci_version();
}

void ddci_cli_version(FILE *f, const struct ddci_cmd *cmd)
{
	curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	int major = 0, minor = 0, rev = 0;

	/* The libraries actually loaded, not the headers built against. */
	git_libgit2_version(&major, &minor, &rev);
	fprintf(f, "%s (ddci) %s\nlibcurl %s (%s), libgit2 %d.%d.%d, cJSON %s\n", cmd->name, ddci_version(),
		cv->version, cv->ssl_version ? cv->ssl_version : "no TLS", major, minor, rev, cJSON_Version());
}

static void list_opt(const struct ddci_opt *o, const char *title, void *ctx)
{
	(void)title;
	fprintf(ctx, "--%s\n", o->name);
}

void ddci_cli_list_options(FILE *f, const struct ddci_cmd *cmd)
{
	each_opt(cmd, list_opt, f);
}

static int is_remote_failure(int rc)
{
	return rc == DDCI_EUNAVAIL || rc == DDCI_EREJECT || rc == DDCI_EPROTO;
}

int ddci_cli_no_more(int first, int argc, char **argv)
{
	if (first < argc)
		return ddci_error_set(DDCI_EUSAGE, "unexpected argument '%s'", argv[first]);
	return 0;
}

int ddci_cli_subcommand(const char **sub, int *first, int argc, char **argv, const char *names)
{
	const char *want = *first < argc ? argv[*first] : NULL, *p, *bar;
	char expected[256]; /* "a, b or c" */
	size_t n = 0;
	int k = 0;

	*sub = NULL;
	for (p = names; *p; p = *bar ? bar + 1 : bar, k++) {
		bar = p + strcspn(p, "|");
		if (want && strlen(want) == (size_t)(bar - p) && !strncmp(p, want, (size_t)(bar - p))) {
			*sub = argv[(*first)++];
			return 0;
		}
		if (n < sizeof(expected))
			n += (size_t)snprintf(expected + n, sizeof(expected) - n, "%s%.*s",
					      k == 0 ? "" : *bar ? ", " : " or ", (int)(bar - p), p);
	}
	if (n >= sizeof(expected))
		expected[sizeof(expected) - 1] = '\0';
	if (!want)
		return ddci_error_set(DDCI_EUSAGE, "missing subcommand: expected %s", expected);
	return ddci_error_set(DDCI_EUSAGE, "unknown subcommand '%s': expected %s", want, expected);
}

/* ddci_cli_finish, then the client, the configuration and libgit2
 * released.  Returns the exit status. */
static int cli_end(const struct ddci_cmd *cmd, struct ddci_config *cfg, struct ddci_client *c, int rc)
{
	rc = ddci_cli_finish(cmd, cfg, rc);
	ddci_client_release(c);
	ddci_config_release(cfg);
	ddci_git_shutdown();
	return rc;
}

int ddci_cli_main(const struct ddci_cmd *cmd, void *ctx, const struct ddci_cli_job *job, int argc, char **argv)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_client client;
	int first = argc, rc;

	ddci_client_init(&client, &cfg);
	rc = ddci_cli_parse(&first, cmd, &cfg, ctx, argc, argv);
	if (rc == 1) { /* --help, --version */
		rc = 0;
		goto done;
	}
	if (rc < 0)
		goto done;
	rc = job->check ? job->check(ctx, &cfg, first, argc, argv) : ddci_cli_no_more(first, argc, argv);
	if (rc < 0 || (rc = ddci_config_finish(&cfg, job->need)) < 0)
		goto done;
	ddci_cli_client(&client, &cfg);
	rc = job->run(ctx, &client, &cfg);
done:
	if (job->release)
		job->release(ctx);
	return cli_end(cmd, &cfg, &client, rc);
}

int ddci_cli_finish(const struct ddci_cmd *cmd, const struct ddci_config *cfg, int rc)
{
	enum ddci_exit code;
	char *msg;

	/* Positive: DDCI_EXIT_GATE (a failed gate) or DDCI_DRY_RUN and other
	 * "done" codes, which exit 0. */
	if (rc >= 0)
		return rc == DDCI_EXIT_GATE ? DDCI_EXIT_GATE : 0;
	code = ddci_exit_code(rc);
	msg = ddci_redact_text(ddci_error_last());
	/* One line whatever the message holds (flag values, server text). */
	for (char *p = msg; p && *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (cfg && cfg->no_fail && code != DDCI_EXIT_USAGE) { /* outages only: never a misconfiguration */
		ddci_print(stderr, "%s: warning: %s (--no-fail: exit status %d ignored)\n", cmd->name,
			   msg ? msg : "error", (int)code);
		code = DDCI_EXIT_OK;
	} else if (cfg && cfg->fail_open && is_remote_failure(rc)) {
		ddci_print(stderr, "%s: warning: %s; gate not evaluated, passing because of --fail-open\n",
			   cmd->name, msg ? msg : "error");
		code = DDCI_EXIT_OK;
	} else {
		ddci_print(stderr, "%s: %s\n", cmd->name, msg ? msg : "error");
	}
	free(msg);
	return (int)code;
}

void ddci_cli_client(struct ddci_client *c, const struct ddci_config *cfg)
{
	c->out = stdout;
	c->notice = stderr; /* an event Datadog takes late (HTTP 202) */
	c->trace = cfg->verbose ? stderr : NULL;
}

