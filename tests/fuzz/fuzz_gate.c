/* fuzz_gate — the failure-rate gate's computation over random aggregate
 * answers (ddci_gate_failrate_pages): no undefined behaviour, and never a
 * verdict on unsound numbers.
 *
 * An input starting with '{' or '[' is one page (or an array of pages) of
 * JSON, judged as it is: the gate either refuses or decides on finite
 * numbers.  Any other input is a generated answer whose right verdict is
 * known: byte 0 the options (bit 0 --group-by, 1 --require-data,
 * 2 --allow-partial, 3 meta.status "timeout", 4-5 --min-runs 0/1/10/100),
 * byte 1 --max-failure-rate (0..100%), then 3 bytes a bucket: group, status
 * (pass, fail, skip, error), count (below 200 itself; else one of the
 * unsound or extreme values).  Unsound counts or partial results must fail
 * the call; otherwise the verdict must match the one computed here. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ddci/buf.h"
#include "ddci/gate.h"
#include "ddci/gate_failrate.h"
#include "ddci/report.h"

#include "fuzz_common.h"

#define MAXB 64

static const char *const specials[] = {
	"\"NaN\"", "1e999", "-1", "9.3e18", "9e18", "2.5", "\"inf\"", "\"12\"", "-1e999", "0", "\"-0\"", "1e-300",
};
static const int special_sound[] = { 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0 };
#define NSPECIAL (sizeof(specials) / sizeof(specials[0]))

static int64_t sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int64_t special_value(size_t k)
{
	return k == 4 ? 9000000000000000000 : k == 7 ? 12 : 0;
}

/* Renders what a gate decided, as every output does. */
static void render(const struct ddci_gate *g)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	cJSON *j = NULL;
	FILE *f = fopen("/dev/null", "w");

	if (f) {
		ddci_report_text(f, g);
		fclose(f);
	}
	if (ddci_report_json(&j, g) == 0)
		cJSON_Delete(j);
	(void)ddci_report_markdown(&b, g);
	ddci_buf_reset(&b);
	(void)ddci_report_junit(&b, g);
	ddci_buf_release(&b);
}

static void sound_or_abort(const struct ddci_gate *g)
{
	for (int i = 0; i < g->nchecks; i++)
		if (!isfinite(g->checks[i].value) || g->checks[i].value < 0)
			abort();
}

static void json_mode(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	const cJSON *pages[8];
	size_t n = 0;
	struct ddci_failrate_gate_opts o = DDCI_FAILRATE_GATE_OPTS_INIT;
	struct ddci_gate g;

	if (cJSON_IsArray(root)) {
		const cJSON *it;
		cJSON_ArrayForEach(it, root)
		{
			if (n < 8)
				pages[n++] = it;
		}
	} else if (root) {
		pages[n++] = root;
	}
	o.max_failure_rate = 5;
	for (int grouped = 0; grouped < 2 && n; grouped++) {
		o.group_by = grouped ? "@test.suite" : NULL;
		if (ddci_gate_failrate_pages(&g, &o, pages, n) == 0) {
			sound_or_abort(&g);
			render(&g);
		}
		ddci_gate_release(&g);
	}
	cJSON_Delete(root);
	free(text);
}

struct expect {
	int64_t pass[4], fail[4];
	int used[4], unsound;
};

static int verdict(const struct expect *e, int grouped, int64_t min_runs, double limit, int require)
{
	int64_t tp = 0, tf = 0, enough = 0;
	double worst = 0, value;

	for (int k = 0; k < 4; k++) {
		int64_t runs;
		double rate;
		if (!e->used[k])
			continue;
		tp = sat(tp, e->pass[k]);
		tf = sat(tf, e->fail[k]);
		runs = sat(e->pass[k], e->fail[k]);
		rate = runs > 0 ? (double)e->fail[k] / (double)runs * 100.0 : 0;
		if (runs >= min_runs && runs > 0) {
			enough++;
			if (rate > worst)
				worst = rate;
		}
	}
	if (grouped) {
		value = worst;
	} else {
		int64_t runs = sat(tp, tf);
		value = runs >= min_runs && runs > 0 ? (double)tf / (double)runs * 100.0 : 0;
	}
	return value > limit + 1e-9 || (require && !enough);
}

