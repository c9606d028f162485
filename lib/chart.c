/* chart.c — Mermaid xychart-beta and inline SVG from data; the HTML page. */
#include "ddci/chart.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/sanitize.h"
#include "ddci/timeutil.h"
#include "ddci/version.h"

/* The palette, light scheme (the SVG's presentation attributes; the page's
 * CSS switches to the dark one).  Text contrast on the page: fg 15.8:1,
 * mute 6.1, pass 5.1, fail 5.4, neutral 5.2, limit 4.9 (dark: 16.0, 6.5,
 * 7.5, 5.7, 6.1, 7.5). */
#define C_FG "#1f2328"
#define C_BG "#ffffff"
#define C_MUTE "#59636e"
#define C_LINE "#d1d9e0"
#define C_PASS "#1a7f37"
#define C_FAIL "#cf222e"
#define C_NEUTRAL "#0969da"
#define C_LIMIT "#9a6700"

/* Layout, in CSS pixels.  Charts are planned for the narrowest page they
 * must fit (a 390 px phone: about 340 px of chart) and stretch wider. */
#define NARROW 340.0
#define CHAR_W 7.6       /* a 12 px character, generously */
#define NAME_MAX 40      /* characters of a name on a ranked bar */
#define NAME_WIDE 100    /* the same on a page of 880 px or more */
#define BAR_SPAN 70.0    /* % of the width for the longest bar: its value follows */
#define ROW_H 40
#define PLOT_H 160
#define PLOT_TOP 24
#define PLOT_BOTTOM 28
/* Text with a halo in the page colour, readable over lines and bars. */
#define HALO "stroke=\"" C_BG "\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\""

static int valid(const struct ddci_chart *c)
{
	if (c->nseries > DDCI_CHART_MAX_SERIES)
		return ddci_error_set(DDCI_EUSAGE, "chart '%s': too many series", c->title ? c->title : "");
	for (size_t s = 0; s < c->nseries; s++)
		if (c->nx && !c->series[s].values)
			return ddci_error_set(DDCI_EUSAGE, "chart '%s': series without values",
					      c->title ? c->title : "");
	return 0;
}

static int empty(const struct ddci_chart *c)
{
	return !c->nx || !c->nseries;
}

/* Numbers as people write them: 12, 12.5, 0.25 (at most 2 decimals). */
static void fmt_num(char *buf, size_t size, double v)
{
	if (!isfinite(v))
		v = 0;
	if (fabs(v - round(v)) < 0.005)
		snprintf(buf, size, "%.0f", v);
	else if (fabs(v * 10 - round(v * 10)) < 0.05)
		snprintf(buf, size, "%.1f", v);
	else
		snprintf(buf, size, "%.2f", v);
}

/* A duration, in at most two units: "45s", "12m", "1h 30m", "2d 4h". */
static void fmt_dur(char *buf, size_t size, double ms)
{
	int64_t s = (int64_t)llround(fabs(ms) / 1000.0);

	if (s < 60)
		snprintf(buf, size, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, size, "%" PRId64 "m", (s + 30) / 60);
	else if (s < 86400)
		snprintf(buf, size, s % 3600 >= 60 ? "%" PRId64 "h %" PRId64 "m" : "%" PRId64 "h", s / 3600,
			 s % 3600 / 60);
	else
		snprintf(buf, size, s % 86400 >= 3600 ? "%" PRId64 "d %" PRId64 "h" : "%" PRId64 "d", s / 86400,
			 s % 86400 / 3600);
}

void ddci_chart_format(char *buf, size_t size, enum ddci_chart_unit unit, double v)
{
	char n[32];

	if (isnan(v)) {
		snprintf(buf, size, "-");
		return;
	}
	switch (unit) {
	case DDCI_CHART_MS: fmt_dur(buf, size, v); return;
	case DDCI_CHART_PCT: fmt_num(n, sizeof(n), v); snprintf(buf, size, "%s%%", n); return;
	case DDCI_CHART_COUNT: snprintf(buf, size, "%.0f", isfinite(v) ? v : 0); return;
	default: fmt_num(buf, size, v); return;
	}
}

static double max_value(const struct ddci_chart *c)
{
	double m = c->threshold > 0 ? c->threshold : 0;

	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->nx; i++)
			if (isfinite(c->series[s].values[i]) && c->series[s].values[i] > m)
				m = c->series[s].values[i];
	return m;
}

/* The axis: about four "nice" steps (1, 2 or 5 times a power of ten;
 * whole numbers for counts; minutes, hours and days for durations) up to
 * the first step at or above the largest value or the limit. */
