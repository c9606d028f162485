#!/usr/bin/env node
// tests/ci/gh-sim.js — runs a composite action, or one job of a workflow, the
// way a GitHub runner does, for the bats tests:
//
//   node gh-sim.js ACTION_DIR INPUTS_JSON OUTPUTS_JSON_FILE
//   node gh-sim.js --workflow FILE JOB OUTPUTS_JSON_FILE
//
// What it does like the runner:
// - inputs get their action.yml defaults; `required:` is NOT enforced (GitHub
//   does not enforce it on composite actions, actions/runner#1070): a missing
//   input is '';
// - `if:` conditions (success(), failure(), always(), cancelled(), ==, !=,
//   &&, ||, !, case-insensitive string compare), skipped steps after a
//   failure, `${{ }}` in env:, with: and (workflows only) run:, for the
//   contexts inputs, steps (outputs, outcome), secrets (GH_SIM_SECRETS, JSON),
//   github (GITHUB_* variables; github.event from GH_SIM_EVENT, JSON), env,
//   vars (GH_SIM_VARS), runner, job;
// - GITHUB_OUTPUT, GITHUB_ENV and GITHUB_PATH files per step, read after it
//   (GITHUB_ENV/GITHUB_PATH lines also appended to the caller's files when
//   GITHUB_ENV/GITHUB_PATH are set), GITHUB_ACTION_PATH;
// - `run:` as `bash --noprofile --norc -eo pipefail FILE` in the working
//   directory;
// - `uses: OWNER/REPO/actions/NAME@REF` runs $GH_SIM_ACTIONS/NAME (the
//   actions of this checkout); actions/cache/restore and actions/cache/save
//   keep `path` in $GH_SIM_CACHE/<key>.tar (no cache dir: skipped); other
//   `uses:` (actions/checkout, upload-artifact, ...) are skipped.
// A fresh runner: GH_SIM_ROOT=DIR runs each step through GH_SIM_WRAP (a JSON
// array, e.g. a chroot command) with paths inside DIR seen from inside it,
// in GH_SIM_WORKDIR. Composite actions must not use `${{ }}` inside run:
// (inputs go through env:). Exit status: the first failing step's, else 0.
// Any other `${{ }}` expression is an error, so a test notices an action
// relying on something this simulation does not do.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const yaml = require("js-yaml");

function fail(msg) {
	process.stderr.write(`gh-sim: ${msg}\n`);
	process.exit(2);
}
const json = (name) => (process.env[name] ? JSON.parse(process.env[name]) : {});

const ROOT = process.env.GH_SIM_ROOT ? path.resolve(process.env.GH_SIM_ROOT) : "";
const WRAP = process.env.GH_SIM_WRAP ? JSON.parse(process.env.GH_SIM_WRAP) : [];
const CACHE = process.env.GH_SIM_CACHE || "";
const inside = (p) => (ROOT && p.startsWith(ROOT + "/") ? p.slice(ROOT.length) : p);
const tmpBase = ROOT ? path.join(ROOT, "tmp") : require("os").tmpdir();
const tmp = fs.mkdtempSync(path.join(tmpBase, "gh-sim-"));
// in a fresh runner's root the steps run as its user: the files are theirs too
if (ROOT) fs.chmodSync(tmp, 0o777);
let fileSeq = 0;

// ---- expressions -------------------------------------------------------
function tokenize(src) {
	const toks = [];
	const re = /\s*(?:('(?:[^']|'')*')|(==|!=|&&|\|\||[!(),])|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_.*-]*))/y;
	let m;
	re.lastIndex = 0;
	while (re.lastIndex < src.length) {
		const at = re.lastIndex;
		if (/^\s*$/.test(src.slice(at))) break;
		if (!(m = re.exec(src))) fail(`cannot parse expression '${src}' at ${at}`);
		if (m[1] !== undefined) toks.push({ t: "str", v: m[1].slice(1, -1).replace(/''/g, "'") });
		else if (m[2] !== undefined) toks.push({ t: "op", v: m[2] });
		else if (m[3] !== undefined) toks.push({ t: "num", v: Number(m[3]) });
		else toks.push({ t: "id", v: m[4] });
	}
	return toks;
}

