#!/usr/bin/env node
'use strict';
// `npm run bench:cluster`: a Junction cluster (config/cluster.yaml: one gateway and two worker
// processes over RabbitMQ) against a minimal hand-written pipeline doing the same job (one Fastify
// route -> amqplib publish with direct reply-to -> one amqplib consumer process -> reply:
// pipeline-gateway.js and pipeline-worker.js), measured in the same run on the same machine and
// broker, with the same call, so the ratio means something even where absolute numbers do not.
//
// Every process is its own: the three of Junction, the two of the pipeline, and the load generator
// (load.js, autocannon), started afresh for every run. The target not being measured sits idle.
// Each run has queues of its own (junction.bench.<pid>.*), deleted at the end.
//
// Junction is measured over each of BENCH_TRANSPORTS, a cluster of its own per transport: amqp is
// config/cluster.yaml as it is; tcp and zeromq are the same config with its `remote` terminals
// replaced by a balance over one transport per worker, each worker listening on a port of its own
// (as config/cluster-tcp.yaml), no broker. All are read against the same amqplib pipeline.
//
// A cached method beside them (issue 6): on the clusters of BENCH_CACHED, at 1 and 64 connections,
// calc.divide (`cache: { ttlMs: 60000 }`), which the chain's cache proxy answers from Redis at the
// gateway, 9 calls in 10 the same and the 10th with params never used: a 90% hit rate, read
// against the same cluster's calc.subtract (never cached) in the same run.
//
// usage: node tools/bench/cluster.js [--write]     (build first: `npm run bench:cluster` does)
//   --write               also rewrite this benchmark's section of docs/benchmarks.md
//   BENCH_SECONDS=10      length of each measured run; BENCH_WARMUP_SECONDS=3 of each warm-up
//   BENCH_CONNECTIONS=1,16,64,256   the connection counts, in the order they are run
//   BENCH_TRANSPORTS=amqp,tcp,zeromq  the transports Junction is measured over
//   BENCH_CACHED=amqp,tcp  the clusters also measured with the cached method (those of
//                         BENCH_TRANSPORTS; empty for none)
//   BENCH_CPU_PROF=<dir>  run every process under test with --cpu-prof into <dir>, one file per
//                         process (junction-gateway, junction-worker-1, ..., pipeline-worker); see
//                         profile-top.js
//   JUNCTION_AMQP_URL     the broker (default amqp://guest:guest@127.0.0.1:5672), as cluster.yaml

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const amqp = require('amqplib');
const children = require('./children');
const { writeMarkedSection, renderSection } = require('./report-doc');

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'tools/cli/bin/junction.js');
const BASE_CONFIG = path.join(ROOT, 'config/cluster.yaml');
const BODY = JSON.stringify({ jsonrpc: '2.0', method: 'calc.subtract', params: [42, 23], id: 1 });
const EXPECT = 19;
const WORKERS = 2;
// Goals (issue 3): junction req/s >= 0.8 x pipeline's at 64 connections; junction p50 <= 1.5 x
// pipeline's at 1 connection.
const GOAL_RPS = { connections: 64, ratio: 0.8 };
const GOAL_P50 = { connections: 1, ratio: 1.5 };
const SECONDS = positive(process.env.BENCH_SECONDS, 10);
const WARMUP = positive(process.env.BENCH_WARMUP_SECONDS, 3);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '1,16,64,256').split(',').map((c) => {
  const n = Number(c);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_CONNECTIONS: expected positive integers separated by commas, got "${process.env.BENCH_CONNECTIONS}"`);
  return n;
});
const CPU_PROF = process.env.BENCH_CPU_PROF;
const TRANSPORTS = (process.env.BENCH_TRANSPORTS ?? 'amqp,tcp,zeromq').split(',').map((t) => {
  if (!['amqp', 'tcp', 'zeromq'].includes(t)) throw new Error(`BENCH_TRANSPORTS: expected amqp, tcp and/or zeromq separated by commas, got "${process.env.BENCH_TRANSPORTS}"`);
  return t;
});
// `junction` is the cluster over RabbitMQ (the goals are its); the others are named by transport.
const targetOf = (transport) => (transport === 'amqp' ? 'junction' : `junction-${transport}`);
const TARGETS = ['pipeline', ...TRANSPORTS.map(targetOf)];
// The cached method: one call in MISS_EVERY has params no run has used, the others repeat one call
// (fresh for each run too, so that none starts warm). Only where the run measures calc.subtract
// too (its connection counts, its transports), since that is what it is read against.
const MISS_EVERY = 10;
const CACHED_CONNECTIONS = [1, 64].filter((c) => CONNECTIONS.includes(c));
const CACHED = (process.env.BENCH_CACHED ?? 'amqp,tcp').split(',').filter(Boolean).filter((t) => {
  if (!['amqp', 'tcp', 'zeromq'].includes(t)) throw new Error(`BENCH_CACHED: expected amqp, tcp and/or zeromq separated by commas (or nothing), got "${process.env.BENCH_CACHED}"`);
  return TRANSPORTS.includes(t);
});
const cachedOf = (target) => `${target} cached`;
const CACHED_TARGETS = CACHED.map((t) => cachedOf(targetOf(t)));
// ABCCBA, then CBAABC, and so on: each target runs twice per connection count, and none always
// goes first, so a machine that slows down (or warms up) over the run favours none. The cached
// runs take their turns among the others, at the connection counts they are measured at.
const PLAN = CONNECTIONS.map((c, i) => {
  const ts = CACHED_CONNECTIONS.includes(c) ? [...TARGETS, ...CACHED_TARGETS] : TARGETS;
  return [c, i % 2 === 0 ? [...ts, ...[...ts].reverse()] : [...[...ts].reverse(), ...ts]];
});
// This run's name: its queues, its config file and its processes' command lines all carry it.
const RUN = `junction.bench.${process.pid}`;
const CLK_TCK = 100; // USER_HZ: /proc times are in 1/100 s on Linux

function positive(text, fallback) {
  const n = Number(text ?? fallback);
  if (!(n > 0)) throw new Error(`expected a positive number of seconds, got "${text}"`);
  return n;
}

const progress = (line) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The per-run config: config/cluster.yaml with this run's queue prefix, dead-letter queue, any free
// port (each process prints the one it got), and logs at warn. Written resolved (JSON is YAML),
// as the cluster tests do, so every process of the run reads the same values.

function runConfig(tmp) {
  const { parseConfig } = require('@junction/core');
  const parsed = parseConfig(fs.readFileSync(BASE_CONFIG, 'utf8'), BASE_CONFIG, {
    ...process.env,
    JUNCTION_NODE: RUN,
    JUNCTION_LOG_LEVEL: 'warn',
    JUNCTION_QUEUE_PREFIX: `${RUN}.svc.`,
    JUNCTION_HOST: '127.0.0.1',
    JUNCTION_PORT: '0',
    JUNCTION_WORKER_PORT: '0',
  });
  const config = structuredClone(parsed); // parseConfig's result is frozen
  const rabbit = config.transports.rabbit;
  if (rabbit?.type !== 'amqp') throw new Error(`${BASE_CONFIG}: the bench expects transports.rabbit of type amqp`);
  // Poison would go to the shared junction.dead otherwise; this run's queues are all its own.
  rabbit.deadLetterQueue = `${RUN}.dead`;
  const file = path.join(tmp, `${RUN}.yaml`);
  fs.writeFileSync(file, `# npm run bench:cluster, run ${RUN}: config/cluster.yaml resolved, with this run's queues and ports\n${JSON.stringify(config, null, 2)}\n`);
  const queues = [...new Set([...Object.keys(config.services), 'system'])].map((s) => `${rabbit.queuePrefix}${s}`).concat(rabbit.deadLetterQueue);
  return { file, url: rabbit.url, prefetch: rabbit.prefetch, queues, config };
}

/**
 * The run's config over a point-to-point transport (tcp, zeromq): the same chain and services, its
 * `remote` terminals replaced by a balance over one transport per worker, each worker listening on
 * a free port of its own. One file per process: a worker's says where it listens.
 */
async function pointToPointRun(tmp, run, type) {
  const ports = [];
  for (let i = 0; i < WORKERS; i++) ports.push(await children.freePort());
  const names = ports.map((_, i) => `worker${i + 1}`);
  const balance = { type: 'balance', strategy: 'least-in-flight', targets: names.map((transport) => ({ type: 'remote', transport })) };
  const swap = (value) => {
    if (Array.isArray(value)) return value.map(swap);
    if (typeof value !== 'object' || value === null) return value;
    if (value.type === 'remote') return balance;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v)]));
  };
  const write = (name, listenPort) => {
    const config = structuredClone(run.config);
    config.chain = swap(config.chain);
    config.transports = Object.fromEntries(ports.map((port, i) => [names[i], { type, connect: `127.0.0.1:${port}` }]));
    config.transports.inbound = { type, listen: { host: '127.0.0.1', port: listenPort } };
    config.worker = { ...config.worker, serve: ['inbound'] };
    // A bus (broadcast between the nodes: log levels, heartbeats) rides on an amqp transport, which
    // this cluster has none of; it is no part of a call's path, so it is left out, as the broker is.
    if (config.bus?.transport !== undefined && !(config.bus.transport in config.transports)) delete config.bus;
    const file = path.join(tmp, `${RUN}.${type}.${name}.yaml`);
    fs.writeFileSync(file, `# npm run bench:cluster, run ${RUN}: config/cluster.yaml over ${type}, for its ${name}\n${JSON.stringify(config, null, 2)}\n`);
    return file;
  };
  return { name: targetOf(type), gateway: write('gateway', 0), workers: ports.map((port, i) => write(names[i], port)) };
}