static void axis(const struct ddci_chart *c, double *top, double *step)
{
	static const double dur[] = { 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5,
				      72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5, 12096e5, 2592e6 };
	double m = max_value(c), raw = m / 4, e, f;

	if (c->unit == DDCI_CHART_MS) {
		*step = dur[sizeof(dur) / sizeof(dur[0]) - 1];
		for (size_t i = 0; i < sizeof(dur) / sizeof(dur[0]); i++)
			if (dur[i] >= raw) {
				*step = dur[i];
				break;
			}
	} else if (!(raw > 0) || !isfinite(raw)) {
		*step = 1;
	} else {
		e = pow(10, floor(log10(raw)));
		f = raw / e;
		*step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e;
	}
	if (c->unit == DDCI_CHART_COUNT && *step < 1)
		*step = 1;
	*top = ceil(m / *step - 1e-9) * *step;
	if (*top < *step)
		*top = *step;
}

/* The renderers append without checking each addition: the buffer's first
 * error sticks, and each public function returns it once, at the end
 * (ddci_buf_error). */

/* ---- Mermaid ---- */

/* s made safe for a channel (sanitize.h); its only failure is the
 * buffer's, which sticks. */
static void add_san(struct ddci_buf *out, const char *s, enum ddci_chan ch)
{
	int rc = ddci_san_add(out, s, ch);

	(void)rc;
}

