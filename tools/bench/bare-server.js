#!/usr/bin/env node
'use strict';
// The baseline for `npm run bench`: the least a Fastify 5 server can do to answer the benchmark's
// JSON-RPC call: the same framework and the same JSON reply as the Junction gateway, but
// Fastify's default JSON parser, and no validation, auth, limits, proxy chain, transport or
// provider: the arithmetic is done inline.
// Junction's number is read as a ratio against this one, measured in the same run.
//
// usage: node tools/bench/bare-server.js [port]     (or env PORT; 0 or nothing = any free port)
// Prints `bare: POST http://127.0.0.1:<port>/rpc` once listening (embedded.js waits for it).

const fastify = require('fastify');

// When started by embedded.js over an IPC channel, exit as soon as that channel closes, so this
// server never outlives the bench even if the bench itself is killed with SIGKILL.
require('./exit-with-parent');

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`bare-server: invalid port "${process.argv[2] ?? process.env.PORT}"`);
  process.exit(2);
}

// logger: false, as Junction runs with JUNCTION_LOG_LEVEL=warn and logs nothing per request.
const app = fastify({ logger: false });

app.post('/rpc', async (request) => {
  // Fastify's default JSON parser has already parsed the body (the gateway uses a stricter one).
  const body = request.body;
  if (body === null || typeof body !== 'object' || body.jsonrpc !== '2.0' || typeof body.method !== 'string') {
    return { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null };
  }
  if (body.method !== 'calc.subtract') {
    return { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: body.id ?? null };
  }
  // Params by position ([minuend, subtrahend]) or by name, as calc.subtract accepts them.
  const p = body.params;
  const [minuend, subtrahend] = Array.isArray(p) ? p : [p?.minuend, p?.subtrahend];
  if (typeof minuend !== 'number' || typeof subtrahend !== 'number') {
    return { jsonrpc: '2.0', error: { code: -32602, message: 'Invalid params' }, id: body.id ?? null };
  }
  return { jsonrpc: '2.0', result: minuend - subtrahend, id: body.id ?? null };
});

app.listen({ host, port }).then(
  () => {
    const { address, port: actual } = app.server.address();
    console.log(`bare: POST http://${address}:${actual}/rpc`);
  },
  (err) => {
    console.error(`bare-server: cannot listen on ${host}:${port}: ${err.message}`);
    process.exit(1);
  },
);

// Close the listening socket on SIGTERM/SIGINT so the parent sees a clean exit.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0), () => process.exit(1));
  });
}