// ---------------------------------------------------------------------------------------------
// Starting the two targets

const profArgs = (name) => (CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF)}`, `--cpu-prof-name=${name}.cpuprofile`] : []);

/** POSTs the bench's call; resolves with a description of the answer, or null if it was right. */
async function wrongAnswer(url) {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    return res.ok && JSON.parse(text).result === EXPECT ? null : `HTTP ${res.status} ${text}`;
  } catch (err) {
    return err.message;
  }
}

/** Retries `check` (which resolves null when satisfied, else why not) until it passes or `ms` pass. */
async function until(what, ms, check, explain) {
  let last;
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(200)) {
    last = await check();
    if (last === null) return;
  }
  throw new Error(`${what} within ${ms / 1000} s; last: ${last}\n  ${explain()}`);
}

/** A Junction cluster: `files` names the config of its gateway and of each of its workers. */
async function startJunction(target, files) {
  const start = (role, name, file) =>
    children.start(name, CLI, ['start', '--config', file, '--role', role], {
      cwd: ROOT,
      nodeArgs: profArgs(name),
      env: { JUNCTION_LOG_LEVEL: 'warn' },
    });
  const gateway = start('gateway', `${target}-gateway`, files.gateway);
  const workers = files.workers.map((file, i) => start('worker', `${target}-worker-${i + 1}`, file));
  const [[, url], ...health] = await Promise.all([
    children.waitForLine(gateway, /POST (http:\/\/\S+\/rpc)/, 60_000),
    ...workers.map((w) => children.waitForLine(w, /worker health\s+GET\s+(http:\/\/\S+)\/healthz/, 60_000)),
  ]);
  const procs = [gateway, ...workers];
  const explain = () => procs.map((p) => children.describe(p)).join('\n  ');
  // Ready: every worker consumes its queues (its /readyz), and the gateway answers a real call right.
  await until(`the ${target} workers were not all ready`, 30_000, async () => {
    for (const [, base] of health) {
      const res = await fetch(`${base}/readyz`).catch((err) => ({ status: err.message }));
      if (res.status !== 200) return `${base}/readyz: ${res.status}`;
    }
    return null;
  }, explain);
  await until(`the ${target} gateway at ${url} did not answer ${BODY} with result ${EXPECT}`, 30_000, () => wrongAnswer(url), explain);
  return { name: target, url, gateway, workers, procs, health: health.map(([, base]) => base) };
}

async function startPipeline(run) {
  const queue = `${RUN}.pipeline`;
  const worker = children.start('pipeline-worker', path.join(__dirname, 'pipeline-worker.js'), [run.url, queue, String(run.prefetch)], { cwd: ROOT, nodeArgs: profArgs('pipeline-worker') });
  const gateway = children.start('pipeline-gateway', path.join(__dirname, 'pipeline-gateway.js'), [run.url, queue, '0'], { cwd: ROOT, nodeArgs: profArgs('pipeline-gateway') });
  const [[, url]] = await Promise.all([children.waitForLine(gateway, /POST (http:\/\/\S+\/rpc)/, 30_000), children.waitForLine(worker, /consuming/, 30_000)]);
  const procs = [gateway, worker];
  await until(`the pipeline gateway at ${url} did not answer ${BODY} with result ${EXPECT}`, 30_000, () => wrongAnswer(url), () => procs.map((p) => children.describe(p)).join('\n  '));
  return { name: 'pipeline', url, gateway, workers: [worker], procs, queue };
}

// ---------------------------------------------------------------------------------------------
// CPU, from /proc (Linux): each process's own, RabbitMQ's (beam.smp) if it runs on this machine,
// the load generator's (reaped children of this process), and the whole machine's.

function procTimes(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    return { self: (Number(f[11]) + Number(f[12])) / CLK_TCK, children: (Number(f[13]) + Number(f[14])) / CLK_TCK };
  } catch {
    return { self: NaN, children: NaN };
  }
}

/** Pids of RabbitMQ's Erlang VM on this machine (none when the broker is elsewhere or hidden). */
function rabbitPids() {
  const pids = [];
  for (const entry of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'beam.smp') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** CPU seconds of user work on the whole machine (all cores), and of time stolen by the hypervisor. */
function machineTimes() {
  try {
    const [user, nice, system, , , , , steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { busy: (user + nice + system) / CLK_TCK, steal: (steal || 0) / CLK_TCK };
  } catch {
    return { busy: NaN, steal: NaN };
  }
}

function snapshot(targets, rabbit) {
  const self = procTimes(process.pid);
  return {
    at: process.hrtime.bigint(),
    procs: new Map(targets.flatMap((t) => t.procs).map((p) => [p, children.cpuSeconds(p)])),
    rabbit: rabbit.length === 0 ? NaN : rabbit.reduce((sum, pid) => sum + procTimes(pid).self, 0),
    bench: self.self,
    reaped: self.children, // the load generator, once it has exited
    machine: machineTimes(),
  };
}

// ---------------------------------------------------------------------------------------------
// One run

function checkAlive(target) {
  for (const p of target.procs) {
    if (p.exitCode !== null || p.signalCode !== null) {
      const how = p.exitCode === 0 || p.signalCode !== null ? 'was stopped from outside the bench' : 'crashed';
      throw new Error(`${p.name} ${how} during the bench: ${children.describe(p)}`);
    }
  }
}

// Params no run has used yet: Redis keeps results for 60 s, across runs of this bench and between
// its clusters (which share it). The clock in µs: a run sending fewer than a million new calls a
// second (as any does) never reaches the next run's base; 2n stays below 2^53, an exact integer.
let lastFresh = 0;
function freshBase() {
  lastFresh = Math.max(Date.now() * 1000, lastFresh + 1e6);
  return lastFresh;
}

/**
 * One load.js run against a target; throws on any error, timeout, non-2xx or wrong body. `cached`:
 * the cached method's mix instead of calc.subtract, and its hit rate.
 */
async function load(target, all, rabbit, connections, seconds, what, cached = false) {
  const name = cached ? cachedOf(target.name) : target.name;
  checkAlive(target);
  const base = cached ? freshBase() : undefined;
  const opts = cached
    ? { url: target.url, connections, seconds, body: JSON.stringify({ jsonrpc: '2.0', method: 'calc.divide', params: [2 * base, 2], id: 1 }), expect: base, missEvery: MISS_EVERY, missFrom: base + 1 }
    : { url: target.url, connections, seconds, body: BODY, expect: EXPECT };
  // The gateway's cache counters are not reachable from outside (its system.health is a worker's),
  // so the misses are counted where they land: calc calls the workers ran during the run.
  const ranBefore = cached ? await calcCalls(target) : undefined;
  const before = snapshot(all, rabbit);
  const out = await children.run(`load generator (${name}, ${connections} conn, ${what})`, path.join(__dirname, 'load.js'), [JSON.stringify(opts)], { cwd: ROOT });
  const after = snapshot(all, rabbit);
  checkAlive(target);
  const r = JSON.parse(out.trim().split('\n').pop());
  const bad = Object.entries(r.problems).filter(([, n]) => n > 0);
  if (bad.length > 0 || r.requests === 0) {
    throw new Error(`${name} at ${connections} connections (${what}): ${bad.map(([k, n]) => `${n} ${k}`).join(', ') || 'no replies'}\n  ${target.procs.map((p) => children.describe(p)).join('\n  ')}`);
  }
  if (cached) {
    // Over the calls answered; the few still in flight when load.js stopped (at most one per
    // connection) may have reached a worker too, so this can read a hair low, never high.
    const ran = sumOf(await calcCalls(target)) - sumOf(ranBefore);
    r.hitRate = 1 - ran / r.requests;
    r.freshShare = r.mix.fresh / r.requests;
  }
  // Shares of a core over the measured run (the servers idle while load.js starts and stops).
  const used = (p) => after.procs.get(p) - before.procs.get(p);
  const sum = (ps) => ps.reduce((s, p) => s + used(p), 0);
  r.gatewayCpu = used(target.gateway) / r.seconds;
  r.workersCpu = sum(target.workers) / r.seconds;
  r.rabbitCpu = (after.rabbit - before.rabbit) / r.seconds;
  // Over the whole wall time of the run: the load generator, and whatever else ran on the machine
  // (not this bench's processes, the broker or the load generator): other sessions, cron, ...
  const wall = Number(after.at - before.at) / 1e9;
  const loadgen = after.reaped - before.reaped;
  r.loadgenCpu = loadgen / wall;
  const ours = [...after.procs.keys()].reduce((s, p) => s + used(p), 0) + (after.bench - before.bench) + loadgen + (Number.isNaN(r.rabbitCpu) ? 0 : after.rabbit - before.rabbit);
  r.otherCpu = Math.max(0, after.machine.busy - before.machine.busy - ours) / wall;
  r.stealCpu = (after.machine.steal - before.machine.steal) / wall;
  return r;
}

// ---------------------------------------------------------------------------------------------
// The machine, and the report

async function brokerInfo(url) {
  let conn;
  try {
    conn = await amqp.connect(url, { timeout: 5000 });
  } catch (err) {
    throw new Error(`RabbitMQ does not answer at ${new URL(url).host} (${err.message}); \`node tools/test-servers/ensure.js\` starts it, or set JUNCTION_AMQP_URL`);
  }
  const props = conn.connection.serverProperties ?? {};
  await conn.close().catch(() => {});
  const text = (v) => (Buffer.isBuffer(v) ? v.toString() : String(v ?? '?'));
  return `${text(props.product)} ${text(props.version)} (${text(props.platform)})`;
}