/* Text inside a Mermaid quoted string: no quotes, %%, or controls. */
static void add_mermaid_text(struct ddci_buf *out, const char *s)
{
	add_san(out, s, DDCI_CHAN_MERMAID);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The byte offset of character `k` of s (or its end). */
static size_t utf8_offset(const char *s, size_t k)
{
	size_t i = 0;

	for (; s[i] && k; k--)
		for (i++; ((unsigned char)s[i] & 0xc0) == 0x80; i++)
			;
	return i;
}

/* s in at most `max` characters.  A name too long keeps its last part
 * (after the last "::" or "/": the test, not its file), then its start and
 * its end with "…" between (the end of a test name tells it apart). */
static void shorten(char *buf, size_t size, const char *s, size_t max)
{
	size_t n = utf8_chars(s), head, tail;
	const char *last = NULL;

	if (n <= max) {
		snprintf(buf, size, "%s", s);
		return;
	}
	for (const char *p = s; *p; p++)
		if ((p[0] == ':' && p[1] == ':') || p[0] == '/')
			last = p + (p[0] == '/' ? 1 : 2);
	if (last && *last) {
		s = last;
		if ((n = utf8_chars(s)) <= max) {
			snprintf(buf, size, "%s", s);
			return;
		}
	}
	head = utf8_offset(s, (max - 1) / 2);
	tail = utf8_offset(s, n - (max - 1 - (max - 1) / 2));
	snprintf(buf, size, "%.*s…%s", (int)head, s, s + tail);
}

/* The start all of a ranked chart's names share, up to a "::", "/" or "."
 * (their file or class): said once, not on every bar.  0 when none. */
static size_t common_prefix(const struct ddci_chart *c)
{
	size_t len, cut = 0;

	if (!c->ranked || c->nx < 2 || !c->x[0])
		return 0;
	len = strlen(c->x[0]);
	for (size_t i = 1; i < c->nx; i++) {
		size_t k = 0;
		if (!c->x[i])
			return 0;
		while (k < len && c->x[i][k] == c->x[0][k])
			k++;
		len = k;
	}
	for (size_t k = 0; k < len; k++)
		if (c->x[0][k] == '/' || c->x[0][k] == '.' || (c->x[0][k] == ':' && k + 1 < len && c->x[0][k + 1] == ':'))
			cut = k + (c->x[0][k] == ':' ? 2 : 1);
	for (size_t i = 0; i < c->nx; i++)
		if (!c->x[i][cut])
			return 0;
	return cut;
}

static const char mermaid_theme[] =
	"%%%%{init: {\"theme\": \"base\", \"themeVariables\": {\"xyChart\": {\"backgroundColor\": \"" C_BG "\", "
	"\"titleColor\": \"" C_FG "\", \"xAxisLabelColor\": \"" C_FG "\", \"yAxisLabelColor\": \"" C_FG "\", "
	"\"xAxisTitleColor\": \"" C_FG "\", \"yAxisTitleColor\": \"" C_FG "\", \"xAxisLineColor\": \"" C_MUTE "\", "
	"\"yAxisLineColor\": \"" C_MUTE "\", \"xAxisTickColor\": \"" C_MUTE "\", \"yAxisTickColor\": \"" C_MUTE "\", "
	"\"plotColorPalette\": \"%s\"}}}}%%%%\n";

/* The x labels, shortened, each different from the ones before it. */
static void mermaid_x(struct ddci_buf *out, const struct ddci_chart *c)
{
	char prev[12][128], label[96], alt[128];
	size_t pre = common_prefix(c);

	ddci_buf_adds(out, "    x-axis [");
	for (size_t i = 0; i < c->nx; i++) {
		int dup = 0;

		shorten(label, sizeof(label), c->x[i] ? c->x[i] + pre : "", c->ranked ? 24 : 20);
		for (size_t k = 0; k < i && k < 12; k++)
			dup |= !strcmp(prev[k], label);
		if (dup || !*label) /* the rank (or position) tells it apart */
			snprintf(alt, sizeof(alt), "%s #%zu", label, i + 1);
		else
			snprintf(alt, sizeof(alt), "%s", label);
		if (i < 12)
			snprintf(prev[i], sizeof(prev[i]), "%s", alt);
		ddci_buf_adds(out, i ? ", \"" : "\"");
		add_mermaid_text(out, alt);
		ddci_buf_addc(out, '"');
	}
	ddci_buf_adds(out, "]\n");
}

static void add_values(struct ddci_buf *out, const double *v, size_t n, double constant)
{
	char num[32];

	ddci_buf_adds(out, " [");
	for (size_t i = 0; i < n; i++) {
		fmt_num(num, sizeof(num), v ? v[i] : constant);
		ddci_buf_addf(out, "%s%s", i ? ", " : "", num);
	}
	ddci_buf_adds(out, "]\n");
}

int ddci_chart_mermaid(struct ddci_buf *out, const struct ddci_chart *c)
{
	char top[32], palette[160] = "", lim[48];
	double t, st, div = 1;
	int rc;

	if ((rc = valid(c)) < 0)
		return rc;
	if (empty(c)) {
		ddci_buf_addf(out, "_%s: no data_\n", c->title ? c->title : "chart");
		return ddci_buf_error(out);
	}
	for (size_t s = 0; s < c->nseries; s++)
		snprintf(palette + strlen(palette), sizeof(palette) - strlen(palette), "%s%s", s ? ", " : "",
			 c->series[s].tone == DDCI_TONE_FAIL ? C_FAIL : C_NEUTRAL);
	if (c->threshold > 0)
		snprintf(palette + strlen(palette), sizeof(palette) - strlen(palette), ", " C_LIMIT);
	axis(c, &t, &st);
	if (c->unit == DDCI_CHART_MS) /* Mermaid's axis shows plain numbers */
		div = t <= 2 * 3600e3 ? 60e3 : t <= 72 * 3600e3 ? 3600e3 : 86400e3;
	fmt_num(top, sizeof(top), t / div);
	ddci_buf_adds(out, "```mermaid\n");
	ddci_buf_addf(out, mermaid_theme, palette);
	ddci_buf_addf(out, "xychart-beta%s\n", c->ranked ? " horizontal" : "");
	mermaid_x(out, c);
	ddci_buf_adds(out, "    y-axis \"");
	add_mermaid_text(out, c->y_label ? c->y_label : "");
	ddci_buf_addf(out, "%s\" 0 --> %s\n",
		      c->unit == DDCI_CHART_PCT ? " (%)" : div == 60e3 ? " (minutes)" : div == 3600e3 ? " (hours)" : div > 1 ? " (days)" : "",
		      top);
	for (size_t s = 0; s < c->nseries; s++) {
		double v[256];
		size_t n = c->nx < 256 ? c->nx : 256;

		for (size_t i = 0; i < n; i++)
			v[i] = c->series[s].values[i] / div;
		ddci_buf_adds(out, c->series[s].kind == DDCI_CHART_LINE ? "    line \"" : "    bar \"");
		add_mermaid_text(out, c->series[s].name ? c->series[s].name : "");
		ddci_buf_adds(out, "\"");
		add_values(out, v, n, 0);
	}
	ddci_chart_format(lim, sizeof(lim), c->unit, c->threshold);
	if (c->threshold > 0) {
		ddci_buf_addf(out, "    line \"limit %s\"", lim);
		add_values(out, NULL, c->nx < 256 ? c->nx : 256, c->threshold / div);
	}
	ddci_buf_adds(out, "```\n");
	return ddci_buf_error(out);
}

/* ---- HTML and SVG ---- */

static void escape_clean(struct ddci_buf *out, const char *s, int wrap)
{
	for (; s && *s && !ddci_buf_error(out); s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		}
		if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
			continue;
		if (rep)
			ddci_buf_adds(out, rep);
		else
			ddci_buf_addc(out, *s);
		if (wrap && s[1] && (strchr("/_.:-", *s) || (*s >= 'a' && *s <= 'z' && s[1] >= 'A' && s[1] <= 'Z')))
			ddci_buf_adds(out, "<wbr>");
	}
}

static void escape(struct ddci_buf *out, const char *text, int wrap)
{
	/* Valid UTF-8 without controls first (sanitize.h), then the markup. */
	char *clean = ddci_san_dup(text, DDCI_CHAN_DOC);

	if (clean)
		escape_clean(out, clean, wrap);
	else
		ddci_buf_fail(out, DDCI_ENOMEM);
	free(clean);
}

