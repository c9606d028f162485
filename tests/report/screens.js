// tests/report/screens.js OUTDIR PAGE.html... — renders every report page
// in one headless Chromium (Debian's, through puppeteer; $CHROMIUM) at 1200
// and 390 px wide, in the light and the dark scheme and with Jenkins'
// default Content-Security-Policy (inline styles blocked); writes
// OUTDIR/<page>-<width>-<light|dark|csp>.png of each, and checks what a
// reader would see:
//   - no horizontal scrollbar;
//   - no text under 12 px (SVG text counted at its drawn size);
//   - no two pieces of text overlapping (their boxes from the DOM), and no
//     chart text cut off at the chart's edge;
//   - every text at least 4.5:1 contrast on its background;
//   - every bar or point of a chart with a limit in the failure colour
//     exactly when its value is over the limit;
//   - the verdict visible in the first screen (and, with the CSP, the
//     styles really blocked).
// Prints one line per problem and "N renders, M problems"; exit 1 on any.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const puppeteer = require('puppeteer');

// Jenkins' default (hudson.model.DirectoryBrowserSupport.CSP).
const JENKINS_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'self';";
const FAIL = { light: 'rgb(207, 34, 46)', dark: 'rgb(248, 81, 73)', csp: 'rgb(207, 34, 46)' };
const VIEWS = [
	{ width: 1200, height: 900 },
	{ width: 390, height: 844 },
];
const MODES = ['light', 'dark', 'csp'];

