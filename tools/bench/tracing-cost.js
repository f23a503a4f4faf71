#!/usr/bin/env node
'use strict';
// `npm run bench:tracing`: what tracing at 100% sampling costs a call, in CPU, measured where a
// load generator cannot disturb it. Two embedded nodes (config/local.yaml, SQLite) run in this
// process, one with tracing off and one with it on; the same calls go to each through the
// gateway's edge (traceparent, deadline, caller, the gateway's span) and the node's chain
// (proxies, memory transport, provider, calc.subtract), without HTTP. Rounds alternate between
// the two, and each figure is the median of the rounds' adjacent pairs, so a machine that changes
// speed from minute to minute disturbs the ratio less than it does `npm run bench`'s req/s.
//
// Calls are paced (LANES callers, each waiting a millisecond timer between calls), so that the
// tracer ships what it records, as it does at a server's rate: run flat out in one process,
// calls outpace any store and the tracer drops spans, which would flatter the figures (the
// output says how many were dropped; it should be none).
//
// usage: node tools/bench/tracing-cost.js [--write]    (build first: `npm run bench:tracing` does)
//   --write            also rewrite this benchmark's section of docs/benchmarks.md
//   BENCH_CALLS=20000  calls per round; BENCH_ROUNDS=16 rounds (each runs both nodes)

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { createLogger, loadConfig } = require('@junction/core');
const { startNode } = require('@junction/cli');
const children = require('./children');
const { renderSection, writeMarkedSection } = require('./report-doc');

const ROOT = path.resolve(__dirname, '..', '..');
// The gateway's edge is internal to @junction/gateway: taken from its build.
const { createEdge } = require(path.join(ROOT, 'apps/gateway/dist/edge.js'));

const CALLS = positive('BENCH_CALLS', 20000);
const ROUNDS = positive('BENCH_ROUNDS', 16);
const LANES = 24;
const ARGS = [42, 23];
const EXPECT = 19;

function positive(name, fallback) {
  const n = Number(process.env[name] ?? fallback);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`${name} must be a positive integer, got "${process.env[name]}"`);
  return n;
}

const progress = (line) => process.stderr.write(`bench:tracing: ${line}\n`);

// The main thread's CPU (its event loop) so far, in µs: the same /proc reading as the other benches'.
const loopCpu = () => children.cpuSeconds(process, { mainThread: true }) * 1e6;

async function startOne(tracing, dir) {
  process.env.JUNCTION_TRACING = String(tracing);
  process.env.JUNCTION_TRACING_SAMPLE_RATE = '1';
  process.env.JUNCTION_SQLITE_PATH = path.join(dir, `${tracing ? 'on' : 'off'}.db`);
  process.env.JUNCTION_NODE = tracing ? 'traced' : 'untraced';
  const config = loadConfig(path.join(ROOT, 'config/local.yaml'));
  const log = createLogger({ level: 'warn', name: config.node.name, format: 'json' });
  // A worker's node (no HTTP server); the edge below is the gateway's, on the node's chain.
  const node = await startNode({ config, configFile: 'config/local.yaml', role: 'worker', log });
  const edge = createEdge({ config: config.gateway, handler: node.chain, log, debug: false, tracer: node.tracer });
  return { name: tracing ? 'on' : 'off', node, edge };
}