/** A package's version, read from its package.json (amqplib's exports do not list that file). */
function version(pkg) {
  for (let dir = path.dirname(require.resolve(pkg)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (json.name === pkg) return json.version;
    }
  }
  return '?';
}

function machine(broker) {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown CPU';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    line: `${model.trim()}, ${os.availableParallelism()} cores, ${os.type()} ${os.release()}, Node ${process.version}, ${broker}, amqplib ${version('amqplib')}, zeromq ${version('zeromq')}, fastify ${version('fastify')}, autocannon ${version('autocannon')}`,
    // Taken before the bench starts anything: above ~0.5, other work shares the cores with it.
    load: os.loadavg()[0].toFixed(2),
  };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pad = (v, n) => String(v).padStart(n);
const pct = (x) => (Number.isNaN(x) ? 'n/a' : `${Math.round(x * 100)}%`);
const us = (x) => (Number.isNaN(x) ? 'n/a' : String(Math.round(x)));
const pct1 = (x) => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);

function report(results, m, split) {
  const summary = (target, connections) => {
    const runs = results.filter((r) => r.target === target && r.connections === connections);
    const rps = runs.map((r) => r.rps);
    return {
      target,
      connections,
      rps: mean(rps),
      p50: mean(runs.map((r) => r.p50)),
      p99: mean(runs.map((r) => r.p99)),
      errors: runs.reduce((n, r) => n + Object.values(r.problems).reduce((a, b) => a + b, 0), 0),
      gatewayCpu: mean(runs.map((r) => r.gatewayCpu)),
      workersCpu: mean(runs.map((r) => r.workersCpu)),
      rabbitCpu: mean(runs.map((r) => r.rabbitCpu)),
      // µs of CPU per call: the target's node processes, and the broker
      nodePerCall: mean(runs.map((r) => ((r.gatewayCpu + r.workersCpu) * 1e6) / r.rps)),
      rabbitPerCall: mean(runs.map((r) => (r.rabbitCpu * 1e6) / r.rps)),
      spread: (Math.max(...rps) - Math.min(...rps)) / mean(rps),
      hitRate: mean(runs.map((r) => r.hitRate)), // cached rows only
    };
  };
  const rows = PLAN.flatMap(([connections]) => TARGETS.map((target) => summary(target, connections)));
  const cachedRows = PLAN.flatMap(([connections]) => (CACHED_CONNECTIONS.includes(connections) ? CACHED_TARGETS.map((target) => summary(target, connections)) : []));
  const row = (target, c) => rows.find((r) => r.target === target && r.connections === c);
  const ratio = (key, c, target = 'junction') => (row(target, c) && row('pipeline', c) ? row(target, c)[key] / row('pipeline', c)[key] : NaN);
  const fixed = (x) => (Number.isNaN(x) ? 'n/a' : x.toFixed(2));
  const goal = (text, key, { connections, ratio: limit }, passes) => {
    const x = ratio(key, connections);
    const none = `not measured (no run at ${connections} connection${connections === 1 ? '' : 's'})`;
    return `goal: ${text}: ${Number.isNaN(x) ? none : `${passes(x, limit) ? 'PASS' : 'FAIL'} (ratio ${x.toFixed(2)})`}`;
  };
  const cols = PLAN.map(([c]) => c);
  const lines = [
    `Junction cluster (config/cluster.yaml: gateway + ${WORKERS} workers over ${TRANSPORTS.map((t) => ({ amqp: 'RabbitMQ', tcp: 'TCP', zeromq: 'ZeroMQ' })[t]).join(', ')}) vs hand-written amqplib pipeline: POST /rpc calc.subtract [42,23]`,
    `date     ${m.date}`,
    `machine  ${m.line}; 1-min load average ${m.load} before the run`,
    `method   each row: mean of 2 measured runs of ${SECONDS} s, each after a ${WARMUP} s warm-up; order ${PLAN.map(([c, order]) => `c=${c}: ${order.join(', ')}`).join('; ')}`,
    '',
    '                                                         ---- cpu (100% = 1 core) ----  -- cpu us/call --',
    'target           conns     req/s   p50 ms   p99 ms  errors   gateway  workers  rabbitmq      node  rabbitmq  run-to-run',
    ...rows.map(
      (r) =>
        `${r.target.padEnd(15)} ${pad(r.connections, 6)} ${pad(Math.round(r.rps), 9)} ${pad(r.p50.toFixed(3), 8)} ${pad(r.p99.toFixed(3), 8)} ${pad(r.errors, 7)} ` +
        `${pad(pct(r.gatewayCpu), 9)} ${pad(pct(r.workersCpu), 8)} ${pad(pct(r.rabbitCpu), 9)} ${pad(us(r.nodePerCall), 9)} ${pad(us(r.rabbitPerCall), 9)} ${pad(`${(r.spread * 100).toFixed(1)}%`, 11)}`,
    ),
    ...TARGETS.slice(1).flatMap((target) => [
      '',
      `${`${target} / pipeline`.padEnd(26)} ${cols.map((c) => pad(`c=${c}`, 7)).join('')}`,
      ...[
        ['req/s', 'rps'],
        ['p50 latency', 'p50'],
        ['p99 latency', 'p99'],
        ['node cpu/call', 'nodePerCall'],
        ['rabbit cpu/call', 'rabbitPerCall'],
      ].map(([label, key]) => `  ${label.padEnd(24)} ${cols.map((c) => pad(fixed(ratio(key, c, target)), 7)).join('')}`),
    ]),
    // The cached method, each row against its own cluster's calc.subtract row at the same count.
    ...(cachedRows.length === 0
      ? []
      : [
          '',
          `cached method: calc.divide through the chain's cache proxy (Redis); per connection, ${MISS_EVERY - 1} calls in ${MISS_EVERY} the same, the ${MISS_EVERY}th with params never used`,
          `"hit rate": the share of the calls answered that no worker ran (workers' /metrics); "cached / uncached": vs the same cluster's calc.subtract row above`,
          '                                                                                         -- cached / uncached --',
          'target                  conns     req/s   p50 ms   p99 ms  errors  hit rate  node us/call  run-to-run      req/s      p50',
          ...cachedRows.map((r) => {
            const plain = row(r.target.slice(0, -cachedOf('').length), r.connections);
            return (
              `${r.target.padEnd(22)} ${pad(r.connections, 6)} ${pad(Math.round(r.rps), 9)} ${pad(r.p50.toFixed(3), 8)} ${pad(r.p99.toFixed(3), 8)} ${pad(r.errors, 7)} ${pad(pct1(r.hitRate), 9)} ` +
              `${pad(us(r.nodePerCall), 13)} ${pad(`${(r.spread * 100).toFixed(1)}%`, 11)} ${pad(fixed(r.rps / plain.rps), 10)} ${pad(fixed(r.p50 / plain.p50), 8)}`
            );
          }),
        ]),
    '',
    goal(`junction >= ${GOAL_RPS.ratio} x pipeline req/s at ${GOAL_RPS.connections} connections`, 'rps', GOAL_RPS, (x, limit) => x >= limit),
    goal(`junction p50 <= ${GOAL_P50.ratio} x pipeline p50 at ${GOAL_P50.connections} connection${GOAL_P50.connections === 1 ? '' : 's'}`, 'p50', GOAL_P50, (x, limit) => x <= limit),
  ];
  for (const [target, share] of Object.entries(split)) if (share) lines.push(`${target}'s ${WORKERS} workers ran ${share} of the calc calls`);
  // A hit rate far from the mix's means the rows measure something else (Redis down: no cache).
  for (const r of cachedRows) {
    const designed = 1 - 1 / MISS_EVERY;
    if (!(Math.abs(r.hitRate - designed) <= 0.02)) lines.push(`note: ${r.target} at c=${r.connections}: hit rate ${pct1(r.hitRate)}, not ${pct1(designed)}: is Redis up? (the cache passes calls through when it is not)`);
  }
  const loadgen = results.map((r) => r.loadgenCpu);
  lines.push(`load generator: ${pct(Math.min(...loadgen))}-${pct(Math.max(...loadgen))} of a core; other work on the machine: up to ${pct(Math.max(...results.map((r) => r.otherCpu)))} of a core during a run`);
  // Say so when the run was disturbed, rather than leave a reader to trust a noisy req/s ratio.
  const worstSpread = Math.max(...rows.map((r) => r.spread), ...cachedRows.map((r) => r.spread));
  const worstOther = Math.max(...results.map((r) => r.otherCpu));
  const worstSteal = Math.max(...results.map((r) => r.stealCpu));
  if (worstSpread > 0.15 || worstOther > 0.15 || worstSteal > 0.1) {
    const why = [];
    if (worstSpread > 0.15) why.push(`runs of a row differ by up to ${Math.round(worstSpread * 100)}%`);
    if (worstOther > 0.15) why.push(`other work took up to ${Math.round(worstOther * 100)}% of a core`);
    if (worstSteal > 0.1) why.push(`the hypervisor stole up to ${Math.round(worstSteal * 100)}% of a core`);
    lines.push(`note: noisy run (${why.join('; ')}): trust cpu us/call more than req/s, or run again`);
  }
  return lines.join('\n');
}

