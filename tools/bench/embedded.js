#!/usr/bin/env node
'use strict';
// `npm run bench`: the embedded platform (config/local.yaml: gateway -> deadline/route proxies ->
// memory transport -> provider -> calc) against a bare Fastify server answering the same JSON-RPC
// call inline, measured in the same run on the same machine, so the ratio means something even
// where absolute numbers do not.
//
// Three kinds of process: each server in its own, and the load generator (load.js, autocannon) in
// a third, started afresh for every run. On a 2-core machine the load generator takes one core and
// the server under test the other; the idle server waits.
//
// usage: node tools/bench/embedded.js [--write]     (build first: `npm run bench` does)
//   --write               also rewrite this benchmark's section of docs/benchmarks.md
//   BENCH_SECONDS=8       length of each measured run; BENCH_WARMUP_SECONDS=3 of each warm-up
//   BENCH_ROUNDS=3        rounds of the c=64 order (the goals are the median of their adjacent pairs)
//   BENCH_CPU_PROF=<dir>  run Junction with --cpu-prof into <dir> (see profile-top.js)

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const children = require('./children');
const { writeSection } = require('./report-doc');

const ROOT = path.resolve(__dirname, '..', '..');
const BODY = JSON.stringify({ jsonrpc: '2.0', method: 'calc.subtract', params: [42, 23], id: 1 });
const EXPECT = 19;
const GOAL = 0.6; // junction req/s >= GOAL x bare req/s at 64 connections
const TRACING_GOAL = 0.9; // tracing on (100% sampled) req/s >= TRACING_GOAL x tracing off req/s at 64 connections
const SECONDS = positive(process.env.BENCH_SECONDS, 8);
const WARMUP = positive(process.env.BENCH_WARMUP_SECONDS, 3);
// Rounds of the c=64 order: the goals are read there, from the runs' adjacent pairs.
const ROUNDS = Math.round(positive(process.env.BENCH_ROUNDS, 3));
const CPU_PROF = process.env.BENCH_CPU_PROF;
// ABCCBA at 1 connection, CBAABC at 64 (BENCH_ROUNDS times): each target runs twice per round,
// and none always goes first, so a machine that slows down (or warms up) over the run favours none.
// A goal's ratio is the median of its adjacent pairs (tracing then junction, junction then bare,
// and back), each pair measured within seconds of each other: the machines these run on change
// speed from minute to minute, by more than the differences a goal is about.
// `junction` runs with tracing off, `tracing` the same config with tracing on at 100% sampling.
const TARGETS = ['bare', 'junction', 'tracing'];
const PLAN = [
  [1, ['bare', 'junction', 'tracing', 'tracing', 'junction', 'bare'], 1],
  [64, ['tracing', 'junction', 'bare', 'bare', 'junction', 'tracing'], ROUNDS],
];

function positive(text, fallback) {
  const n = Number(text ?? fallback);
  if (!(n > 0)) throw new Error(`expected a positive number, got "${text}"`);
  return n;
}

const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 === 1 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

/** `value` (req/s by default) of `target` over `baseline` for each pair of adjacent runs of the two at `connections`, in run order. */
function pairRatios(results, connections, target, baseline, value = (r) => r.rps) {
  const runs = results.filter((r) => r.connections === connections);
  const ratios = [];
  for (let i = 0; i + 1 < runs.length; i++) {
    const [a, b] = [runs[i], runs[i + 1]];
    if (a.round !== b.round) continue;
    if (a.target === target && b.target === baseline) ratios.push(value(a) / value(b));
    else if (a.target === baseline && b.target === target) ratios.push(value(b) / value(a));
  }
  return ratios;
}

const progress = (line) => process.stderr.write(`bench: ${line}\n`);

/** Starts one server on a free port; resolves once it answered a real call with the right result. */
async function startServer(name, tmp) {
  const port = await children.freePort();
  const child =
    name === 'bare'
      ? children.start('bare', path.join(__dirname, 'bare-server.js'), [String(port)], { cwd: ROOT })
      : children.start(name, path.join(ROOT, 'tools/cli/bin/junction.js'), ['start', '--config', 'config/local.yaml'], {
          cwd: ROOT,
          nodeArgs: CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF)}`] : [],
          env: {
            JUNCTION_HOST: '127.0.0.1',
            JUNCTION_PORT: String(port),
            JUNCTION_LOG_LEVEL: 'warn',
            JUNCTION_SQLITE_PATH: path.join(tmp, `${name}.db`),
            JUNCTION_TRACING: name === 'tracing' ? 'true' : 'false',
            JUNCTION_TRACING_SAMPLE_RATE: '1',
          },
        });
  const [, url] = await children.waitForLine(child, /POST (http:\/\/\S+\/rpc)/, 60_000);
  // The banner says it listens; a correct answer says it works. Retry briefly in case it is not
  // ready the instant it prints.
  let last;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
      const text = await res.text();
      last = `HTTP ${res.status} ${text}`;
      if (res.ok && JSON.parse(text).result === EXPECT) return { name, child, url };
    } catch (err) {
      last = err.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} at ${url} did not answer ${BODY} with result ${EXPECT}; last answer: ${last}\n  ${children.describe(child)}`);
}