int ddci_html_escape(struct ddci_buf *out, const char *s)
{
	escape(out, s, 0);
	return ddci_buf_error(out);
}

int ddci_html_escape_wrap(struct ddci_buf *out, const char *s)
{
	escape(out, s, 1);
	return ddci_buf_error(out);
}

static void svg_open(struct ddci_buf *out, const struct ddci_chart *c, int height)
{
	char lim[48];

	ddci_buf_addf(out, "<svg class=\"chart%s\" width=\"100%%\" height=\"%d\" font-family=\"system-ui, sans-serif\" "
			   "font-size=\"12\" role=\"img\" aria-label=\"", c->ranked ? " ranked" : "", height);
	escape(out, c->title, 0);
	ddci_chart_format(lim, sizeof(lim), c->unit, c->threshold);
	if (c->threshold > 0)
		ddci_buf_addf(out, ", limit %s\" data-limit=\"%g", lim, c->threshold);
	ddci_buf_adds(out, "\" xmlns=\"http://www.w3.org/2000/svg\">\n");
}

/* Is a value over the limit (the limit is the first series'), or of a
 * series that counts failures? */
static int failing(const struct ddci_chart *c, const struct ddci_series *se, double v)
{
	if (se->tone == DDCI_TONE_FAIL)
		return v > 0;
	return se == &c->series[0] && c->threshold > 0 && v > c->threshold + 1e-9;
}

/* A ranked item's name from byte `skip` (after the common prefix), with
 * `lead` before it, shortened to fit a phone; on wide pages (the CSS swaps
 * them) a longer one.  The whole name is its tooltip. */
static void svg_name(struct ddci_buf *out, const char *full, size_t skip, int y, const char *lead, const char *cls,
		     const char *fill)
{
	char s[192], l[512];

	shorten(s, sizeof(s), full + skip, NAME_MAX - strlen(lead));
	shorten(l, sizeof(l), full + skip, NAME_WIDE - strlen(lead));
	ddci_buf_addf(out, "<text class=\"%s%s\" x=\"0\" y=\"%d\" font-size=\"13\" fill=\"%s\">%s", cls,
		      strcmp(s, l) ? " nm-s" : "", y, fill, lead);
	escape(out, s, 0);
	ddci_buf_adds(out, "<title>");
	escape(out, full, 0);
	ddci_buf_adds(out, "</title></text>\n");
	if (!strcmp(s, l))
		return;
	ddci_buf_addf(out, "<text class=\"%s nm-l\" display=\"none\" x=\"0\" y=\"%d\" font-size=\"13\" fill=\"%s\">%s",
		      cls, y, fill, lead);
	escape(out, l, 0);
	ddci_buf_adds(out, "<title>");
	escape(out, full, 0);
	ddci_buf_adds(out, "</title></text>\n");
}

/* Ranked items: per item its name on one line, under it a bar and the
 * value at the bar's end; the limit a dashed line across, labelled on top. */
static void svg_ranked(struct ddci_buf *out, const struct ddci_chart *c)
{
	const struct ddci_series *se = &c->series[0];
	size_t pre = common_prefix(c);
	int head = pre ? 20 : 0, top = head + (c->threshold > 0 ? 22 : 4), height = top + (int)c->nx * ROW_H;
	double vmax = max_value(c);
	char val[48], common[512];

	svg_open(out, c, height);
	if (pre) { /* "in tests/…/test_payments.py::TestSavedCards::" */
		snprintf(common, sizeof(common), "%.*s", (int)pre, c->x[0]);
		svg_name(out, common, 0, 14, "in ", "mu", C_MUTE);
	}
	for (size_t i = 0; i < c->nx; i++) {
		double v = isfinite(se->values[i]) && se->values[i] > 0 ? se->values[i] : 0;
		double w = vmax > 0 ? BAR_SPAN * v / vmax : 0;
		int y = top + (int)i * ROW_H, bad = failing(c, se, v);

		ddci_chart_format(val, sizeof(val), c->unit, se->values[i]);
		svg_name(out, c->x[i], pre, y + 14, "", "fg", C_FG);
		ddci_buf_addf(out, "<rect class=\"bar %s\" data-v=\"%g\" x=\"0\" y=\"%d\" width=\"%.3f%%\" "
				   "height=\"14\" rx=\"2\" fill=\"%s\"><title>",
			      bad ? "fail" : "neutral", v, y + 20, w, bad ? C_FAIL : C_NEUTRAL);
		escape(out, c->x[i], 0);
		ddci_buf_addf(out, ": %s%s</title></rect>\n<text class=\"fg\" x=\"%.3f%%\" dx=\"6\" y=\"%d\" fill=\"" C_FG
				   "\">%s</text>\n",
			      val, bad && se->tone != DDCI_TONE_FAIL ? ", over the limit" : "", w, y + 32, val);
	}
	if (c->threshold > 0) {
		double x = BAR_SPAN * c->threshold / vmax;
		ddci_chart_format(val, sizeof(val), c->unit, c->threshold);
		ddci_buf_addf(out, "<line class=\"lim\" x1=\"%.3f%%\" x2=\"%.3f%%\" y1=\"%d\" y2=\"%d\" stroke=\"" C_LIMIT
				   "\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n"
				   "<text class=\"liml\" x=\"%.3f%%\" dx=\"%d\" y=\"%d\" text-anchor=\"%s\" fill=\"" C_LIMIT
				   "\">limit %s</text>\n",
			      x, x, top - 4, height, x, x < 35 ? 4 : -4, head + 14, x < 35 ? "start" : "end", val);
	}
	ddci_buf_adds(out, "</svg>\n");
}