const HOW_TO_READ = `How to read it: every target ran on the machine named above, in the same run, against the same
RabbitMQ, with the load generator (autocannon) in a process of its own; each row is the mean of
two measured runs, taken in alternating order, and the target not being measured sat idle. The
pipeline is the least a hand-written service can do over RabbitMQ (tools/bench/pipeline-gateway.js
and pipeline-worker.js: one Fastify route, an amqplib publish with direct reply-to, one consumer
with the same prefetch, ack after reply); Junction runs config/cluster.yaml unchanged but for
this run's queue names and ports, with ${WORKERS} workers. Read the ratios, not the absolute req/s, which
depend on the machine. The junction/pipeline req/s ratio is the share of the pipeline's
throughput that the platform keeps once a call goes through its gateway (JSON-RPC handling, the
deadline and route proxies), its envelope, its AMQP transport (mandatory publishing, per-message
expiration, the no-consumer check) and its workers' providers (validation, concurrency queue);
the p50 ratio at 1 connection is what it adds to one caller's round trip. "cpu" is what each
side's processes used during the measured run (100% = one core; "workers" sums the worker
processes), and RabbitMQ's (beam.smp read from /proc; n/a when the broker runs elsewhere). On a
2-core machine, gateway + workers + RabbitMQ + the load generator compete for the two cores, so
at 16 connections and above the machine, not one process, is the limit: "cpu us/call" (CPU
divided by calls answered) is then the cost of a call, and the figure that explains a req/s
ratio; it is also the one that other load on a shared machine disturbs least. "rabbitmq" us/call
shows whether one side makes the broker work harder per call. "run-to-run" is the gap between
the two runs of a row; the load average on the machine line and the "other work" line say
whether something else shared the machine; when either is large, run again, or with a longer
BENCH_SECONDS. To see where the time goes, \`BENCH_CPU_PROF=/tmp/prof npm run bench:cluster\`
profiles every process, and \`node tools/bench/profile-top.js /tmp/prof/junction-gateway.cpuprofile\`
lists the functions with the most self time.

Over TCP and ZeroMQ (junction-tcp, junction-zeromq), the same config runs without a broker: the
gateway holds one transport per worker (a pool of 2 connections each, for tcp; one DEALER each,
for zeromq) and balances least-in-flight over them; each worker listens on a port of its own.
Their rows read against the same pipeline, so "junction-tcp / pipeline" next to "junction /
pipeline" is what dropping the broker buys (or costs); "rabbitmq" is then the broker idling.
BENCH_TRANSPORTS=amqp,tcp measures fewer.

The "cached" rows call calc.divide, whose results the chain's cache proxy keeps in Redis, 9 calls
in 10 the same and the 10th with params never used (new ones for every run, so none starts warm),
and read against their own cluster's calc.subtract row at the same connection count; their hit
rate counts the calls no worker ran, the gateway's own cache counters not being visible outside it.`;