function evaluate(src, ctx) {
	const toks = tokenize(src);
	let i = 0;
	const peek = () => toks[i];
	const eat = (v) => {
		if (!toks[i] || toks[i].v !== v) fail(`expected '${v}' in '${src}'`);
		i++;
	};
	const truthy = (v) => !(v === "" || v === 0 || v === null || v === undefined || v === false);
	const eq = (a, b) => String(a ?? "").toLowerCase() === String(b ?? "").toLowerCase();
	function primary() {
		const t = toks[i++];
		if (!t) fail(`unexpected end of '${src}'`);
		if (t.t === "str" || t.t === "num") return t.v;
		if (t.v === "!") return !truthy(primary());
		if (t.v === "(") {
			const v = or();
			eat(")");
			return v;
		}
		if (t.t !== "id") fail(`unexpected '${t.v}' in '${src}'`);
		if (t.v === "true") return true;
		if (t.v === "false") return false;
		if (t.v === "null") return null;
		if (peek() && peek().v === "(") {
			eat("(");
			const args = [];
			while (peek() && peek().v !== ")") {
				args.push(or());
				if (peek() && peek().v === ",") eat(",");
			}
			eat(")");
			return call(t.v, args, ctx);
		}
		return lookup(t.v, ctx);
	}
	function cmp() {
		let v = primary();
		while (peek() && (peek().v === "==" || peek().v === "!=")) {
			const op = toks[i++].v;
			const r = primary();
			v = op === "==" ? eq(v, r) : !eq(v, r);
		}
		return v;
	}
	function and() {
		let v = cmp();
		while (peek() && peek().v === "&&") {
			i++;
			const r = cmp();
			v = truthy(v) ? r : v;
		}
		return v;
	}
	function or() {
		let v = and();
		while (peek() && peek().v === "||") {
			i++;
			const r = and();
			v = truthy(v) ? v : r;
		}
		return v;
	}
	const v = or();
	if (i !== toks.length) fail(`trailing tokens in '${src}'`);
	return { value: v, truthy: truthy(v) };
}

function call(name, args, ctx) {
	switch (name) {
		case "success":
			return ctx.job.failed === 0;
		case "failure":
			return ctx.job.failed !== 0;
		case "always":
			return true;
		case "cancelled":
			return false;
		case "format":
			return String(args[0]).replace(/\{(\d+)\}/g, (_, n) => String(args[1 + Number(n)] ?? ""));
		case "contains":
			return String(args[0]).toLowerCase().includes(String(args[1]).toLowerCase());
		case "startsWith":
			return String(args[0]).toLowerCase().startsWith(String(args[1]).toLowerCase());
		default:
			fail(`unsupported function '${name}'`);
	}
	return "";
}

function lookup(dotted, ctx) {
	const [head, ...rest] = dotted.split(".");
	let obj;
	switch (head) {
		case "inputs":
			if (!ctx.inputs) fail(`'${dotted}' outside an action`);
			if (!(rest[0] in ctx.inputs)) fail(`unknown input '${rest[0]}' in '${dotted}'`);
			obj = ctx.inputs;
			break;
		case "steps":
			obj = ctx.steps;
			break;
		case "secrets":
			if (ctx.inputs) fail(`'${dotted}': actions get no secrets context`);
			obj = json("GH_SIM_SECRETS");
			break;
		case "vars":
			obj = json("GH_SIM_VARS");
			break;
		case "env":
			obj = { ...process.env, ...ctx.job.env };
			break;
		case "job":
			obj = { status: ctx.job.failed ? "failure" : "success" };
			break;
		case "runner":
			obj = { os: "Linux", arch: "X64", temp: process.env.RUNNER_TEMP || "", tool_cache: process.env.RUNNER_TOOL_CACHE || "" };
			break;
		case "github": {
			obj = {};
			for (const [k, v] of Object.entries(process.env))
				if (k.startsWith("GITHUB_")) obj[k.slice(7).toLowerCase()] = v;
			obj.event = json("GH_SIM_EVENT");
			if (ctx.actionDir) obj.action_path = inside(ctx.actionDir);
			break;
		}
		default:
			fail(`unsupported expression '${dotted}'`);
	}
	for (const k of rest) obj = obj == null ? undefined : obj[k];
	return obj === undefined ? "" : obj;
}

function interpolate(text, ctx) {
	return String(text).replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, expr) => {
		const v = evaluate(expr, ctx).value;
		return v === null || v === undefined ? "" : String(v);
	});
}