/** One load.js run against a server; throws on any error, timeout, non-2xx or wrong body. */
async function load(server, connections, seconds, what) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    const how = server.child.exitCode === 0 || server.child.signalCode !== null ? 'was stopped from outside the bench' : 'crashed';
    throw new Error(`${server.name} ${how} during the bench: ${children.describe(server.child)}`);
  }
  const cpuBefore = children.cpuSeconds(server.child);
  const loopBefore = children.cpuSeconds(server.child, { mainThread: true });
  const opts = { url: server.url, connections, seconds, body: BODY, expect: EXPECT };
  const out = await children.run(`load generator (${server.name}, ${connections} conn, ${what})`, path.join(__dirname, 'load.js'), [JSON.stringify(opts)], { cwd: ROOT });
  const r = JSON.parse(out.trim().split('\n').pop());
  r.cpu = (children.cpuSeconds(server.child) - cpuBefore) / r.seconds;
  r.loopCpu = (children.cpuSeconds(server.child, { mainThread: true }) - loopBefore) / r.seconds;
  const bad = Object.entries(r.problems).filter(([, n]) => n > 0);
  if (bad.length > 0 || r.requests === 0) {
    throw new Error(`${server.name} at ${connections} connections (${what}): ${bad.map(([k, n]) => `${n} ${k}`).join(', ') || 'no replies'}\n  ${children.describe(server.child)}`);
  }
  return r;
}

function machine() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const version = (pkg) => require(`${pkg}/package.json`).version;
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    line: `${model.trim()}, ${os.availableParallelism()} cores, ${os.type()} ${os.release()}, Node ${process.version}, fastify ${version('fastify')}, autocannon ${version('autocannon')}`,
    // Taken before the bench starts anything: above ~0.5, other work shares the cores with it.
    load: os.loadavg()[0].toFixed(2),
  };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** What the traced server's tracer did over the whole run: a buffer that overflowed dropped spans, and the ratio flatters it. */
async function tracingStatus(url) {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'tracing.status', params: {}, id: 1 }) });
    return (await res.json()).result?.tracer;
  } catch (err) {
    return { error: err.message };
  }
}

/**
 * A goal's verdict from its pair ratios: their median against the goal, with every pair shown.
 * When the pairs fall on both sides of the goal, the run cannot tell, and says so.
 */
function goal(what, target, ratios) {
  const m = median(ratios);
  const verdict = ratios.every((r) => r >= target) ? 'PASS' : ratios.every((r) => r < target) ? 'FAIL' : m >= target ? 'PASS (not every pair)' : 'FAIL (not every pair)';
  return `goal: ${what}: ${verdict} (${pairList(ratios)})`;
}

/** A figure read from adjacent pairs, without a goal. */
function pairs(what, ratios) {
  return `pairs: ${what}: ${pairList(ratios)}`;
}

const pairList = (ratios) => `median ${median(ratios).toFixed(2)} of ${ratios.length} adjacent pairs: ${[...ratios].sort((a, b) => a - b).map((r) => r.toFixed(2)).join(' ')}`;

