/* cases_report.c — ddci-cases' counts and gate verdict (cases_report.h). */
#include "ddci/cases_report.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "ddci/gate.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/report.h"
#include "ddci/timeutil.h"

void ddci_cases_flags_release(struct ddci_cases_flags *f)
{
	ddci_strv_release(&f->group_by);
}

int ddci_cases_query_from_flags(struct ddci_cases_query *q, int64_t *max, const struct ddci_cases_flags *a,
				int gate, int fail_open)
{
	int rc;

	*max = -1;
	if (!gate && (a->max || fail_open))
		return ddci_error_set(DDCI_EUSAGE, "%s is for 'gate' only", a->max ? "--max" : "--fail-open");
	if (gate && !a->max)
		return ddci_error_set(DDCI_EUSAGE, "missing --max: the most matching cases the gate allows");
	if (a->max && (rc = ddci_parse_int64(max, a->max, 0, INT64_MAX, "--max")) < 0)
		return rc;
	if (a->limit && (rc = ddci_parse_int64(&q->limit, a->limit, 1, DDCI_CASES_MAX_LIMIT, "--limit")) < 0)
		return rc;
	q->query = a->query;
	q->group_by = &a->group_by;
	return ddci_cases_check(q);
}

static int print_json(FILE *f, const struct ddci_cases_result *r, const char *query)
{
	cJSON *o = cJSON_CreateObject(), *groups, *g;
	int rc = 0;

	if (!o || ddci_json_add_int64(o, "total", r->total) < 0 || !(groups = cJSON_AddArrayToObject(o, "groups")))
		goto oom;
	for (size_t i = 0; i < r->ngroups; i++) {
		if (!(g = cJSON_CreateObject()) || !cJSON_AddItemToArray(groups, g)) {
			cJSON_Delete(g);
			goto oom;
		}
		if (!cJSON_AddStringToObject(g, "group", r->groups[i].group) ||
		    ddci_json_add_int64(g, "count", r->groups[i].count) < 0)
			goto oom;
	}
	if (query && !cJSON_AddStringToObject(o, "query", query))
		goto oom;
	rc = ddci_print_json(f, o, 1);
	cJSON_Delete(o);
	return rc;
oom:
	cJSON_Delete(o);
	return ddci_error_oom();
}

static int print_table(FILE *f, const struct ddci_cases_result *r, const struct ddci_strv *group_by)
{
	struct ddci_table *t = NULL;
	char head[128] = "", count[32];
	const char *headers[2] = { head, "COUNT" };
	const char *cells[2];
	size_t ngroup_by = group_by ? group_by->n : 0;
	int rc;

	for (size_t i = 0; i < (ngroup_by ? ngroup_by : 1); i++) {
		size_t len = strlen(head);
		snprintf(head + len, sizeof(head) - len, "%s%s", i ? "/" : "", ngroup_by ? group_by->v[i] : "status");
	}
	for (char *p = head; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if ((rc = ddci_table_new(&t, 2, headers)) < 0)
		return rc;
	for (size_t i = 0; i < r->ngroups && !rc; i++) {
		snprintf(count, sizeof(count), "%" PRId64, r->groups[i].count);
		cells[0] = r->groups[i].group;
		cells[1] = count;
		rc = ddci_table_add(t, cells);
	}
	snprintf(count, sizeof(count), "%" PRId64, r->total);
	cells[0] = "total";
	cells[1] = count;
	if (!rc)
		rc = ddci_table_add(t, cells);
	if (!rc)
		ddci_table_print(f, t);
	ddci_table_free(t);
	return rc;
}

int ddci_cases_report_counts(FILE *f, enum ddci_output format, const struct ddci_cases_result *r,
			     const struct ddci_cases_query *q)
{
	return format == DDCI_OUTPUT_JSON ? print_json(f, r, q->query) : print_table(f, r, q->group_by);
}

/* The gate's verdict, in the shape every gate shares (report.h): one check
 * (--max) and one row per group. */
int ddci_cases_report_gate(FILE *f, int json, const struct ddci_cases_result *r, const char *query, int64_t max)
{
	static const char *const cols[] = { "group", "cases" };
	struct ddci_report_opts ro = { .out = f, .json = json };
	struct ddci_gate g;
	char count[32];
	int c, rc = 0;

	ddci_gate_init(&g, "ddci-cases", "Open cases gate", "cases per group", cols, 2);
	g.order = "most cases first";
	if ((c = ddci_gate_add_check(&g, "max", "--max", "matching cases", DDCI_UNIT_COUNT, (double)max)) < 0)
		return c;
	g.checks[c].value = (double)r->total;
	snprintf(g.scope, sizeof(g.scope), "%s", query ? query : "*");
	for (size_t i = 0; i < r->ngroups && rc == 0; i++) {
		const char *cells[2] = { r->groups[i].group, count };
		cJSON *j = cJSON_CreateObject();

		snprintf(count, sizeof(count), "%" PRId64, r->groups[i].count);
		if (!j || !cJSON_AddStringToObject(j, "group", r->groups[i].group) ||
		    ddci_json_add_int64(j, "count", r->groups[i].count) < 0) {
			cJSON_Delete(j);
			rc = ddci_error_oom();
			break;
		}
		rc = ddci_gate_add_row(&g, cells, (double)r->groups[i].count,
				       ddci_gate_over(&g, c, (double)r->total) ? 1u << c : 0, NULL, 0,
				       r->groups[i].group, j);
	}
	if (rc == 0) {
		ddci_gate_evaluate(&g);
		ddci_gate_set_int(&g, "cases", r->total);
		ddci_gate_set_int(&g, "groups", (int64_t)r->ngroups);
		rc = ddci_report_verdict(&g, 0, &ro);
	}
	ddci_gate_release(&g);
	return rc;
}