/* Which x labels a time series shows: from the last one back, as many as
 * fit the narrowest page without touching. */
static size_t label_step(const struct ddci_chart *c)
{
	size_t longest = 1, step;
	double slot = NARROW / (double)c->nx;

	for (size_t i = 0; i < c->nx; i++)
		if (c->x[i] && utf8_chars(c->x[i]) > longest)
			longest = utf8_chars(c->x[i]);
	step = (size_t)ceil((1.5 * (double)longest * CHAR_W + 12) / slot);
	return step ? step : 1;
}

static void svg_x_labels(struct ddci_buf *out, const struct ddci_chart *c, int y)
{
	size_t step = label_step(c);
	double slot = 100.0 / (double)c->nx;

	for (size_t k = 0; k * step < c->nx; k++) {
		size_t i = c->nx - 1 - k * step;
		double x = slot * ((double)i + 0.5), half = (double)utf8_chars(c->x[i] ? c->x[i] : "") * CHAR_W / 2;
		const char *anchor = "middle";

		if (i == c->nx - 1 && slot / 100 * NARROW / 2 < half) {
			anchor = "end";
			x = 100;
		} else if (x / 100 * NARROW < half) {
			anchor = "start";
			x = 0;
		}
		ddci_buf_addf(out, "<text class=\"mu\" x=\"%.3f%%\" y=\"%d\" text-anchor=\"%s\" fill=\"" C_MUTE "\">", x, y,
			      anchor);
		escape(out, c->x[i], 0);
		ddci_buf_adds(out, "</text>\n");
	}
}

/* The gridlines (labels 0), or their values (labels 1: drawn over the
 * data, with a halo). */
static void svg_grid(struct ddci_buf *out, const struct ddci_chart *c, double top, double step, int labels)
{
	char num[48];

	for (double v = 0; v <= top + step / 2; v += step) {
		double y = PLOT_TOP + PLOT_H - PLOT_H * v / top;
		ddci_chart_format(num, sizeof(num), v > 0 ? c->unit : DDCI_CHART_NUM, v);
		if (labels)
			ddci_buf_addf(out, "<text class=\"mu halo\" x=\"0\" y=\"%.1f\" fill=\"" C_MUTE "\" " HALO ">%s</text>\n",
				      y - 4, num);
		else
			ddci_buf_addf(out, "<line class=\"%s\" x1=\"0\" x2=\"100%%\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
				      v > 0 ? "grid" : "base", y, y, v > 0 ? C_LINE : C_MUTE);
	}
}

static void svg_columns(struct ddci_buf *out, const struct ddci_chart *c, const struct ddci_series *se, double top,
			double slot, double bw, double off)
{
	char val[48];

	for (size_t i = 0; i < c->nx; i++) {
		double v = se->values[i], h;
		int bad;

		if (!isfinite(v) || v <= 0)
			continue;
		h = PLOT_H * v / top;
		bad = failing(c, se, v);
		ddci_chart_format(val, sizeof(val), c->unit, v);
		ddci_buf_addf(out, "<rect class=\"bar %s\" data-v=\"%g\" x=\"%.3f%%\" y=\"%.1f\" width=\"%.3f%%\" "
				   "height=\"%.1f\" fill=\"%s\"><title>",
			      bad ? "fail" : "neutral", v, slot * (double)i + off, PLOT_TOP + PLOT_H - h, bw, h,
			      bad ? C_FAIL : C_NEUTRAL);
		escape(out, c->x[i], 0);
		ddci_buf_addf(out, ": %s</title></rect>\n", val);
	}
}

/* A line through the middle of each slot, broken where a value is missing,
 * and a dot per value (over the limit: the failure colour). */