function serve(dir) {
	const server = http.createServer((req, res) => {
		const m = /^\/(csp|plain)\/([^/]+)$/.exec(decodeURIComponent(req.url));
		const file = m && path.join(dir, m[2]);
		if (!m || !fs.existsSync(file)) {
			res.writeHead(404);
			res.end();
			return;
		}
		const headers = { 'Content-Type': 'text/html; charset=utf-8' };
		if (m[1] === 'csp')
			headers['Content-Security-Policy'] = JENKINS_CSP;
		res.writeHead(200, headers);
		res.end(fs.readFileSync(file));
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Runs in the page: the problems a reader would see.
function inspect(failColour, csp) {
	const problems = [];
	const stats = { texts: 0, bars: 0, over: 0 };
	const de = document.documentElement;
	const short = (s) => JSON.stringify(s.trim().replace(/\s+/g, ' ').slice(0, 48));
	if (de.scrollWidth > de.clientWidth + 1)
		problems.push(`horizontal scrollbar: the page is ${de.scrollWidth} px wide in ${de.clientWidth} px`);
	if (csp && getComputedStyle(document.body).marginTop !== '8px')
		problems.push('the CSP did not block the page styles');

	const rgb = (s) => {
		const m = /rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/.exec(s || '');
		return m ? { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] } : null;
	};
	const lum = (c) => {
		const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
	};
	const background = (el) => {
		for (let e = el; e; e = e.parentElement) {
			const c = rgb(getComputedStyle(e).backgroundColor);
			if (c && c.a > 0.5)
				return c;
		}
		return { r: 255, g: 255, b: 255, a: 1 };
	};

	// Every piece of visible text: HTML text nodes (one box per line) and
	// SVG <text> elements (one box each).
	const items = [];
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const el = n.parentElement;
		if (!n.data.trim() || el.closest('title, style, script'))
			continue;
		const closed = el.closest('details:not([open])');
		if (closed && !el.closest('summary'))
			continue; // not shown

		const svgText = el.closest('text');
		let rects;
		if (svgText) {
			if (items.some((it) => it.el === svgText))
				continue;
			const r = svgText.getBoundingClientRect();
			rects = r.width > 0 ? [r] : [];
		} else {
			const range = document.createRange();
			range.selectNodeContents(n);
			rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
		}
		if (!rects.length)
			continue; // not rendered (a closed <details>)
		const owner = svgText || el;
		const cs = getComputedStyle(owner);
		let size = parseFloat(cs.fontSize);
		if (svgText) {
			const m = svgText.getScreenCTM();
			size *= Math.hypot(m.a, m.b);
		}
		stats.texts++;
		if (size < 11.95)
			problems.push(`text of ${size.toFixed(1)} px: ${short(owner.textContent)}`);
		const fg = rgb(svgText ? cs.fill : cs.color), bg = background(owner);
		if (fg) {
			const a = lum(fg), b = lum(bg), ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
			if (ratio < 4.5)
				problems.push(`contrast ${ratio.toFixed(2)}:1 of ${short(owner.textContent)} (${svgText ? cs.fill : cs.color} on rgb(${bg.r}, ${bg.g}, ${bg.b}))`);
		}
		if (svgText) {
			const box = svgText.ownerSVGElement.getBoundingClientRect(), r = rects[0];
			if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
				problems.push(`chart text cut off at the chart's edge: ${short(owner.textContent)}`);
		}
		items.push({ el: owner, rects, text: owner.textContent });
	}
	for (let i = 0; i < items.length; i++)
		for (let j = i + 1; j < items.length; j++)
			for (const a of items[i].rects)
				for (const b of items[j].rects) {
					const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
					const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
					if (w > 1 && h > 1)
						problems.push(`overlapping text: ${short(items[i].text)} and ${short(items[j].text)}`);
				}

	// Bars and points over the limit in the failure colour, the others not.
	for (const svg of document.querySelectorAll('svg.chart[data-limit]')) {
		const limit = parseFloat(svg.getAttribute('data-limit'));
		for (const el of svg.querySelectorAll('.bar[data-v]')) {
			const v = parseFloat(el.getAttribute('data-v')), over = v > limit + 1e-9;
			const red = getComputedStyle(el).fill === failColour;
			stats.bars++;
			stats.over += over;
			if (over !== red)
				problems.push(`${svg.getAttribute('aria-label')}: value ${v} ${over ? 'over' : 'within'} the limit ${limit} drawn in ${getComputedStyle(el).fill}`);
		}
	}

	// Every ranked bar with its name and its value in sight.
	for (const svg of document.querySelectorAll('svg.chart.ranked')) {
		const bars = svg.querySelectorAll('rect.bar').length;
		const shown = [...svg.querySelectorAll('text')].filter((t) => t.getBoundingClientRect().width > 0).length;
		if (shown < 2 * bars)
			problems.push(`${svg.getAttribute('aria-label')}: ${bars} bars but only ${shown} labels shown`);
	}

	// The verdict, in the first screen.
	const v = document.getElementById('verdict');
	if (!v) {
		problems.push('no verdict');
	} else {
		const r = v.getBoundingClientRect();
		if (!(r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight))
			problems.push(`the verdict is not in the first screen (top ${r.top}, bottom ${r.bottom} of ${window.innerHeight})`);
		stats.verdict = v.textContent;
	}
	return { problems, stats };
}

async function main() {
	const [outdir, ...pages] = process.argv.slice(2);
	if (!outdir || !pages.length) {
		console.error('usage: screens.js OUTDIR PAGE.html...');
		process.exit(2);
	}
	const dir = path.dirname(path.resolve(pages[0]));
	const server = await serve(dir);
	const base = `http://127.0.0.1:${server.address().port}`;
	const browser = await puppeteer.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
		protocolTimeout: 600000,
	});
	let renders = 0, nproblems = 0;
	try {
		const page = await browser.newPage();
		page.setDefaultNavigationTimeout(300000);
		for (const file of pages) {
			const name = path.basename(file, '.html');
			for (const view of VIEWS)
				for (const mode of MODES) {
					await page.setViewport({ width: view.width, height: view.height, deviceScaleFactor: 1 });
					await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: mode === 'dark' ? 'dark' : 'light' }]);
					await page.goto(`${base}/${mode === 'csp' ? 'csp' : 'plain'}/${encodeURIComponent(path.basename(file))}`,
						{ waitUntil: 'load' });
					const { problems, stats } = await page.evaluate(inspect, FAIL[mode], mode === 'csp');
					const png = path.join(outdir, `${name}-${view.width}-${mode}.png`);
					await page.screenshot({ path: png, fullPage: true });
					renders++;
					nproblems += problems.length;
					for (const p of problems)
						console.log(`${name} ${view.width}px ${mode}: ${p}`);
					console.log(`# ${path.basename(png)}: ${stats.texts} texts, ${stats.bars} bars/points checked ` +
						`(${stats.over} over the limit), verdict ${JSON.stringify(stats.verdict || '')}`);
				}
		}
	} finally {
		await browser.close();
		server.close();
	}
	console.log(`${renders} renders, ${nproblems} problems`);
	process.exit(nproblems ? 1 : 0);
}

main().catch((e) => {
	console.error(e && e.stack || e);
	process.exit(1);
});
