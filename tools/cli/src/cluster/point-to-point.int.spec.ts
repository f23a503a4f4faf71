import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JunctionConfig, parseConfig } from '@junction/core';

// config/cluster-tcp.yaml as real processes: `junction start --role gateway` and two `--role worker`,
// over tcp and over zeromq (the same file with `type: zeromq`), no broker between them. Each worker
// serves on a port of its own; the gateway balances over one transport per worker.
jest.setTimeout(60_000);

const ROOT = join(__dirname, '../../../..');
const BIN = join(__dirname, '..', 'bin.ts');
const BASE = join(ROOT, 'config/cluster-tcp.yaml');

interface Proc {
  child: ChildProcess;
  url: string;
  output(): string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number, explain: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}${explain()}`);
    await sleep(25);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** cluster-tcp.yaml with the transports' type, the workers' ports, and calc alone (no database needed). */
function config(type: 'tcp' | 'zeromq', ports: [number, number], listen: number): JunctionConfig {
  const parsed = parseConfig(readFileSync(BASE, 'utf8'), BASE, {
    ...process.env,
    JUNCTION_LOG_LEVEL: 'warn',
    JUNCTION_PORT: '0',
    JUNCTION_WORKER_PORT: '0',
    JUNCTION_TCP_WORKER1: `127.0.0.1:${ports[0]}`,
    JUNCTION_TCP_WORKER2: `127.0.0.1:${ports[1]}`,
    JUNCTION_TCP_PORT: String(listen),
  });
  const c = structuredClone(parsed) as JunctionConfig;
  for (const [name, t] of Object.entries(c.transports)) {
    if (t.type !== 'tcp') throw new Error(`${BASE}: transports.${name}: expected type tcp`);
    if (type === 'zeromq') {
      const { poolSize: _p, connectTimeoutMs: _c, ...rest } = t;
      c.transports[name] = { ...rest, type: 'zeromq' };
    }
  }
  c.services = { calc: c.services.calc };
  c.infrastructure = {};
  return c;
}

const BANNER = { gateway: /POST (http:\/\/[^/\s]+)\/rpc/, worker: /worker health\s+GET\s+(http:\/\/[^/\s]+)\/healthz/ };

async function start(file: string, role: 'gateway' | 'worker', procs: Proc[]): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', '@junction/source', BIN, 'start', '--config', file, '--role', role], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const proc: Proc = { child, url: '', output: () => out };
  procs.push(proc);
  const explain = () => `\n--- ${role} ${child.pid} ---\n${out}`;
  await until(`the ${role} prints its banner`, () => BANNER[role].test(out) || child.exitCode !== null, 30_000, explain);
  if (child.exitCode !== null) throw new Error(`the ${role} exited at start${explain()}`);
  proc.url = BANNER[role].exec(out)![1];
  await until(`the ${role} is ready`, async () => (await fetch(`${proc.url}/readyz`).catch(() => undefined))?.status === 200, 15_000, explain);
  return proc;
}

async function subtract(gateway: Proc, id: number): Promise<unknown> {
  const res = await fetch(`${gateway.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'calc.subtract', params: [42, 23], id }) });
  const body = (await res.json()) as { result?: unknown };
  return body.result ?? body; // the whole body when it is an error, to show in the failure
}

async function calcCalls(worker: Proc): Promise<number> {
  const text = await (await fetch(`${worker.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('junction_queue_accepted_total{queue="provider queue of calc"}'));
  return Number(line?.split(' ').pop() ?? NaN);
}

describe.each(['tcp', 'zeromq'] as const)('a gateway and two workers over %s (config/cluster-tcp.yaml)', (type) => {
  const procs: Proc[] = [];
  let dir: string;
  let gateway: Proc;
  let workers: Proc[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `junction-${type}-cluster-`));
    const ports: [number, number] = [await freePort(), await freePort()];
    const file = (name: string, listen: number) => {
      const path = join(dir, `${name}.json`);
      writeFileSync(path, JSON.stringify(config(type, ports, listen)));
      return path;
    };
    workers = await Promise.all(ports.map((p, i) => start(file(`worker${i + 1}`, p), 'worker', procs)));
    gateway = await start(file('gateway', ports[0]), 'gateway', procs);
  });

  afterAll(() => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers through either worker, sharing the calls between them', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => subtract(gateway, i)));
    expect(results).toEqual(Array(200).fill(19));
    const [a, b] = await Promise.all(workers.map(calcCalls));
    expect(a + b).toBeGreaterThanOrEqual(200);
    expect(Math.min(a, b)).toBeGreaterThan(20);
  });

  it('goes on answering, and stays ready, when a worker is SIGKILLed', async () => {
    workers[0].child.kill('SIGKILL');
    await new Promise((resolve) => workers[0].child.once('exit', resolve));
    // Idempotent calls that find the dead worker's connection gone are retried on the other.
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => subtract(gateway, 1000 + i)));
    expect(results).toEqual(Array(100).fill(19));
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
  });
});
