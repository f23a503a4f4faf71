#!/usr/bin/env node
'use strict';
// The worker half of `npm run bench:cluster`'s baseline: the least an amqplib consumer can do to
// serve the benchmark's call over RabbitMQ. It consumes one queue (prefetch 100, as
// config/cluster.yaml), computes the subtraction, publishes the reply to the request's replyTo
// with its correlationId, and acks after publishing, as Junction's workers do; no envelope,
// validation beyond the arithmetic's, provider, concurrency module, deadline or metrics.
// Junction's cluster is read as a ratio against this pipeline, measured in the same run.
//
// usage: node tools/bench/pipeline-worker.js <amqp url> <queue> [prefetch=100]
// Prints `pipeline-worker: consuming <queue>` once consuming (cluster.js waits for it).
// Request body: {"method":"calc.subtract","params":[42,23]} (params by position or by name).
// Reply body:   {"result":19} or {"error":{"code":-32601,"message":"..."}} (JSON-RPC codes).

require('./exit-with-parent');
const amqp = require('amqplib');

const [url, queue, prefetchText = '100'] = process.argv.slice(2);
const prefetch = Number(prefetchText);
if (!url || !queue || !(Number.isInteger(prefetch) && prefetch > 0)) {
  console.error('usage: node tools/bench/pipeline-worker.js <amqp url> <queue> [prefetch]');
  process.exit(2);
}

function answer(content) {
  let request;
  try {
    request = JSON.parse(content);
  } catch {
    return { error: { code: -32700, message: 'Parse error' } };
  }
  if (request?.method !== 'calc.subtract') return { error: { code: -32601, message: 'Method not found' } };
  const p = request.params;
  const [minuend, subtrahend] = Array.isArray(p) ? p : [p?.minuend, p?.subtrahend];
  if (typeof minuend !== 'number' || typeof subtrahend !== 'number') return { error: { code: -32602, message: 'Invalid params' } };
  return { result: minuend - subtrahend };
}

async function main() {
  // Nagle's algorithm off, as in Junction's transport: with it on, small messages wait ~40 ms.
  const conn = await amqp.connect(url, { noDelay: true });
  conn.on('error', (err) => console.error(`pipeline-worker: connection error: ${err.message}`));
  conn.on('close', () => {
    if (!stopping) {
      console.error('pipeline-worker: lost the connection to the broker');
      process.exit(1);
    }
  });
  const ch = await conn.createChannel();
  ch.on('error', (err) => console.error(`pipeline-worker: channel error: ${err.message}`));
  // The same declaration as Junction's service queues: durable, requests not persistent.
  await ch.assertQueue(queue, { durable: true });
  await ch.prefetch(prefetch);
  await ch.consume(
    queue,
    (msg) => {
      if (msg === null) {
        // The broker cancelled the consumer (the queue was deleted): nothing left to serve.
        console.error(`pipeline-worker: queue ${queue} was deleted`);
        process.exit(stopping ? 0 : 1);
      }
      const { replyTo, correlationId } = msg.properties;
      if (replyTo) ch.publish('', replyTo, Buffer.from(JSON.stringify(answer(msg.content))), { correlationId });
      // Ack after the reply is published, on the same channel: a worker that dies loses nothing.
      ch.ack(msg);
    },
    { noAck: false },
  );
  console.log(`pipeline-worker: consuming ${queue} at prefetch ${prefetch}`);

  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      stopping = true;
      conn.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

let stopping = false;
main().catch((err) => {
  console.error(`pipeline-worker: ${err.stack ?? err}`);
  process.exit(1);
});
