#!/usr/bin/env node
// tests/conformance/record.js PORT_FILE TARGET_PORT LOG — a recording proxy
// in front of Prism: listens on a free loopback port (written to PORT_FILE),
// appends each request as one JSON line {method,url,body} to LOG before
// forwarding it to 127.0.0.1:TARGET_PORT, and relays the answer.
'use strict';
const fs = require('fs');
const http = require('http');
const [portFile, target, logFile] = process.argv.slice(2);

const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const body = Buffer.concat(chunks);
		fs.appendFileSync(logFile, JSON.stringify({ method: req.method, url: req.url, body: body.toString('utf8') }) + '\n');
		const up = http.request({ host: '127.0.0.1', port: Number(target), method: req.method, path: req.url, headers: req.headers },
			(r) => {
				res.writeHead(r.statusCode, r.headers);
				r.pipe(res);
			});
		up.on('error', (e) => {
			res.writeHead(502, { 'content-type': 'text/plain' });
			res.end(String(e));
		});
		up.end(body);
	});
});
server.listen(0, '127.0.0.1', () => fs.writeFileSync(portFile, String(server.address().port)));