/** `calls` calls of calc.subtract through `target`'s edge, LANES at a time, each lane pausing a timer tick between calls. */
async function drive(target, calls) {
  let left = calls;
  const headers = {};
  const lane = async () => {
    while (left-- > 0) {
      const traceparent = target.edge.trace(headers, 'calc');
      const reply = await target.edge.invoke('calc', 'subtract', ARGS, target.edge.meta(headers, traceparent));
      if (reply.result !== EXPECT) throw new Error(`calc.subtract through the ${target.name} node answered ${JSON.stringify(reply)}, expected ${EXPECT}`);
      await sleep(1);
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
}

async function measure(target) {
  const loop0 = loopCpu();
  const all0 = process.cpuUsage();
  await drive(target, CALLS);
  const all = process.cpuUsage(all0);
  return { loop: (loopCpu() - loop0) / CALLS, all: (all.user + all.system) / CALLS };
}

const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 === 1 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

function report(runs, stats, dropped) {
  const pairs = runs.map(({ off, on }) => ({ loop: on.loop / off.loop, all: on.all / off.all, loopExtra: on.loop - off.loop, allExtra: on.all - off.all }));
  const list = (key) => `median ${median(pairs.map((p) => p[key])).toFixed(2)} of ${pairs.length} pairs (${[...pairs.map((p) => p[key])].sort((a, b) => a - b).map((r) => r.toFixed(2)).join(' ')})`;
  const med = (target, key) => median(runs.map((r) => r[target][key])).toFixed(1);
  return [
    'What tracing at 100% sampling costs a call, in one process: the gateway edge (no HTTP) -> chain -> memory transport -> provider -> calc.subtract',
    `date     ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `machine  ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}; 1-min load average ${os.loadavg()[0].toFixed(2)} at the end`,
    `method   ${ROUNDS} rounds of ${CALLS} calls to each node, alternating which goes first; ${LANES} callers, each pausing a 1 ms timer between calls`,
    '',
    'us of CPU per call     tracing off   tracing on   on - off (median of pairs)',
    `event loop             ${med('off', 'loop').padStart(11)} ${med('on', 'loop').padStart(12)} ${median(pairs.map((p) => p.loopExtra)).toFixed(1).padStart(13)}`,
    `all threads            ${med('off', 'all').padStart(11)} ${med('on', 'all').padStart(12)} ${median(pairs.map((p) => p.allExtra)).toFixed(1).padStart(13)}`,
    '',
    `tracing on / off, event-loop CPU per call:  ${list('loop')}`,
    `tracing on / off, all threads' CPU per call: ${list('all')}`,
    `tracer: ${stats.shipped} spans shipped, ${dropped} dropped (buffer full), ${stats.failed} failed to ship${dropped > 0 ? ' -- spans were dropped: the figures for tracing on are too low' : ''}`,
  ].join('\n');
}

async function main() {
  const write = process.argv.includes('--write');
  const unknown = process.argv.slice(2).filter((a) => a !== '--write');
  if (unknown.length > 0) throw new Error(`unknown argument(s) ${unknown.join(' ')}; usage: node tools/bench/tracing-cost.js [--write]`);
  if (Number.isNaN(loopCpu())) throw new Error("bench:tracing reads the event loop's CPU from /proc (Linux); this system has none");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'junction-bench-tracing-'));
  const targets = [];
  try {
    targets.push(await startOne(false, dir), await startOne(true, dir));
    const [off, on] = targets;
    progress(`warming up (${CALLS} calls each)`);
    for (const t of targets) await drive(t, CALLS);
    const droppedBefore = on.node.tracer.stats().dropped;
    const runs = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [off, on] : [on, off];
      const result = {};
      for (const t of order) result[t.name] = await measure(t);
      runs.push(result);
      progress(`round ${round + 1}/${ROUNDS}: off ${result.off.loop.toFixed(1)} / on ${result.on.loop.toFixed(1)} us a call on the event loop`);
    }
    await on.node.tracer.flush();
    const stats = on.node.tracer.stats();
    const text = report(runs, stats, stats.dropped - droppedBefore);
    process.stdout.write(`${text}\n`);
    if (write) {
      const howToRead = `How to read it: both nodes ran in this one process, in the same run; the calls skip HTTP and
the load generator, whose share of a 2-core machine blurs \`npm run bench\`'s req/s, so this is
the steadier measure of what tracing adds to a call. "event loop" is the main thread's CPU,
which every call waits for; "all threads" adds the span encoder's and SQLite's threads and
garbage collection's helpers. A server's throughput falls roughly as its event loop's CPU per call
rises, while the event loop is its bottleneck and other cores are free for the other threads.`;
      writeMarkedSection(
        path.join(ROOT, 'docs/benchmarks.md'),
        'tracing',
        renderSection({ name: 'tracing', title: 'What tracing costs a call', command: 'npm run bench:tracing', script: 'tools/bench/tracing-cost.js', howToRead, output: text }),
      );
      progress('wrote docs/benchmarks.md');
    }
  } finally {
    for (const t of targets) await t.node.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:tracing failed: ${err.stack ?? err}\n`);
    process.exit(1);
  },
);