static void svg_line(struct ddci_buf *out, const struct ddci_chart *c, const struct ddci_series *se, double top,
		     double slot)
{
	const char *stroke = se->tone == DDCI_TONE_FAIL ? C_FAIL : C_NEUTRAL;
	char val[48];

	for (size_t i = 0; i + 1 < c->nx; i++) {
		double a = se->values[i], b = se->values[i + 1];
		if (!isfinite(a) || !isfinite(b))
			continue;
		ddci_buf_addf(out, "<line class=\"ln%s\" x1=\"%.3f%%\" y1=\"%.1f\" x2=\"%.3f%%\" y2=\"%.1f\" stroke=\"%s\" "
				   "stroke-width=\"2\"/>\n",
			      se->tone == DDCI_TONE_FAIL ? "f" : "n", slot * ((double)i + 0.5), PLOT_TOP + PLOT_H - PLOT_H * a / top,
			      slot * ((double)i + 1.5), PLOT_TOP + PLOT_H - PLOT_H * b / top, stroke);
	}
	for (size_t i = 0; i < c->nx; i++) {
		double v = se->values[i];
		int bad;
		if (!isfinite(v))
			continue;
		bad = failing(c, se, v);
		ddci_chart_format(val, sizeof(val), c->unit, v);
		ddci_buf_addf(out, "<circle class=\"bar %s\" data-v=\"%g\" cx=\"%.3f%%\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>",
			      bad ? "fail" : "neutral", v, slot * ((double)i + 0.5), PLOT_TOP + PLOT_H - PLOT_H * v / top,
			      bad ? "4" : "3", bad ? C_FAIL : C_NEUTRAL);
		escape(out, c->x[i], 0);
		ddci_buf_addf(out, ": %s%s</title></circle>\n", val, bad && se->tone != DDCI_TONE_FAIL ? ", over the limit" : "");
	}
}

/* A time series: gridlines with their values on the left, columns and
 * lines, the limit dashed and labelled on the right, a few x labels. */
static void svg_series(struct ddci_buf *out, const struct ddci_chart *c)
{
	double top, step, slot = 100.0 / (double)c->nx;
	size_t nbars = 0, b = 0;
	int height = PLOT_TOP + PLOT_H + PLOT_BOTTOM;
	char lim[48];

	axis(c, &top, &step);
	for (size_t s = 0; s < c->nseries; s++)
		nbars += c->series[s].kind == DDCI_CHART_BAR;
	svg_open(out, c, height);
	svg_grid(out, c, top, step, 0);
	for (size_t s = 0; s < c->nseries; s++)
		if (c->series[s].kind == DDCI_CHART_BAR) {
			double bw = slot * 0.7 / (double)nbars;
			svg_columns(out, c, &c->series[s], top, slot, bw, slot * 0.15 + bw * (double)b++);
		}
	for (size_t s = 0; s < c->nseries; s++)
		if (c->series[s].kind == DDCI_CHART_LINE)
			svg_line(out, c, &c->series[s], top, slot);
	if (c->threshold > 0) {
		double y = PLOT_TOP + PLOT_H - PLOT_H * c->threshold / top;
		ddci_chart_format(lim, sizeof(lim), c->unit, c->threshold);
		ddci_buf_addf(out, "<line class=\"lim\" x1=\"0\" x2=\"100%%\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" C_LIMIT
				   "\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n"
				   "<text class=\"liml halo\" x=\"100%%\" y=\"%.1f\" text-anchor=\"end\" fill=\"" C_LIMIT "\" " HALO
				   ">limit %s</text>\n",
			      y, y, y - 5, lim);
	}
	svg_grid(out, c, top, step, 1);
	svg_x_labels(out, c, PLOT_TOP + PLOT_H + 18);
	ddci_buf_adds(out, "</svg>\n");
}

int ddci_chart_svg(struct ddci_buf *out, const struct ddci_chart *c)
{
	int rc;

	if ((rc = valid(c)) < 0)
		return rc;
	if (empty(c))
		ddci_buf_adds(out, "<p class=\"mute\">No data.</p>\n");
	else if (c->ranked)
		svg_ranked(out, c);
	else
		svg_series(out, c);
	return ddci_buf_error(out);
}

/* ---- tables ---- */

int ddci_chart_md_table(struct ddci_buf *out, const struct ddci_chart *c)
{
	char num[48];

	if (empty(c))
		return 0;
	ddci_buf_adds(out, c->ranked ? "\n| # | |" : "\n| |");
	for (size_t s = 0; s < c->nseries; s++)
		ddci_buf_addf(out, " %s |", c->series[s].name ? c->series[s].name : "");
	ddci_buf_adds(out, c->ranked ? "\n|---:|---|" : "\n|---|");
	for (size_t s = 0; s < c->nseries; s++)
		ddci_buf_adds(out, "---:|");
	for (size_t i = 0; i < c->nx; i++) {
		if (c->ranked)
			ddci_buf_addf(out, "\n| %zu | ", i + 1);
		else
			ddci_buf_adds(out, "\n| ");
		add_san(out, c->x[i], DDCI_CHAN_MD);
		ddci_buf_adds(out, " |");
		for (size_t s = 0; s < c->nseries; s++) {
			ddci_chart_format(num, sizeof(num), s ? DDCI_CHART_NUM : c->unit, c->series[s].values[i]);
			ddci_buf_addf(out, " %s%s |", num,
				      !s && c->threshold > 0 && failing(c, &c->series[0], c->series[0].values[i]) ? " ✗" : "");
		}
	}
	ddci_buf_adds(out, "\n");
	return ddci_buf_error(out);
}

