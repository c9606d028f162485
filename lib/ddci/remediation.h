/* remediation.h — change failures and how they were remediated.
 *
 * Decides rollback vs rollforward from git history (libgit2): a remediation
 * that deploys an ancestor of the failed commit rolled back, one that
 * descends from it rolled forward.  And the whole "mark a deployment as a
 * change failure" flow: find the failed and remediating deployments (by id,
 * the latest of a service/env, or by commit), decide the type, PATCH.
 */
#ifndef DDCI_REMEDIATION_H
#define DDCI_REMEDIATION_H

#include "ddci/client.h"
#include "ddci/dora.h"
#include "ddci/error.h"
#include "ddci/git.h"

enum ddci_remediation_type { DDCI_REM_NONE = 0, DDCI_REM_ROLLBACK, DDCI_REM_ROLLFORWARD, DDCI_REM_AUTO };

/* "rollback", "rollforward", "auto" -> type; DDCI_EUSAGE naming `what`. */
int ddci_remediation_type_parse(enum ddci_remediation_type *out, const char *s, const char *what) DDCI_WUR;
const char *ddci_remediation_type_name(enum ddci_remediation_type t);

struct ddci_remediation_decision {
	enum ddci_remediation_type type;
	char why[320];  /* "rollback: 1a2b3c4 (remediation) is an ancestor of 5d6e7f8 (failed)" */
};

/* is_ancestor(out, ctx, ancestor, descendant) as ddci_git_is_ancestor. */
typedef int (*ddci_ancestor_fn)(int *out, void *ctx, const char *ancestor, const char *descendant);

/* The rule, with the ancestry test given (unit tests pass a table):
 * remediation == failed or an ancestor of it -> rollback (the same commit
 * counts as a rollback only when it differs; equal is an error: nothing
 * changed in code); failed an ancestor of remediation -> rollforward;
 * unrelated -> DDCI_EUSAGE asking for --remediation-type.  Missing history
 * (shallow clone) -> the git error with the same hint, exit 2. */
int ddci_remediation_decide_with(struct ddci_remediation_decision *out, ddci_ancestor_fn fn, void *ctx,
				 const char *failed_sha, const char *remediation_sha) DDCI_WUR;
int ddci_remediation_decide(struct ddci_remediation_decision *out, struct ddci_repo *r, const char *failed_sha,
			    const char *remediation_sha) DDCI_WUR;

/* ddci-change-failure's request: which deployment failed, what fixed it. */
struct ddci_change_failure {
	const char *deployment_id;      /* --deployment-id */
	int last;                       /* --last: latest deployment of service/env */
	const char *commit;             /* --commit: any revision; resolved with repo when open */
	const char *service, *env;      /* narrow --last / --commit / --remediated-by-current */
	const char *remediation_id;     /* --remediation-id */
	int remediated_by_current;      /* --remediated-by-current: latest deployment of HEAD */
	const char *head_sha;           /* HEAD, for --remediated-by-current */
	enum ddci_remediation_type type;/* DDCI_REM_NONE when not given (= auto when both commits known) */
	int clear;                      /* --clear: change_failure false, no remediation */
	struct ddci_repo *repo;         /* for auto type and --commit; may be NULL */
};

struct ddci_change_failure_result {
	char deployment_id[DDCI_ID_MAX];
	char failed_sha[65];    /* 40 hex, 64 for SHA-256 */
	char remediation_id[DDCI_ID_MAX];
	char remediation_sha[65];
	struct ddci_remediation_decision decision; /* type NONE when no remediation */
	int inferred;                   /* the type was decided from git */
	int dry_run;
};

int ddci_change_failure_apply(struct ddci_change_failure_result *res, struct ddci_client *c,
			      const struct ddci_change_failure *cf) DDCI_WUR;

/* ddci-deploy --remediates: after deploying `current_id` (commit
 * current_sha, started at started_ns), marks `target` as a change failure
 * remediated by it.  target "auto" = the most recent deployment of the same
 * service/env that started before this one.  The type comes from git. */
int ddci_remediation_mark(struct ddci_change_failure_result *res, struct ddci_client *c, struct ddci_repo *r,
			  const char *target, const char *current_id, const char *current_sha, const char *service,
			  const char *env, int64_t started_ns) DDCI_WUR;

#endif