function condition(ifText, ctx) {
	if (ifText === undefined) return ctx.job.failed === 0;
	let expr = String(ifText).trim();
	const m = /^\$\{\{([\s\S]*)\}\}$/.exec(expr);
	if (m) expr = m[1].trim();
	if (!/\b(success|failure|always|cancelled)\s*\(/.test(expr)) expr = `success() && (${expr})`;
	return evaluate(expr, ctx).truthy;
}

// ---- runner files --------------------------------------------------------
// parseFile FILE — name=value lines and name<<DELIM heredocs.
function parseFile(file) {
	const out = {};
	if (!fs.existsSync(file)) return out;
	const lines = fs.readFileSync(file, "utf8").split("\n");
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		if (!line) continue;
		const h = /^([^=<]+)<<(.+)$/.exec(line);
		if (h) {
			const value = [];
			for (i++; i < lines.length && lines[i] !== h[2]; i++) value.push(lines[i]);
			if (i >= lines.length) fail(`unterminated ${h[1]}<<${h[2]} in ${path.basename(file)}`);
			out[h[1]] = value.join("\n");
			continue;
		}
		const eq = line.indexOf("=");
		if (eq <= 0) fail(`bad line '${line}' in ${path.basename(file)}`);
		out[line.slice(0, eq)] = line.slice(eq + 1);
	}
	return out;
}

function newFile(name) {
	const p = path.join(tmp, `${name}-${++fileSeq}`);
	fs.writeFileSync(p, "");
	if (ROOT) fs.chmodSync(p, 0o666);
	return p;
}

// ---- steps ----------------------------------------------------------------
function runScript(step, ctx, script) {
	const env = { ...process.env, ...ctx.job.env };
	if (ctx.job.path.length) env.PATH = [...ctx.job.path].reverse().join(":") + ":" + env.PATH;
	for (const [k, v] of Object.entries(step.env || {})) env[k] = interpolate(v, ctx);
	const files = { GITHUB_OUTPUT: newFile("output"), GITHUB_ENV: newFile("env"), GITHUB_PATH: newFile("path") };
	for (const [k, p] of Object.entries(files)) env[k] = inside(p);
	if (ctx.actionDir) env.GITHUB_ACTION_PATH = inside(ctx.actionDir);
	const file = newFile("step");
	fs.writeFileSync(file, script);
	const cwd = ROOT ? process.env.GH_SIM_WORKDIR || "/" : process.cwd();
	const argv = [...WRAP, "sh", "-c", 'cd "$1" && shift && exec "$@"', "sh", cwd,
		"bash", "--noprofile", "--norc", "-eo", "pipefail", inside(file)];
	const r = spawnSync(argv[0], argv.slice(1), { env, stdio: "inherit" });
	const status = r.status === null ? 128 : r.status;
	// the runner applies GITHUB_ENV / GITHUB_PATH to the steps after this one
	const added = parseFile(files.GITHUB_ENV);
	Object.assign(ctx.job.env, added);
	const paths = fs.readFileSync(files.GITHUB_PATH, "utf8").split("\n").filter(Boolean);
	ctx.job.path.push(...paths);
	if (process.env.GITHUB_ENV) fs.appendFileSync(process.env.GITHUB_ENV, fs.readFileSync(files.GITHUB_ENV));
	if (process.env.GITHUB_PATH) fs.appendFileSync(process.env.GITHUB_PATH, fs.readFileSync(files.GITHUB_PATH));
	return { status, outputs: parseFile(files.GITHUB_OUTPUT) };
}

function cacheStep(kind, withs) {
	if (!CACHE) return { status: 0, outputs: {} };
	const file = path.join(CACHE, `${withs.key.replace(/[^A-Za-z0-9._-]/g, "_")}.tar`);
	const rel = path.relative("/", path.resolve("/", withs.path));
	const base = ROOT || "/";
	if (kind === "restore") {
		if (!fs.existsSync(file)) {
			console.log(`Cache not found for input keys: ${withs.key}`);
			return { status: 0, outputs: { "cache-hit": "false" } };
		}
		const r = spawnSync("tar", ["-C", base, "-xf", file], { stdio: "inherit" });
		console.log(`Cache restored from key: ${withs.key}`);
		return { status: r.status, outputs: { "cache-hit": "true", "cache-matched-key": withs.key } };
	}
	if (fs.existsSync(file)) {
		console.log(`::warning::Cache save failed: a cache with key ${withs.key} exists`);
		return { status: 0, outputs: {} };
	}
	const r = spawnSync("tar", ["-C", base, "-cf", file + ".part", rel], { stdio: "inherit" });
	if (r.status === 0) {
		fs.renameSync(file + ".part", file);
		console.log(`Cache saved with key: ${withs.key}`);
	}
	return { status: r.status, outputs: {} };
}

