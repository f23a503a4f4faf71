#!/usr/bin/env node
'use strict';
// `npm run bench:concurrency`: the render service's CPU-bound method (thumbnail) and I/O-bound
// method (probe) under each concurrency module (inline, threads, processes), at 1, 8 and 64
// concurrent callers; then an I/O-bound neighbour's latency while thumbnail keeps the module busy.
// Calls go straight to a provider (no HTTP, no transport): what is measured is the module.
// The baseline of every ratio is `inline`, measured in the same run.
//
// usage: node tools/bench/concurrency.js [--write]     (build first: `npm run bench:concurrency` does)
//   --write             also rewrite this benchmark's section of docs/benchmarks.md
//   BENCH_SECONDS=3     length of each measured run

const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { Provider, defineService, method, Type, newRequestId } = require('@junction/core');
const { renderSection, writeMarkedSection } = require('./report-doc');

const ROOT = path.resolve(__dirname, '..', '..');
const RENDER = require.resolve('@junction/service-render', { paths: [ROOT] });
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
if (!(SECONDS > 0)) throw new Error(`BENCH_SECONDS must be a positive number, got "${process.env.BENCH_SECONDS}"`);
const CORES = os.availableParallelism();
const CALLERS = [1, 8, 64];
// A frame of 0.2 megapixels: about 10 ms of one core here. The probe waits 5 ms.
const WORK = {
  thumbnail: { megapixels: 0.2, seed: 1 },
  probe: { ms: 5 },
};
const MODULES = {
  inline: { type: 'inline', maxInFlight: 64, maxQueue: 1000 },
  threads: { type: 'threads', maxThreads: CORES, minThreads: CORES, idleTimeoutMs: 60_000, maxQueue: 1000 },
  processes: { type: 'processes', processes: CORES, maxInFlightPerProcess: 1, maxQueue: 1000, killGraceMs: 1000 },
};

// The neighbour: another service on the same provider, on the event loop, waiting 5 ms a call.
const storage = defineService({
  name: 'storage',
  version: '1.0.0',
  description: 'An I/O-bound neighbour.',
  methods: {
    stat: method({ description: 'Waits 5 ms.', params: {}, result: Type.Null(), handler: async () => { await sleep(5); return null; } }),
  },
});

const progress = (line) => process.stderr.write(`bench: ${line}\n`);

async function call(provider, service, m, args) {
  const reply = await provider.handle({ id: newRequestId(), service, method: m, args, meta: { deadline: Date.now() + 60_000 } });
  if (reply.error !== undefined) throw new Error(`${service}.${m}: ${reply.error.code} ${reply.error.message}`);
}

/** `callers` loops calling back to back for `seconds`; req/s and latency percentiles in ms. */
async function closedLoop(provider, service, m, args, callers, seconds) {
  const latencies = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await call(provider, service, m, args);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return { rps: latencies.length / elapsed, p50: pct(0.5), p99: pct(0.99), calls: latencies.length };
}

async function measureModule(name) {
  const provider = new Provider();
  provider.register(require(RENDER).service, { module: RENDER, concurrency: MODULES[name] });
  provider.register(storage, { concurrency: MODULES.inline });
  try {
    // Warm-up: threads and children load the service, the JIT settles.
    await closedLoop(provider, 'render', 'thumbnail', WORK.thumbnail, CORES * 2, 1);
    await closedLoop(provider, 'render', 'probe', WORK.probe, 8, 0.5);
    const rows = {};
    for (const m of ['thumbnail', 'probe']) {
      for (const c of CALLERS) {
        progress(`${name} ${m} x${c}`);
        rows[`${m} x${c}`] = await closedLoop(provider, 'render', m, WORK[m], c, SECONDS);
      }
    }
    progress(`${name}: storage.stat while thumbnail x8 keeps it busy`);
    const [, neighbour] = await Promise.all([
      closedLoop(provider, 'render', 'thumbnail', WORK.thumbnail, 8, SECONDS),
      closedLoop(provider, 'storage', 'stat', {}, 8, SECONDS),
    ]);
    rows['neighbour'] = neighbour;
    const quiet = await closedLoop(provider, 'storage', 'stat', {}, 8, Math.min(SECONDS, 2));
    rows['neighbour quiet'] = quiet;
    return rows;
  } finally {
    await provider.close();
  }
}

const fmt = (n, digits = 0) => n.toFixed(digits).padStart(8);

function report(results, load) {
  const lines = [];
  lines.push(`machine  ${os.cpus()[0]?.model?.trim() ?? 'unknown CPU'}, ${CORES} cores, Node ${process.version}; 1-min load average ${load} before the run`);
  lines.push(`work     thumbnail = render.thumbnail ${JSON.stringify(WORK.thumbnail)} (CPU-bound); probe = render.probe ${JSON.stringify(WORK.probe)} (I/O-bound)`);
  lines.push(`modules  inline maxInFlight 64; threads ${CORES} threads; processes ${CORES} children x 1 call; ${SECONDS} s a row`);
  lines.push('');
  lines.push('method     callers  module        req/s   vs inline    p50 ms    p99 ms');
  for (const m of ['thumbnail', 'probe']) {
    for (const c of CALLERS) {
      const base = results.inline[`${m} x${c}`].rps;
      for (const name of Object.keys(MODULES)) {
        const r = results[name][`${m} x${c}`];
        lines.push(`${m.padEnd(10)} ${String(c).padStart(7)}  ${name.padEnd(10)} ${fmt(r.rps)}  ${fmt(r.rps / base, 2)}x  ${fmt(r.p50, 1)}  ${fmt(r.p99, 1)}`);
      }
    }
  }
  lines.push('');
  lines.push('an I/O-bound neighbour (storage.stat, 5 ms, inline) at 8 callers while thumbnail x8 runs on the module');
  lines.push('module        stat p50 ms  stat p99 ms   vs quiet p99   stat req/s');
  for (const name of Object.keys(MODULES)) {
    const n = results[name].neighbour;
    const q = results[name]['neighbour quiet'];
    lines.push(`${name.padEnd(10)} ${fmt(n.p50, 1)}     ${fmt(n.p99, 1)}     ${fmt(n.p99 / q.p99, 1)}x      ${fmt(n.rps)}`);
  }
  return lines.join('\n');
}

async function main() {
  const load = os.loadavg()[0].toFixed(2);
  const results = {};
  for (const name of Object.keys(MODULES)) results[name] = await measureModule(name);
  const output = report(results, load);
  process.stdout.write(`${output}\n`);
  if (process.argv.includes('--write')) {
    const file = path.join(ROOT, 'docs', 'benchmarks.md');
    writeMarkedSection(
      file,
      'concurrency',
      renderSection({
        name: 'concurrency',
        title: 'Concurrency modules',
        command: 'npm run bench:concurrency',
        script: 'tools/bench/concurrency.js',
        howToRead: HOW_TO_READ,
        output,
      }),
    );
    progress(`wrote ${path.relative(ROOT, file)}`);
  }
}

const HOW_TO_READ = `How to read it: calls go straight to a provider hosting render, so the figures are the
concurrency module's, not HTTP's. "vs inline" is the module's req/s over inline's for the same
method and callers, in the same run. For thumbnail (CPU-bound) threads and processes should
approach the core count at 8 and 64 callers, where inline stays at one core; for probe (I/O-bound)
inline should win by far, since threads and processes give each waiting call a whole thread or
child. The second table is the point of it all: on inline, the neighbour's p99 grows to the length
of a thumbnail queue; on threads and processes it stays near its quiet p99 ("vs quiet").`;

main().catch((err) => {
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
  process.exit(1);
});
