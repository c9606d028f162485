/* gate_flaky.h — the flaky test gate (gate.h's model over flaky.h's
 * search): thresholds on the active flaky tests of a scope and, with git,
 * on those this change brought or touches.
 */
#ifndef DDCI_GATE_FLAKY_H
#define DDCI_GATE_FLAKY_H

#include <stdint.h>

#include "ddci/ci_env.h"
#include "ddci/client.h"
#include "ddci/error.h"
#include "ddci/flaky.h"
#include "ddci/gate.h"
#include "ddci/git.h"

/* The base of a change: --base when given, else the CI's PR target branch
 * (origin/<branch>, then <branch>) or base sha.  DDCI_EUSAGE naming --base
 * when there is none or it does not exist. */
int ddci_gate_resolve_base(char out[41], struct ddci_repo *r, const char *base, const struct ddci_ci *ci) DDCI_WUR;

/* The flaky test gate. Limits < 0 are off. */
struct ddci_flaky_gate_opts {
	struct ddci_flaky_scope scope;
	int64_t max_active;
	double max_failure_rate;  /* percent */
	int64_t max_new;
	int fail_on_changed;
	int64_t max_lost_ms;
	int include_quarantined;
	struct ddci_repo *repo;   /* needed for --max-new / --fail-on-changed */
	const char *base_sha;     /* resolved base (ddci_gate_resolve_base) */
	int64_t now_ms;           /* for the weeks-first-flaked chart; 0 = now */
};

#define DDCI_FLAKY_GATE_OPTS_INIT { .max_active = -1, .max_failure_rate = -1, .max_new = -1, .max_lost_ms = -1 }

int ddci_gate_flaky(struct ddci_gate *g, struct ddci_client *c, const struct ddci_flaky_gate_opts *o) DDCI_WUR;

#endif
