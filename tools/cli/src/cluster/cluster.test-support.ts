import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AmqpTransportConfig, createPostgresDb, type Db, type JunctionConfig, parseConfig } from '@junction/core';
import { type ConfirmChannel, connect } from 'amqplib';

// Test support for the cluster tests: real gateway and worker processes, started from sources as
// `npx junction start --config ... --role ...` would run them, over the real RabbitMQ and
// PostgreSQL. Each cluster has a config of its own, written to a temp dir from config/cluster.yaml
// with a queue prefix, a dead-letter queue and a PostgreSQL schema of its own, so clusters (and
// concurrent test runs) never see each other's messages or rows.

const ROOT = join(__dirname, '../../../..');
const BIN = join(__dirname, '..', 'bin.ts');
const PROBE = join(__dirname, 'fixtures', 'probe-service.ts');

export interface ClusterOptions {
  /** Worker processes started with the cluster. Default 2. */
  workers?: number;
  /** `transports.rabbit.prefetch`. Default: cluster.yaml's. */
  prefetch?: number;
  /** The probe service's inline concurrency module. Default 256 in flight, 1000 waiting. */
  probe?: { maxInFlight: number; maxQueue: number };
  /** `worker.drainGraceMs`. Default 10 s. */
  drainGraceMs?: number;
  /**
   * The services each worker hosts (`worker.services`), one entry per worker, e.g.
   * `[['shots'], ['calc']]`: each such worker gets a config file of its own, and the node name
   * `<node.name>.w<n>`. Overrides `workers`.
   */
  workerServices?: readonly (readonly string[])[];
  /** Changes the run's config before it is written (chain, transports, more services); `run` names the run, for prefixes. */
  configure?: (config: JunctionConfig, run: string) => void;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One process of the cluster. */
export interface Proc {
  readonly role: 'gateway' | 'worker';
  readonly pid: number;
  /** The gateway's URL, or the worker's health URL. */
  readonly url: string;
  /** Its stdout and stderr so far. */
  output(): string;
  /** Resolves when it has exited. */
  readonly exit: Promise<Exit>;
  /** Its exit, once it has exited; undefined while it runs. */
  exited(): Exit | undefined;
  kill(signal: NodeJS.Signals): void;
}

export interface RpcError {
  code: number;
  message: string;
  data?: { code?: string; details?: Record<string, unknown> };
}

export interface RpcOutcome<T = unknown> {
  status: number;
  result?: T;
  error?: RpcError;
  /** When the call was sent and how long it took to be answered, in ms. */
  at: number;
  ms: number;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, explain: () => string = () => ''): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}${explain()}`);
    await sleep(25);
  }
}

export const rabbitmqctl = (...args: string[]) => promisify(execFile)('rabbitmqctl', args, { timeout: 60_000 });

/** Runs `fn` over `items`, at most `limit` at once. */
export async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** The value of one series of a worker's `/metrics` for the provider queue of `service`. */
export async function metric(worker: Proc, name: string, service = 'probe'): Promise<number> {
  const text = await (await fetch(`${worker.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{queue="provider queue of ${service}"}`));
  if (line === undefined) throw new Error(`no ${name} for ${service} in the metrics of worker ${worker.pid}:\n${text}`);
  return Number(line.split(' ').pop());
}

// Every process any cluster of this test file started: killed if the test process leaves early.
const everyChild = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of everyChild) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const BANNER = { gateway: /POST (http:\/\/[^/\s]+)\/rpc/, worker: /worker health\s+GET\s+(http:\/\/[^/\s]+)\/healthz/ };

/** Runs the CLI from its TypeScript sources, as cli.int.spec.ts does, and waits until the process is ready. */
async function startProc(configFile: string, role: 'gateway' | 'worker', started: Proc[]): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', '@junction/source', BIN, 'start', '--config', configFile, '--role', role], {
    cwd: ROOT,
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  everyChild.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let done: Exit | undefined;
  const proc = {
    role,
    pid: child.pid!,
    url: '',
    output: () => out,
    exit: new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve((done = { code, signal })))),
    exited: () => done,
    kill: (signal: NodeJS.Signals) => {
      if (done === undefined) child.kill(signal);
    },
  };
  started.push(proc);
  const explain = () => `\n--- ${role} ${child.pid} output ---\n${out}`;
  await until(`the ${role} prints its banner`, () => BANNER[role].test(out) || done !== undefined, 30_000, explain);
  if (done !== undefined) throw new Error(`the ${role} exited at start (${JSON.stringify(done)})${explain()}`);
  proc.url = BANNER[role].exec(out)![1];
  // A worker is ready when it consumes its queues; a gateway when its transport is connected.
  await until(`the ${role} is ready`, async () => (await fetch(`${proc.url}/readyz`).catch(() => undefined))?.status === 200, 15_000, explain);
  return proc;
}

function runConfig(run: string, schema: string, opts: ClusterOptions): JunctionConfig {
  const file = join(ROOT, 'config/cluster.yaml');
  const base = parseConfig(readFileSync(file, 'utf8'), file, {
    ...process.env,
    JUNCTION_NODE: run,
    JUNCTION_LOG_LEVEL: 'warn',
    JUNCTION_QUEUE_PREFIX: `${run}.svc.`,
    // Port 0: each process takes a free port and prints it in its banner, so no other process can
    // take it in between, as it could a port picked in advance.
    JUNCTION_PORT: '0',
    JUNCTION_WORKER_PORT: '0',
    JUNCTION_DRAIN_GRACE_MS: String(opts.drainGraceMs ?? 10_000),
  });
  // cluster.yaml's shape, with what is this run's own.
  const config = structuredClone(base) as JunctionConfig;
  const rabbit = config.transports.rabbit;
  if (rabbit?.type !== 'amqp') throw new Error(`${file}: the cluster tests expect transports.rabbit of type amqp`);
  rabbit.deadLetterQueue = `${run}.dead`;
  if (opts.prefetch !== undefined) rabbit.prefetch = opts.prefetch;
  const db = config.infrastructure.db;
  if (db?.type !== 'postgres') throw new Error(`${file}: the cluster tests expect infrastructure.db of type postgres`);
  db.schema = schema;
  db.poolSize = 4;
  const probe = opts.probe ?? { maxInFlight: 256, maxQueue: 1000 };
  config.services.probe = { package: PROBE, concurrency: { type: 'inline', ...probe }, settings: {} };
  opts.configure?.(config, run);
  return config;
}

/**
 * A gateway and some workers of one cluster, with the run's config, queues and schema. Start it
 * with `Cluster.start()` in beforeAll, `stop()` it in afterAll.
 */
export class Cluster {
  readonly #run: string;
  readonly #dir: string;
  readonly #schema: string;
  readonly #admin: Db;
  readonly #procs: Proc[] = [];
  readonly #workerFiles: string[] = [];
  #stopped: Promise<void> | undefined;
  readonly configFile: string;
  readonly config: JunctionConfig;
  readonly #rabbit: AmqpTransportConfig;
  gateway!: Proc;
  readonly workers: Proc[] = [];

  /**
   * Starts a gateway and `workers` worker processes (default 2), in parallel, and resolves when
   * every one is ready. If any fails to start, whatever started is stopped and cleaned up.
   */
  static async start(opts: ClusterOptions = {}): Promise<Cluster> {
    const cluster = new Cluster(opts);
    try {
      await cluster.#admin.exec(
        `CREATE SCHEMA ${cluster.#schema}; CREATE TABLE ${cluster.#schema}.probe_runs (token TEXT NOT NULL, pid INTEGER NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())`,
      );
      const files = cluster.#workerFiles.length > 0 ? cluster.#workerFiles : Array.from({ length: opts.workers ?? 2 }, () => cluster.configFile);
      const [gateway, ...workers] = await Promise.all([cluster.#spawn('gateway'), ...files.map((file) => cluster.#spawn('worker', file))]);
      cluster.gateway = gateway;
      cluster.workers.push(...workers);
      return cluster;
    } catch (err) {
      await cluster.stop().catch(() => undefined);
      throw err;
    }
  }

  private constructor(opts: ClusterOptions) {
    const tag = `${process.pid}.${randomBytes(3).toString('hex')}`;
    this.#run = `junction.test.${tag}`;
    this.#schema = `junction_t_cluster_${tag.replace('.', '_')}`;
    this.config = runConfig(this.#run, this.#schema, opts);
    this.#rabbit = this.config.transports.rabbit as AmqpTransportConfig;
    this.#dir = mkdtempSync(join(tmpdir(), 'junction-cluster-'));
    this.configFile = join(this.#dir, 'cluster.yaml');
    // JSON is YAML: the file is cluster.yaml with its variables resolved and this run's values in.
    writeFileSync(this.configFile, `# cluster test run ${this.#run}, from config/cluster.yaml\n${JSON.stringify(this.config, null, 2)}\n`);
    (opts.workerServices ?? []).forEach((services, i) => {
      const file = join(this.#dir, `worker-${i + 1}.yaml`);
      const config = { ...this.config, node: { ...this.config.node, name: `${this.config.node.name}.w${i + 1}` }, worker: { ...this.config.worker!, services: [...services] } };
      writeFileSync(file, `# cluster test run ${this.#run}, worker ${i + 1}: ${services.join(', ')}\n${JSON.stringify(config, null, 2)}\n`);
      this.#workerFiles.push(file);
    });
    this.#admin = createPostgresDb({ type: 'postgres', url: (this.config.infrastructure.db as { url: string }).url, poolSize: 2 });
  }

  /** `<queuePrefix><service>` is each service's queue. */
  get queuePrefix(): string {
    return this.#rabbit.queuePrefix;
  }

  get deadLetterQueue(): string {
    return this.#rabbit.deadLetterQueue;
  }

  /** Starts one more worker on the same config and waits until it is ready. */
  async startWorker(): Promise<Proc> {
    const w = await this.#spawn('worker');
    this.workers.push(w);
    return w;
  }

  /** One JSON-RPC call through the gateway, with real HTTP; `timeoutMs` is sent as `x-junction-timeout-ms`, `apiKey` as a bearer token. */
  async rpc<T = unknown>(method: string, params: unknown, timeoutMs = 10_000, apiKey?: string): Promise<RpcOutcome<T>> {
    const at = Date.now();
    const auth: Record<string, string> = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
    const res = await fetch(`${this.gateway.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-junction-timeout-ms': String(timeoutMs), ...auth },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
      // A gateway that never answers fails the test instead of hanging it.
      signal: AbortSignal.timeout(timeoutMs + 10_000),
    });
    const body = (await res.json()) as { result?: T; error?: RpcError };
    return { status: res.status, result: body.result, error: body.error, at, ms: Date.now() - at };
  }

  /** Posts a body's exact text to the gateway's `/rpc`. */
  async post(text: string): Promise<{ status: number; contentType: string | null; text: string }> {
    const res = await fetch(`${this.gateway.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text, signal: AbortSignal.timeout(20_000) });
    return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
  }

  /** How many times `probe.record` ran, by token, and in which processes (from PostgreSQL). */
  async executions(): Promise<Map<string, { runs: number; pids: number[] }>> {
    const rows = await this.#admin.query<{ token: string; pid: number }>(`SELECT token, pid FROM ${this.#schema}.probe_runs ORDER BY at`);
    const out = new Map<string, { runs: number; pids: number[] }>();
    for (const { token, pid } of rows) {
      const e = out.get(token) ?? { runs: 0, pids: [] };
      e.runs++;
      e.pids.push(pid);
      out.set(token, e);
    }
    return out;
  }

  /** Runs `fn` on a confirm channel of a connection of its own to the broker. */
  async withChannel<T>(fn: (ch: ConfirmChannel) => Promise<T>): Promise<T> {
    const conn = await connect(this.#rabbit.url);
    conn.on('error', () => undefined);
    try {
      const ch = await conn.createConfirmChannel();
      ch.on('error', () => undefined);
      return await fn(ch);
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  /** Kills every process it started, checks none is left, deletes the run's queues, schema and temp dir. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    const problems: string[] = [];
    // 1. SIGTERM everything still running; SIGKILL what has not exited after 5 s.
    for (const p of this.#procs) p.kill('SIGTERM');
    await Promise.all(
      this.#procs.map(async (p) => {
        const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
        await p.exit;
        clearTimeout(timer);
      }),
    );
    // 2. No process of this run may be left: anything whose command line names its config.
    for (const pid of processesNaming(this.#dir)) {
      problems.push(`process ${pid} of the run was still running after stop; killed it`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    // 3. The run's queues, its schema and its temp dir go.
    const queues = [...Object.keys(this.config.services), 'system', 'logging', 'management', 'tracing'].map((s) => `${this.queuePrefix}${s}`).concat(this.deadLetterQueue);
    await this.withChannel(async (ch) => {
      for (const q of queues) await ch.deleteQueue(q);
    }).catch((err: Error) => problems.push(`could not delete the run's queues: ${err.message}`));
    await this.#admin.exec(`DROP SCHEMA IF EXISTS ${this.#schema} CASCADE`).catch((err: Error) => problems.push(`could not drop schema ${this.#schema}: ${err.message}`));
    await this.#admin.close();
    rmSync(this.#dir, { recursive: true, force: true });
    if (problems.length > 0) throw new Error(`cluster ${this.#run}: ${problems.join('; ')}`);
  }

  #spawn(role: 'gateway' | 'worker', file = this.configFile): Promise<Proc> {
    return startProc(file, role, this.#procs);
  }
}

/** Pids of the processes whose command line contains `text` (Linux /proc). */
function processesNaming(text: string): number[] {
  if (!existsSync('/proc')) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}
