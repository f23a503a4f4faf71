#!/usr/bin/env node
'use strict';
// The load generator, run by embedded.js in a process of its own so that it never shares an event
// loop with a server it measures. One invocation = one run against one URL at one connection
// count (embedded.js runs it once to warm up, once to measure). Prints one JSON line of figures.
//
// usage: node tools/bench/load.js '{"url":"http://127.0.0.1:1234/rpc","connections":64,
//                                    "seconds":10,"body":"...","expect":19}'
//   optional "missEvery":10,"missFrom":N: a mix for a cached method (cluster.js): each connection
//   sends the body's call 9 times (missEvery - 1), then once the same method with params [n, 1]
//   and expects n (calc.divide), n counting up from missFrom, so that every 10th call is one the
//   cache has never seen; the caller picks missFrom (and the body's params) so that no earlier run
//   used them.
//
// Why not the autocannon CLI: it records latencies in whole milliseconds, so every percentile of a
// ~0.1 ms call reads 0. Here the same autocannon engine runs, and this script also keeps every
// 2xx response time at full (sub-microsecond) precision and computes p50/p99 from those.
// Every reply body is also checked (result and id), so a server answering fast but wrongly fails.

require('./exit-with-parent');
const autocannon = require('autocannon');

const opts = JSON.parse(process.argv[2] ?? '{}');
for (const key of ['url', 'connections', 'seconds', 'body', 'expect']) {
  if (opts[key] === undefined) throw new Error(`load.js: option "${key}" is missing`);
}
const expectedId = JSON.parse(opts.body).id;
const missEvery = opts.missEvery;
if (missEvery !== undefined && !(Number.isInteger(missEvery) && missEvery >= 2 && Number.isSafeInteger(opts.missFrom))) {
  throw new Error('load.js: "missEvery" must be an integer >= 2, with "missFrom" a safe integer');
}

// Cheap enough (a ~40-byte JSON.parse) not to matter, and it is the same cost for both servers.
function verifyBody(text, expect = opts.expect) {
  try {
    const reply = JSON.parse(text);
    return reply.jsonrpc === '2.0' && reply.result === expect && reply.id === expectedId;
  } catch {
    return false;
  }
}

// The mix: autocannon's `requests`, which each connection walks in order, round and round. Its
// verifyBody sees only the reply, not which call it answers, so each request checks its own reply
// in onResponse instead; with one request in flight per connection (no pipelining), the context
// onResponse gets is the one the connection's miss was built with. 2xx replies of each kind are
// counted, for the caller to compare with the cache's own count.
const mix = { repeats: 0, fresh: 0, wrong: 0 };
function mixRequests() {
  const call = JSON.parse(opts.body);
  let next = opts.missFrom;
  const check = (kind, expect, status, body) => {
    if (!verifyBody(body, expect)) mix.wrong++;
    else if (status >= 200 && status < 300) mix[kind]++;
  };
  const repeat = { body: opts.body, onResponse: (status, body) => check('repeats', opts.expect, status, body) };
  const miss = {
    setupRequest: (req, context) => {
      context.n = next++;
      return { ...req, body: JSON.stringify({ ...call, params: [context.n, 1] }) };
    },
    onResponse: (status, body, context) => check('fresh', context.n, status, body),
  };
  return [...Array(missEvery - 1).fill(repeat), miss];
}

// Response times (ms, float) of 2xx replies, in a growable typed array: no per-sample allocation.
let samples = new Float64Array(1 << 16);
let count = 0;
function record(ms) {
  if (count === samples.length) {
    const bigger = new Float64Array(samples.length * 2);
    bigger.set(samples);
    samples = bigger;
  }
  samples[count++] = ms;
}

function run(seconds) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: opts.body,
        connections: opts.connections,
        duration: seconds,
        ...(missEvery === undefined ? { verifyBody } : { requests: mixRequests() }),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on('response', (_client, statusCode, _bytes, ms) => {
      if (statusCode >= 200 && statusCode < 300) record(ms);
    });
  });
}

// Nearest-rank percentile of the sorted samples.
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const r = await run(opts.seconds);
  const sorted = samples.subarray(0, count).sort();
  const out = {
    url: opts.url,
    connections: opts.connections,
    seconds: r.duration,
    requests: r['2xx'],
    // Completed 2xx replies over the measured wall time (autocannon's own average is a mean of
    // per-second samples, which is nearly the same but drops a partial last second).
    rps: r['2xx'] / r.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    // Anything but a clean 2xx with the right body is a failure the caller must see.
    problems: { errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, mismatches: r.mismatches + mix.wrong },
    ...(missEvery === undefined ? {} : { mix: { repeats: mix.repeats, fresh: mix.fresh } }),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  console.error(`load.js: ${err.stack ?? err}`);
  process.exit(1);
});