const section = (output) =>
  renderSection({
    name: 'cluster',
    title: 'Cluster over RabbitMQ, TCP and ZeroMQ vs a hand-written amqplib pipeline',
    command: 'npm run bench:cluster',
    script: 'tools/bench/cluster.js',
    howToRead: HOW_TO_READ,
    output,
  });

/** The calc calls each of Junction's workers has run so far (their /metrics); NaN for one that did not say. */
function calcCalls(junction) {
  return Promise.all(
    junction.health.map(async (base) => {
      const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      const line = text.split('\n').find((l) => l.startsWith('junction_queue_accepted_total{queue="provider queue of calc"}'));
      return Number(line?.split(' ').pop());
    }),
  );
}
const sumOf = (xs) => xs.reduce((a, b) => a + b, 0);

/** "50.1% / 49.9%": how the calls of the run were shared between Junction's workers (their /metrics). */
async function workerSplit(junction) {
  try {
    const counts = await calcCalls(junction);
    const total = sumOf(counts);
    if (!(total > 0)) return undefined;
    return counts.map((n) => `${((100 * n) / total).toFixed(1)}%`).join(' / ');
  } catch {
    return undefined;
  }
}

/** The services a Junction worker hosts (system.health, through the gateway); [] if it does not say. */
async function hostedServices(url) {
  try {
    const body = JSON.stringify({ jsonrpc: '2.0', method: 'system.health', id: 1 });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5000) });
    const services = (await res.json()).result?.services;
    if (Array.isArray(services)) return services;
  } catch {
    // said below
  }
  progress(`warning: system.health at ${url} did not list the services the workers host; queues of services config.services does not name may be left on the broker`);
  return [];
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every process stopped (and checked gone), the run's queues deleted, the temp dir removed.