int ddci_chart_html_table(struct ddci_buf *out, const struct ddci_chart *c)
{
	char num[48];

	if (empty(c))
		return 0;
	ddci_buf_adds(out, c->ranked ? "<table><thead><tr><th class=\"n\">#</th><th></th>" : "<table><thead><tr><th></th>");
	for (size_t s = 0; s < c->nseries; s++) {
		ddci_buf_adds(out, "<th class=\"n\">");
		escape(out, c->series[s].name, 0);
		ddci_buf_adds(out, "</th>");
	}
	ddci_buf_adds(out, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < c->nx; i++) {
		if (c->ranked)
			ddci_buf_addf(out, "<tr><td class=\"n\">%zu</td><td>", i + 1);
		else
			ddci_buf_adds(out, "<tr><td>");
		escape(out, c->x[i], 1);
		ddci_buf_adds(out, "</td>");
		for (size_t s = 0; s < c->nseries; s++) {
			int over = !s && c->threshold > 0 && failing(c, &c->series[0], c->series[0].values[i]);
			ddci_chart_format(num, sizeof(num), s ? DDCI_CHART_NUM : c->unit, c->series[s].values[i]);
			ddci_buf_addf(out, "<td class=\"n%s\">%s%s</td>", over ? " bad" : "", num, over ? " ✗ over" : "");
		}
		ddci_buf_adds(out, "</tr>\n");
	}
	ddci_buf_adds(out, "</tbody></table>\n");
	return ddci_buf_error(out);
}

int ddci_chart_md(struct ddci_buf *out, const struct ddci_chart *c)
{
	int rc;

	if ((rc = ddci_chart_mermaid(out, c)) < 0)
		return rc;
	return ddci_chart_md_table(out, c);
}

int ddci_chart_html(struct ddci_buf *out, const struct ddci_chart *c)
{
	int rc;

	if ((rc = ddci_chart_svg(out, c)) < 0)
		return rc;
	if (empty(c))
		return 0;
	ddci_buf_adds(out, "<details><summary>The numbers</summary>\n");
	if ((rc = ddci_chart_html_table(out, c)) < 0)
		return rc;
	ddci_buf_adds(out, "</details>\n");
	return ddci_buf_error(out);
}

/* ---- the page ---- */

static const char css[] =
	":root{color-scheme:light dark;--fg:" C_FG ";--bg:" C_BG ";--mute:" C_MUTE ";--line:" C_LINE ";--pass:" C_PASS
	";--fail:" C_FAIL ";--neutral:" C_NEUTRAL ";--limit:" C_LIMIT "}"
	"@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mute:#9198a1;--line:#3d444d;"
	"--pass:#3fb950;--fail:#f85149;--neutral:#4493f8;--limit:#d29922}}"
	"*{box-sizing:border-box}"
	"body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);background:var(--bg);"
	"margin:0 auto;padding:16px;max-width:980px}"
	"h1{font-size:1.5em;line-height:1.25;margin:0 0 8px;overflow-wrap:anywhere}"
	"h2{font-size:1.2em;line-height:1.3;margin:32px 0 4px}"
	".verdict{--v:var(--neutral);border:2px solid var(--v);border-left-width:8px;border-radius:6px;"
	"padding:8px 16px;margin:8px 0 16px}"
	".verdict.v-ok{--v:var(--pass)}.verdict.v-bad{--v:var(--fail)}"
	".verdict p{margin:0;display:flex;align-items:center;gap:8px}"
	".verdict strong{color:var(--v);font-size:1.6em;line-height:1.2}"
	".verdict ul{margin:4px 0 0;padding-left:20px;overflow-wrap:anywhere}"
	"svg .vi{fill:var(--v)}"
	"table{border-collapse:collapse;margin:8px 0;font-size:14px}"
	"th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;"
	"overflow-wrap:anywhere}"
	"th{font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"td:not(:first-child),th:not(:first-child){white-space:nowrap;overflow-wrap:normal}"
	"td small{color:var(--mute);font-size:13px}"
	".sub,.mute{color:var(--mute)}.sub{margin:0 0 8px}"
	".bad{color:var(--fail);font-weight:600}.good{color:var(--pass)}.warn{color:var(--limit)}"
	"p.trend{margin:0 0 8px}"
	"svg.chart{display:block;margin:8px 0}"
	"svg .fg{fill:var(--fg)}svg .mu{fill:var(--mute)}svg .halo{stroke:var(--bg)}"
	"svg .grid{stroke:var(--line)}svg .base{stroke:var(--mute)}"
	"svg .neutral{fill:var(--neutral)}svg .fail{fill:var(--fail)}"
	"svg .lnn{stroke:var(--neutral)}svg .lnf{stroke:var(--fail)}"
	"svg .lim{stroke:var(--limit)}svg .liml{fill:var(--limit)}"
	"@media (min-width:880px){svg .nm-s{display:none}svg .nm-l{display:inline}}"
	"details{margin:0 0 8px}summary{color:var(--mute);cursor:pointer;font-size:14px}"
	"code{font-size:.9em;overflow-wrap:anywhere}"
	"footer{color:var(--mute);font-size:14px;margin-top:32px}"
	"@media (max-width:640px){body{padding:12px 16px}"
	"table.rows thead{display:none}table.rows,table.rows tbody,table.rows tr,table.rows td,table.rows th"
	"{display:block;border:0;padding:0;text-align:left}"
	"table.rows tr{border-bottom:1px solid var(--line);padding:6px 0}"
	"table.rows td[data-label]::before{content:attr(data-label) \": \";color:var(--mute)}}"
	"@media print{body{max-width:none;padding:0}h2{break-after:avoid}svg.chart{break-inside:avoid}"
	"details{display:none}}";

