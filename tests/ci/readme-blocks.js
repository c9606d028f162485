#!/usr/bin/env node
// tests/ci/readme-blocks.js FILE HEADING [N] — the fenced code blocks of the
// section of FILE (Markdown) whose heading text is HEADING, up to the next
// heading of the same or a higher level; prints block N (from 0) verbatim,
// or all of them as a JSON array without N. Exit 1 when there is no such
// section or block. The tests run the README's CI snippets through this, so
// the README and the tests cannot drift apart.
"use strict";
const fs = require("fs");
const [file, heading, n] = process.argv.slice(2);
if (!file || !heading) {
	process.stderr.write("usage: readme-blocks.js FILE HEADING [N]\n");
	process.exit(2);
}
const lines = fs.readFileSync(file, "utf8").split("\n");
let level = 0;
let fence = null;
let block = [];
const blocks = [];
for (const line of lines) {
	if (fence) {
		if (line.trimEnd() === fence) {
			if (level) blocks.push(block.join("\n") + "\n");
			fence = null;
		} else block.push(line);
		continue;
	}
	const f = /^(```+)/.exec(line);
	if (f) {
		fence = f[1];
		block = [];
		continue;
	}
	const h = /^(#+)\s+(.*?)\s*$/.exec(line);
	if (!h) continue;
	if (level && h[1].length <= level) break;
	if (h[2] === heading) level = h[1].length;
}
if (!level || !blocks.length) {
	process.stderr.write(`readme-blocks: no code blocks under '${heading}' in ${file}\n`);
	process.exit(1);
}
if (n === undefined) process.stdout.write(JSON.stringify(blocks) + "\n");
else if (blocks[Number(n)] === undefined) {
	process.stderr.write(`readme-blocks: '${heading}' has ${blocks.length} blocks, no block ${n}\n`);
	process.exit(1);
} else process.stdout.write(blocks[Number(n)]);