static void generated_mode(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "a", "b", "(none)", "" };
	static const char *const status[] = { "pass", "fail", "skip", "error" };
	static const int64_t mins[] = { 0, 1, 10, 100 };
	struct ddci_failrate_gate_opts o = DDCI_FAILRATE_GATE_OPTS_INIT;
	struct ddci_buf b = DDCI_BUF_INIT;
	struct expect e;
	struct ddci_gate g;
	char longkey[300];
	cJSON *page;
	const cJSON *pages[1];
	int grouped, partial, rc;

	if (size < 2)
		return;
	memset(&e, 0, sizeof(e));
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	grouped = data[0] & 1;
	o.require_data = (data[0] >> 1) & 1;
	o.allow_partial = (data[0] >> 2) & 1;
	partial = (data[0] >> 3) & 1;
	o.min_runs = mins[(data[0] >> 4) & 3];
	o.max_failure_rate = data[1] / 2.55;
	o.group_by = grouped ? "@test.suite" : NULL;
	if (ddci_buf_addf(&b, "{\"data\":{\"buckets\":[") < 0)
		goto done;
	for (size_t i = 2, nb = 0; i + 2 < size && nb < MAXB; i += 3, nb++) {
		int k = data[i] & 3, st = data[i + 1] & 3, kind = st == 0 ? 1 : st == 2 ? 0 : 2;
		uint8_t v = data[i + 2];
		int gk = grouped ? (k == 3 ? 2 : k) : 0; /* "" is "(none)" */
		const char *key = k == 1 && (data[i] & 4) ? longkey : keys[k];
		char num[32];
		int64_t n = v;
		int sound = 1;

		if (v >= 200) {
			size_t s = (size_t)(v - 200) % NSPECIAL;
			snprintf(num, sizeof(num), "%s", specials[s]);
			sound = special_sound[s];
			n = special_value(s);
		} else {
			snprintf(num, sizeof(num), "%u", v);
		}
		if (k == 1 && (data[i] & 4))
			gk = grouped ? 3 : 0;
		if (ddci_buf_addf(&b, "%s{\"by\":{\"@test.suite\":\"%s\",\"@test.status\":\"%s\"},\"computes\":{\"c0\":%s}}",
				  nb ? "," : "", key, status[st], num) < 0)
			goto done;
		if (!kind)
			continue;
		if (!sound)
			e.unsound = 1;
		e.used[gk] = 1;
		if (kind == 1)
			e.pass[gk] = sat(e.pass[gk], n);
		else
			e.fail[gk] = sat(e.fail[gk], n);
	}
	if (ddci_buf_addf(&b, "]},\"meta\":{\"status\":\"%s\"}}", partial ? "timeout" : "done") < 0)
		goto done;
	if (!(page = cJSON_Parse(ddci_buf_str(&b))))
		abort(); /* we wrote it */
	pages[0] = page;
	rc = ddci_gate_failrate_pages(&g, &o, pages, 1);
	if (e.unsound || (partial && !o.allow_partial)) {
		if (rc >= 0) /* a verdict on unsound numbers or partial results */
			abort();
	} else {
		if (rc != 0 || g.failed != verdict(&e, grouped, o.min_runs, o.max_failure_rate, o.require_data))
			abort();
		sound_or_abort(&g);
		render(&g);
	}
	ddci_gate_release(&g);
	cJSON_Delete(page);
done:
	ddci_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && (data[0] == '{' || data[0] == '['))
		json_mode(data, size);
	else
		generated_mode(data, size);
	return 0;
}
