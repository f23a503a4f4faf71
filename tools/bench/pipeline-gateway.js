#!/usr/bin/env node
'use strict';
// The gateway half of `npm run bench:cluster`'s baseline: the least a Fastify 5 server can do to
// hand the benchmark's JSON-RPC call to a worker over RabbitMQ and answer with its reply. One
// route, POST /rpc: it publishes {method, params} to one queue with RabbitMQ's direct reply-to
// (`amq.rabbitmq.reply-to`, consumed no-ack on the publishing channel), matches the reply by
// correlationId and answers the JSON-RPC response. One connection with Nagle off, one channel.
// No validation beyond JSON-RPC's shape, auth, limits, proxy chain, envelope, consumer check or
// metrics. Junction's cluster is read as a ratio against this pipeline, measured in the same run.
//
// usage: node tools/bench/pipeline-gateway.js <amqp url> <queue> [port=0] [timeoutMs=30000]
// Prints `pipeline-gateway: POST http://127.0.0.1:<port>/rpc` once listening (cluster.js waits for it).

require('./exit-with-parent');
const amqp = require('amqplib');
const fastify = require('fastify');

const REPLY_TO = 'amq.rabbitmq.reply-to';
const [url, queue, portText = '0', timeoutText = '30000'] = process.argv.slice(2);
const port = Number(portText);
const timeoutMs = Number(timeoutText);
if (!url || !queue || !Number.isInteger(port) || port < 0 || port > 65535 || !(timeoutMs > 0)) {
  console.error('usage: node tools/bench/pipeline-gateway.js <amqp url> <queue> [port] [timeoutMs]');
  process.exit(2);
}
const host = process.env.HOST ?? '127.0.0.1';

/** Calls waiting for their reply, by correlationId. */
const pending = new Map();
let nextId = 0;
let stopping = false;

async function main() {
  // Nagle's algorithm off, as in Junction's transport: with it on, small messages wait ~40 ms.
  const conn = await amqp.connect(url, { noDelay: true });
  conn.on('error', (err) => console.error(`pipeline-gateway: connection error: ${err.message}`));
  conn.on('close', () => {
    if (!stopping) {
      console.error('pipeline-gateway: lost the connection to the broker');
      process.exit(1);
    }
  });
  const ch = await conn.createChannel();
  ch.on('error', (err) => console.error(`pipeline-gateway: channel error: ${err.message}`));
  // The worker declares it too: whichever starts first, the queue exists before the first publish.
  await ch.assertQueue(queue, { durable: true });
  // Direct reply-to: consume (no-ack) on the publishing channel before the first publish.
  await ch.consume(
    REPLY_TO,
    (msg) => {
      if (msg === null) return;
      const call = pending.get(msg.properties.correlationId);
      if (call === undefined) return; // its caller timed out already
      pending.delete(msg.properties.correlationId);
      clearTimeout(call.timer);
      call.resolve(msg.content);
    },
    { noAck: true },
  );

  // What the worker replied, or an error reply if it did not within timeoutMs.
  function call(method, params) {
    const correlationId = String(++nextId);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(correlationId);
        resolve(null);
      }, timeoutMs);
      pending.set(correlationId, { resolve, timer });
      ch.publish('', queue, Buffer.from(JSON.stringify({ method, params })), { correlationId, replyTo: REPLY_TO });
    });
  }

  // logger: false, as Junction runs with JUNCTION_LOG_LEVEL=warn and logs nothing per request.
  const app = fastify({ logger: false });
  app.post('/rpc', async (request) => {
    // Fastify's default JSON parser has already parsed the body.
    const body = request.body;
    if (body === null || typeof body !== 'object' || body.jsonrpc !== '2.0' || typeof body.method !== 'string') {
      return { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null };
    }
    const id = body.id ?? null;
    const content = await call(body.method, body.params);
    if (content === null) return { jsonrpc: '2.0', error: { code: -32001, message: `no reply within ${timeoutMs} ms` }, id };
    const reply = JSON.parse(content);
    return reply.error !== undefined ? { jsonrpc: '2.0', error: reply.error, id } : { jsonrpc: '2.0', result: reply.result, id };
  });

  await app.listen({ host, port });
  const { address, port: actual } = app.server.address();
  console.log(`pipeline-gateway: POST http://${address}:${actual}/rpc -> ${queue}`);

  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      stopping = true;
      app
        .close()
        .then(() => conn.close())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    });
  }
}

main().catch((err) => {
  console.error(`pipeline-gateway: ${err.stack ?? err}`);
  process.exit(1);
});