let cleanupState = { queues: [], url: undefined, tmp: undefined };

/** Pids of processes whose command line names this run (its config file, its pipeline queue). */
function processesOfRun() {
  const found = [];
  for (const entry of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(RUN)) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

async function deleteQueues(url, queues) {
  const problems = [];
  let conn;
  // A broker that is restarting (a test's `rabbitmqctl stop_app`) gets a few seconds to come back.
  for (let attempt = 1; conn === undefined; attempt++) {
    try {
      conn = await amqp.connect(url, { timeout: 5000 });
    } catch (err) {
      if (attempt === 5) return [`cannot connect to the broker (${err.message}) to delete ${queues.join(', ')}; \`rabbitmqctl delete_queue <name>\` deletes one`];
      await sleep(2000);
    }
  }
  conn.on('error', () => {});
  try {
    let ch;
    for (const q of queues) {
      try {
        ch ??= await conn.createChannel();
        ch.on('error', () => {});
        await ch.deleteQueue(q);
      } catch (err) {
        problems.push(`${q}: ${err.message}`);
        ch = undefined; // a failed operation closes the channel
      }
    }
  } finally {
    await conn.close().catch(() => {});
  }
  return problems;
}

/** Returns what went wrong (orphans, queues it could not delete), for the caller to report. */
async function cleanup(graceMs) {
  const problems = [];
  await children.stopAll(graceMs).catch((err) => problems.push(`stopping the children: ${err.message}`));
  for (const pid of processesOfRun()) {
    problems.push(`process ${pid} of the run was still running after the bench stopped its children; killed it`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const { queues, url, tmp } = cleanupState;
  cleanupState = { queues: [], url: undefined, tmp };
  if (queues.length > 0) {
    const failed = await deleteQueues(url, queues).catch((err) => [err.message]);
    if (failed.length > 0) problems.push(`could not delete the run's queues: ${failed.join('; ')}`);
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  return problems;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const write = process.argv.includes('--write');
  const unknown = process.argv.slice(2).filter((a) => a !== '--write');
  if (unknown.length > 0) throw new Error(`unknown argument(s) ${unknown.join(' ')}; usage: node tools/bench/cluster.js [--write]`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'junction-bench-cluster-'));
  cleanupState.tmp = tmp;
  const run = runConfig(tmp);
  const m = machine(await brokerInfo(run.url));
  if (Number(m.load) > 1) progress(`warning: the 1-min load average is ${m.load}: other work shares the machine, and the figures will be noisy`);
  if (CPU_PROF) fs.mkdirSync(CPU_PROF, { recursive: true });
  const rabbit = rabbitPids();

  progress(`${m.line}; starting Junction (gateway + ${WORKERS} workers) over ${TRANSPORTS.join(', ')} and the pipeline (gateway + worker), queues ${RUN}.*`);
  cleanupState = { ...cleanupState, url: run.url, queues: [...run.queues, `${RUN}.pipeline`] };
  const clusters = [];
  for (const transport of TRANSPORTS) {
    clusters.push(transport === 'amqp' ? { name: 'junction', gateway: run.file, workers: Array(WORKERS).fill(run.file) } : await pointToPointRun(tmp, run, transport));
  }
  const all = await Promise.all([startPipeline(run), ...clusters.map((c) => startJunction(c.name, c))]);
  const targets = Object.fromEntries(all.map((t) => [t.name, t]));
  progress(`${all.map((t) => `${t.name} at ${t.url}`).join(', ')}; all answer ${EXPECT}${rabbit.length === 0 ? "; RabbitMQ's CPU is not visible here (no beam.smp in /proc)" : ''}`);
  // The workers also host services config.services does not name (the platform's own: system, and
  // any added since), each with a queue of this run's: ask one which (system.health, through the
  // gateway), so that none of them is left on the broker.
  if (targets.junction) {
    const prefix = run.config.transports.rabbit.queuePrefix;
    cleanupState.queues = [...new Set([...cleanupState.queues, ...(await hostedServices(targets.junction.url)).map((s) => `${prefix}${s}`)])];
  }

  const results = [];
  for (const [connections, order] of PLAN) {
    for (const name of order) {
      const cached = CACHED_TARGETS.includes(name);
      const target = targets[cached ? name.slice(0, -cachedOf('').length) : name];
      progress(`${name}, c=${connections}: ${WARMUP} s warm-up, ${SECONDS} s measured`);
      await load(target, all, rabbit, connections, WARMUP, 'warm-up', cached);
      const r = await load(target, all, rabbit, connections, SECONDS, 'measured', cached);
      progress(
        `  ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms; cpu gateway ${pct(r.gatewayCpu)}, workers ${pct(r.workersCpu)}, rabbitmq ${pct(r.rabbitCpu)}, load generator ${pct(r.loadgenCpu)}, other ${pct(r.otherCpu)}` +
          (cached ? `; hit rate ${pct1(r.hitRate)} (${pct1(r.freshShare)} of the calls were new)` : ''),
      );
      results.push({ target: name, connections, ...r });
    }
  }
  const split = {};
  for (const t of all.slice(1)) split[t.name] = await workerSplit(t);
  const queueCount = cleanupState.queues.length;
  const problems = await cleanup(5000);
  if (problems.length > 0) throw new Error(problems.join('\n  '));
  progress(`stopped every process of the run (none left) and deleted its ${queueCount} queues`);

  const text = report(results, m, split);
  console.log(`\n${text}`);
  if (write) progress(`wrote ${path.relative(process.cwd(), writeMarkedSection(path.join(ROOT, 'docs/benchmarks.md'), 'cluster', section(text)))}`);
}

// Ctrl-C, kill, or a crash: stop every child first (servers, load generator), delete the run's
// queues, then exit.
let exiting = false;
async function shutdown(code, why) {
  if (exiting) return;
  exiting = true;
  if (why) console.error(`bench: ${why}`);
  const problems = await cleanup(2000).catch((err) => [err.message]);
  for (const p of problems) console.error(`bench: cleanup: ${p}`);
  process.exit(code);
}
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => shutdown(code, `${signal}: stopping every process of the run and deleting its queues`));
}
main().then(
  () => shutdown(0),
  (err) => shutdown(1, `FAILED: ${err.message}`),
);