function usesStep(step, ctx) {
	const withs = {};
	for (const [k, v] of Object.entries(step.with || {})) withs[k] = interpolate(v, ctx);
	const cache = /^actions\/cache\/(restore|save)@/.exec(step.uses);
	if (cache) return cacheStep(cache[1], withs);
	const local = /^[^/]+\/[^/]+\/actions\/([a-z0-9-]+)@/.exec(step.uses) || /^\.\/actions\/([a-z0-9-]+)$/.exec(step.uses);
	if (local && process.env.GH_SIM_ACTIONS) {
		const dir = path.join(process.env.GH_SIM_ACTIONS, local[1]);
		const r = runAction(dir, withs, ctx.job);
		return { status: r.status, outputs: r.outputs };
	}
	console.log(`gh-sim: skipping uses: ${step.uses}`);
	return { status: 0, outputs: {} };
}

function runSteps(steps, ctx) {
	steps.forEach((step, n) => {
		const id = step.id || `__step${n}`;
		if (!condition(step.if, ctx)) {
			ctx.steps[id] = { outputs: {}, outcome: "skipped", conclusion: "skipped" };
			return;
		}
		let r;
		if (step.uses) r = usesStep(step, ctx);
		else if (step.run !== undefined) {
			if (ctx.inputs && /\$\{\{/.test(step.run)) fail(`step ${n}: \${{ }} inside run: (pass it through env:)`);
			if ((step.shell || "bash") !== "bash") fail(`step ${n}: shell must be bash`);
			r = runScript(step, ctx, ctx.inputs ? step.run : interpolate(step.run, ctx));
		} else fail(`step ${n} has neither run nor uses`);
		const outcome = r.status === 0 ? "success" : "failure";
		ctx.steps[id] = { outputs: r.outputs, outcome, conclusion: outcome };
		if (r.status !== 0 && ctx.job.failed === 0) ctx.job.failed = r.status;
	});
}

// runAction DIR WITHS JOB — a composite action; returns its status and outputs.
function runAction(dir, given, job) {
	const actionDir = path.resolve(dir);
	const action = yaml.load(fs.readFileSync(path.join(actionDir, "action.yml"), "utf8"));
	if (!action.runs || action.runs.using !== "composite") fail("not a composite action");
	const inputs = {};
	for (const [name, spec] of Object.entries(action.inputs || {})) {
		if (Object.prototype.hasOwnProperty.call(given, name)) inputs[name] = String(given[name]);
		else inputs[name] = spec.default !== undefined ? String(spec.default) : "";
	}
	for (const name of Object.keys(given))
		if (!(name in inputs)) process.stdout.write(`::warning::Unexpected input '${name}'\n`);
	const before = job.failed;
	const ctx = { inputs, steps: {}, actionDir, job: { ...job, failed: 0, env: job.env, path: job.path } };
	runSteps(action.runs.steps, ctx);
	const outputs = {};
	for (const [name, spec] of Object.entries(action.outputs || {})) outputs[name] = interpolate(spec.value, ctx);
	job.failed = before;
	return { status: ctx.job.failed, outputs };
}

// ---- main -------------------------------------------------------------------
const argv = process.argv.slice(2);
let status = 0;
let result;
const job = { failed: 0, env: {}, path: [] };
if (argv[0] === "--workflow") {
	const [, file, jobName, outFile] = argv;
	if (!file || !jobName || !outFile) fail("usage: gh-sim.js --workflow FILE JOB OUTPUTS_JSON_FILE");
	const wf = yaml.load(fs.readFileSync(file, "utf8"));
	const j = (wf.jobs || {})[jobName];
	if (!j) fail(`no job '${jobName}' in ${file}`);
	const ctx = { inputs: null, steps: {}, actionDir: null, job };
	for (const [k, v] of Object.entries({ ...(wf.env || {}), ...(j.env || {}) })) job.env[k] = interpolate(v, ctx);
	runSteps(j.steps || [], ctx);
	status = job.failed;
	const steps = {};
	for (const [id, s] of Object.entries(ctx.steps)) if (!id.startsWith("__")) steps[id] = s;
	result = { steps };
	fs.writeFileSync(outFile, JSON.stringify(result));
} else {
	const [dir, inputsJson, outFile] = argv;
	if (!dir || !inputsJson || !outFile) fail("usage: gh-sim.js ACTION_DIR INPUTS_JSON OUTPUTS_JSON_FILE");
	const r = runAction(dir, JSON.parse(inputsJson), job);
	status = r.status;
	fs.writeFileSync(outFile, JSON.stringify(r.outputs));
}
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(status);