/* The verdict's icon: a disc in its colour with a tick, a cross or an i. */
static void icon(struct ddci_buf *out, int ok)
{
	const char *fill = ok < 0 ? C_NEUTRAL : ok ? C_PASS : C_FAIL;
	const char *mark = ok < 0 ? "M12 7v1M12 11v6"
			   : ok  ? "M7 12.5l3.5 3.5 6.5-7"
				 : "M8 8l8 8M16 8l-8 8";

	ddci_buf_addf(out, "<svg class=\"icon\" width=\"28\" height=\"28\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" "
			   "xmlns=\"http://www.w3.org/2000/svg\"><circle class=\"vi\" cx=\"12\" cy=\"12\" r=\"11\" fill=\"%s\"/>"
			   "<path d=\"%s\" fill=\"none\" stroke=\"#ffffff\" stroke-width=\"2.5\" stroke-linecap=\"round\" "
			   "stroke-linejoin=\"round\"/></svg>",
		      fill, mark);
}

int ddci_html_begin(struct ddci_buf *out, const char *title, int ok, const char *verdict, const char *reason)
{
	const char *p = reason ? reason : "";

	ddci_buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
			   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>");
	escape(out, title, 0);
	ddci_buf_addf(out, "</title>\n<style>%s</style></head><body>\n<header>\n<h1>", css);
	escape(out, title, 0);
	ddci_buf_addf(out, "</h1>\n<div class=\"verdict v-%s\" role=\"status\">\n<p>", ok < 0 ? "info" : ok ? "ok" : "bad");
	icon(out, ok);
	ddci_buf_adds(out, " <strong id=\"verdict\">");
	escape(out, verdict, 0);
	ddci_buf_adds(out, "</strong></p>\n<ul>\n");
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1), p);
		if (*line) {
			ddci_buf_adds(out, "<li>");
			escape(out, line, 0);
			ddci_buf_adds(out, "</li>\n");
		}
		p += len + (eol ? 1 : 0);
	}
	ddci_buf_adds(out, "</ul>\n</div>\n</header>\n<main>\n");
	return ddci_buf_error(out);
}

int ddci_html_section(struct ddci_buf *out, const char *heading)
{
	ddci_buf_adds(out, "<h2>");
	escape(out, heading, 0);
	ddci_buf_adds(out, "</h2>\n");
	return ddci_buf_error(out);
}

int ddci_html_end(struct ddci_buf *out)
{
	ddci_buf_adds(out, "</main>\n<footer><p>Generated by ddci ");
	escape(out, ddci_version(), 0);
	ddci_buf_adds(out, ".</p></footer>\n</body></html>\n");
	return ddci_buf_error(out);
}

void ddci_chart_time_label(char *buf, size_t size, int64_t ms, int with_time)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char ts[40];
	int m;

	ddci_time_format_rfc3339(ts, sizeof(ts), ms * 1000000);
	m = (ts[5] - '0') * 10 + (ts[6] - '0');
	if (with_time)
		snprintf(buf, size, "%.5s", ts + 11);
	else
		snprintf(buf, size, "%s %d", m >= 1 && m <= 12 ? mon[m - 1] : "?", (ts[8] - '0') * 10 + (ts[9] - '0'));
}
