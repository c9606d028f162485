#!/usr/bin/env node
// tests/ci/gh-sim.js — runs a composite action's `run` steps the way a GitHub
// runner does, for the bats tests:
//
//   node gh-sim.js ACTION_DIR INPUTS_JSON OUTPUTS_JSON_FILE
//
// Inputs get their action.yml defaults; a required input that is missing fails
// like on GitHub. Each `run` step gets its `env:` with `${{ inputs.x }}`,
// `${{ steps.id.outputs.x }}`, `${{ github.action_path }}` and
// `${{ runner.os }}` expressions resolved, GITHUB_ACTION_PATH and a fresh
// GITHUB_OUTPUT, and runs as `bash --noprofile --norc -eo pipefail` in the
// current directory. `uses:` steps are skipped (they need GitHub). The
// action's outputs are written as JSON to OUTPUTS_JSON_FILE. Exit status: the
// failing step's, else 0. Any other `${{ }}` expression is an error, so the
// tests notice an action relying on something this simulation does not do.
"use strict";
const fs = require("fs");
const path = require("path");
const os = require("os");
const { spawnSync } = require("child_process");
const yaml = require("js-yaml");

function fail(msg) {
	process.stderr.write(`gh-sim: ${msg}\n`);
	process.exit(2);
}

const [dir, inputsJson, outFile] = process.argv.slice(2);
if (!dir || !inputsJson || !outFile) fail("usage: gh-sim.js ACTION_DIR INPUTS_JSON OUTPUTS_JSON_FILE");
const actionDir = path.resolve(dir);
const action = yaml.load(fs.readFileSync(path.join(actionDir, "action.yml"), "utf8"));
const given = JSON.parse(inputsJson);
const inputs = {};
for (const [name, spec] of Object.entries(action.inputs || {})) {
	if (Object.prototype.hasOwnProperty.call(given, name)) inputs[name] = String(given[name]);
	else if (spec.default !== undefined) inputs[name] = String(spec.default);
	else if (spec.required) {
		process.stdout.write(`::error::Input required and not supplied: ${name}\n`);
		process.exit(1);
	} else inputs[name] = "";
}
for (const name of Object.keys(given))
	if (!(name in inputs)) process.stdout.write(`::warning::Unexpected input '${name}'\n`);

const steps = {};
function resolve(text) {
	return String(text).replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr) => {
		let m;
		if ((m = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expr))) {
			if (!(m[1] in inputs)) fail(`unknown input '${m[1]}' in '${expr}'`);
			return inputs[m[1]];
		}
		if ((m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expr)))
			return (steps[m[1]] || {})[m[2]] || "";
		if (expr === "github.action_path") return actionDir;
		if (expr === "runner.os") return "Linux";
		fail(`unsupported expression '${expr}'`);
		return "";
	});
}

// parseOutputFile FILE — name=value lines and name<<DELIM heredocs.
function parseOutputFile(file) {
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
			if (i >= lines.length) fail(`unterminated ${h[1]}<<${h[2]} in GITHUB_OUTPUT`);
			out[h[1]] = value.join("\n");
			continue;
		}
		const eq = line.indexOf("=");
		if (eq <= 0) fail(`bad GITHUB_OUTPUT line '${line}'`);
		out[line.slice(0, eq)] = line.slice(eq + 1);
	}
	return out;
}

if (!action.runs || action.runs.using !== "composite") fail("not a composite action");
let status = 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gh-sim-"));
action.runs.steps.forEach((step, n) => {
	if (status !== 0) return;
	if (step.uses) return;
	if (!step.run) fail(`step ${n} has neither run nor uses`);
	if (/\$\{\{/.test(step.run)) fail(`step ${n}: \${{ }} inside run: (pass it through env:)`);
	if (step.shell !== "bash") fail(`step ${n}: shell must be bash`);
	const env = { ...process.env };
	for (const [k, v] of Object.entries(step.env || {})) env[k] = resolve(v);
	const outPath = path.join(tmp, `output-${n}`);
	fs.writeFileSync(outPath, "");
	env.GITHUB_OUTPUT = outPath;
	env.GITHUB_ACTION_PATH = actionDir;
	const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
		env,
		stdio: "inherit",
	});
	status = r.status === null ? 128 : r.status;
	if (step.id) steps[step.id] = parseOutputFile(outPath);
});
const outputs = {};
for (const [name, spec] of Object.entries(action.outputs || {})) outputs[name] = resolve(spec.value);
fs.writeFileSync(outFile, JSON.stringify(outputs));
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(status);
