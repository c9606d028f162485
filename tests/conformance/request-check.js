#!/usr/bin/env node
// tests/conformance/request-check.js SPEC.yaml < requests
//
// What Prism's request validator leaves out, checked against the OpenAPI
// spec: the query parameters with bracketed names (filter[from],
// page[limit]), and request-body members no schema declares (an invented
// page.cursor passes Prism, since the schemas allow additional properties).
// Input lines: "CASE<TAB>{"method","url","body"}" (record.js's log).
// Output: one line per problem, "CASE<TAB>METHOD PATH: message"; nothing
// when every request is valid.  Query checks: the operation exists, every
// parameter is one it declares, required ones are present, each value fits
// its schema (integer with minimum/maximum, string date-time, enum, boolean).
'use strict';
const fs = require('fs');
const path = require('path');
const yaml = require(path.join(__dirname, 'node_modules', 'js-yaml'));

const spec = yaml.load(fs.readFileSync(process.argv[2], 'utf8'));

function deref(o) {
	while (o && o.$ref) {
		o = o.$ref.replace(/^#\//, '').split('/').reduce((a, k) => a[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
	}
	return o;
}

// Path templates as regular expressions, most literal first.
const routes = Object.keys(spec.paths).map((p) => ({
	p,
	re: new RegExp('^' + p.replace(/[.*+?^$()|\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
	literal: p.replace(/\{[^}]+\}/g, '').length,
})).sort((a, b) => b.literal - a.literal);

const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function checkValue(name, value, schema) {
	schema = deref(schema) || {};
	const t = schema.type;
	if (schema.enum && !schema.enum.includes(t === 'integer' || t === 'number' ? Number(value) : value))
		return `${name}=${value}: not one of ${schema.enum.join(', ')}`;
	if (t === 'integer') {
		if (!/^-?\d+$/.test(value))
			return `${name}=${value}: not an integer`;
		const n = BigInt(value);
		if (schema.minimum !== undefined && n < BigInt(schema.minimum))
			return `${name}=${value}: below the minimum ${schema.minimum}`;
		if (schema.maximum !== undefined && n > BigInt(schema.maximum))
			return `${name}=${value}: above the maximum ${schema.maximum}`;
	} else if (t === 'number') {
		if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value))
			return `${name}=${value}: not a number`;
	} else if (t === 'boolean') {
		if (value !== 'true' && value !== 'false')
			return `${name}=${value}: not a boolean`;
	} else if (t === 'string') {
		if (schema.format === 'date-time' && !rfc3339.test(value))
			return `${name}=${value}: not an RFC 3339 date-time (format: date-time)`;
		if (schema.maxLength !== undefined && value.length > schema.maxLength)
			return `${name}=${value}: longer than ${schema.maxLength}`;
		if (schema.pattern && !new RegExp(schema.pattern).test(value))
			return `${name}=${value}: does not match ${schema.pattern}`;
	}
	return null;
}

// Members of `value` that `schema` does not declare, as "a.b.c" paths.
function unknownMembers(value, schema, at) {
	schema = deref(schema);
	if (!schema || value === null || typeof value !== 'object')
		return [];
	for (const key of ['oneOf', 'anyOf']) {
		if (schema[key]) {
			const tries = schema[key].map((s) => unknownMembers(value, s, at));
			return tries.reduce((a, b) => (b.length < a.length ? b : a));
		}
	}
	if (Array.isArray(value))
		return schema.items ? value.flatMap((v, i) => unknownMembers(v, schema.items, `${at}[${i}]`)) : [];
	let props = schema.properties;
	if (schema.allOf)
		props = Object.assign({}, ...schema.allOf.map((s) => deref(s).properties || {}), props || {});
	if (!props)
		return [];
	const out = [];
	for (const [k, v] of Object.entries(value)) {
		const p = at ? `${at}.${k}` : k;
		if (props[k])
			out.push(...unknownMembers(v, props[k], p));
		else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
			out.push(...unknownMembers(v, schema.additionalProperties, p));
		else if (schema.additionalProperties !== true)
			out.push(p);
	}
	return out;
}

function check(method, url, body) {
	const u = new URL(url);
	const route = routes.find((r) => r.re.test(u.pathname));
	if (!route)
		return [`no such path in the spec`];
	const item = spec.paths[route.p];
	const op = item[method.toLowerCase()];
	if (!op)
		return [`no ${method} operation on ${route.p}`];
	const params = [...(item.parameters || []), ...(op.parameters || [])].map(deref).filter((p) => p.in === 'query');
	const byName = new Map(params.map((p) => [p.name, p]));
	const seen = new Set();
	const problems = [];
	for (const [name, value] of u.searchParams) {
		const p = byName.get(name);
		if (!p) {
			problems.push(`${name}: not a query parameter of ${op.operationId}`);
			continue;
		}
		seen.add(name);
		const why = checkValue(name, value, p.schema);
		if (why)
			problems.push(why);
	}
	for (const p of params)
		if (p.required && !seen.has(p.name))
			problems.push(`${p.name}: required by ${op.operationId}, missing`);
	const media = op.requestBody && (deref(op.requestBody).content || {})['application/json'];
	if (body && media) {
		let doc;
		try {
			doc = JSON.parse(body);
		} catch (e) {
			return [...problems, `the body is not JSON: ${e.message}`];
		}
		for (const p of unknownMembers(doc, media.schema, ''))
			problems.push(`body member ${p}: not in the ${op.operationId} request schema`);
	}
	return problems;
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
	for (const line of input.split('\n')) {
		if (!line.trim())
			continue;
		const tab = line.indexOf('\t');
		const name = line.slice(0, tab);
		const r = JSON.parse(line.slice(tab + 1));
		const url = new URL(r.url, 'http://127.0.0.1');
		for (const why of check(r.method, url.href, r.body))
			process.stdout.write(`${name}\t${r.method} ${url.pathname}: ${why}\n`);
	}
});