function report(results, m, spans) {
  const rows = [];
  for (const [connections] of PLAN) {
    for (const target of TARGETS) {
      const runs = results.filter((r) => r.target === target && r.connections === connections);
      const rps = runs.map((r) => r.rps);
      rows.push({
        target,
        connections,
        rps: mean(rps),
        p50: mean(runs.map((r) => r.p50)),
        p99: mean(runs.map((r) => r.p99)),
        errors: runs.reduce((n, r) => n + Object.values(r.problems).reduce((a, b) => a + b, 0), 0),
        cpu: mean(runs.map((r) => r.cpu)),
        cpuPerCall: mean(runs.map((r) => (r.cpu * 1e6) / r.rps)), // µs of server CPU per call
        loopPerCall: mean(runs.map((r) => (r.loopCpu * 1e6) / r.rps)), // µs of its event loop's (main thread's) CPU per call
        spread: (Math.max(...rps) - Math.min(...rps)) / mean(rps),
      });
    }
  }
  const row = (target, c) => rows.find((r) => r.target === target && r.connections === c);
  const ratio = (key, c, over = 'bare', target = 'junction') => row(target, c)[key] / row(over, c)[key];
  const pad = (v, n) => String(v).padStart(n);
  const lines = [
    'Junction embedded (config/local.yaml), tracing off and on (100% sampled), vs bare Fastify: POST /rpc calc.subtract [42,23]',
    `date     ${m.date}`,
    `machine  ${m.line}; 1-min load average ${m.load} before the run`,
    `method   each row: mean of its measured runs of ${SECONDS} s, each after a ${WARMUP} s warm-up; order ${PLAN.map(([c, order, rounds]) => `c=${c}: ${order.join(', ')}${rounds > 1 ? ` (${rounds} rounds)` : ''}`).join('; ')}`,
    '',
    'target    conns     req/s   p50 ms   p99 ms  errors  server cpu  cpu us/call  loop us/call  run-to-run',
    ...rows.map((r) => `${r.target.padEnd(8)} ${pad(r.connections, 6)} ${pad(Math.round(r.rps), 9)} ${pad(r.p50.toFixed(3), 8)} ${pad(r.p99.toFixed(3), 8)} ${pad(r.errors, 7)} ${pad(`${Math.round(r.cpu * 100)}%`, 11)} ${pad(Math.round(r.cpuPerCall), 12)} ${pad(Math.round(r.loopPerCall), 13)} ${pad(`${(r.spread * 100).toFixed(1)}%`, 11)}`),
    '',
    'junction / bare       c=1    c=64',
    ...[['req/s', 'rps'], ['p50 latency', 'p50'], ['p99 latency', 'p99'], ['cpu per call', 'cpuPerCall']].map(([label, key]) => `  ${label.padEnd(16)} ${pad(ratio(key, 1).toFixed(2), 6)} ${pad(ratio(key, 64).toFixed(2), 7)}`),
    '',
    '',
    'tracing on / off      c=1    c=64',
    ...[['req/s', 'rps'], ['p50 latency', 'p50'], ['p99 latency', 'p99'], ['cpu per call', 'cpuPerCall'], ['loop cpu per call', 'loopPerCall']].map(([label, key]) => `  ${label.padEnd(17)}${pad(ratio(key, 1, 'junction', 'tracing').toFixed(2), 6)} ${pad(ratio(key, 64, 'junction', 'tracing').toFixed(2), 7)}`),
    '',
    goal(`junction >= ${GOAL} x bare req/s at 64 connections`, GOAL, pairRatios(results, 64, 'junction', 'bare')),
    `tracing  spans shipped ${spans?.shipped ?? '?'}, dropped ${spans?.dropped ?? '?'} (buffer full), failed to ship ${spans?.failed ?? '?'}`,
    goal(`tracing on >= ${TRACING_GOAL} x tracing off req/s at 64 connections`, TRACING_GOAL, pairRatios(results, 64, 'tracing', 'junction')),
    pairs('tracing on / off event-loop CPU per call at 64 connections', pairRatios(results, 64, 'tracing', 'junction', (r) => r.loopCpu / r.rps)),
  ];
  // Say so when the run was disturbed, rather than leave a reader to trust a noisy req/s ratio.
  const worstSpread = Math.max(...rows.map((r) => r.spread));
  const starved = Math.min(...results.filter((r) => r.connections === 64).map((r) => r.cpu));
  if (worstSpread > 0.15 || starved < 0.8) {
    lines.push(`note: noisy run (runs of a row differ by up to ${Math.round(worstSpread * 100)}%; a server had as little as ${Math.round(starved * 100)}% CPU at 64 connections): other work shared the machine; trust cpu us/call more than req/s, or run again`);
  }
  return lines.join('\n');
}

async function main() {
  const write = process.argv.includes('--write');
  const unknown = process.argv.slice(2).filter((a) => a !== '--write');
  if (unknown.length > 0) throw new Error(`unknown argument(s) ${unknown.join(' ')}; usage: node tools/bench/embedded.js [--write]`);
  const m = machine();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'junction-bench-'));
  process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

  progress(`${m.line}; starting the servers`);
  const servers = { bare: await startServer('bare', tmp), junction: await startServer('junction', tmp), tracing: await startServer('tracing', tmp) };
  progress(`bare at ${servers.bare.url}, junction at ${servers.junction.url}, tracing at ${servers.tracing.url}; all answer ${EXPECT}`);

  const results = [];
  for (const [connections, order, rounds] of PLAN) {
    for (let round = 1; round <= rounds; round++) {
      for (const target of order) {
        progress(`${target}, c=${connections}${rounds > 1 ? ` (round ${round} of ${rounds})` : ''}: ${WARMUP} s warm-up, ${SECONDS} s measured`);
        await load(servers[target], connections, WARMUP, 'warm-up');
        const r = await load(servers[target], connections, SECONDS, 'measured');
        progress(`  ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, server cpu ${Math.round(r.cpu * 100)}%`);
        results.push({ target, connections, round, ...r });
      }
    }
  }
  const spans = await tracingStatus(servers.tracing.url);
  await children.stopAll();

  const text = report(results, m, spans);
  console.log(`\n${text}`);
  if (write) progress(`wrote ${path.relative(process.cwd(), writeSection(path.join(ROOT, 'docs/benchmarks.md'), text))}`);
}

// Ctrl-C, kill, or a crash: stop every child first (servers, load generator), then exit.
let exiting = false;
async function shutdown(code, why) {
  if (exiting) return;
  exiting = true;
  if (why) console.error(`bench: ${why}`);
  await children.stopAll(2000).catch(() => {});
  process.exit(code);
}
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => shutdown(code, `${signal}: stopping the servers and the load generator`));
}
main().then(
  () => shutdown(0),
  (err) => shutdown(1, `FAILED: ${err.message}`),
);
