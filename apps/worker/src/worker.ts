import { createDb, createSystemService, type Db, type Handler, type JunctionConfig, type Logger, NodeMetrics, Provider, type ProxyStatus, type QueueStats } from '@junction/core';
import { type Bus, createLoggingService, createManagementService, createMemoryBus, Membership } from '@junction/core';
import { createTracingService, SpanStore, type Tracer } from '@junction/core';
import { type Transport } from '@junction/transports';
import { loadServices } from './load-services';

export interface WorkerOptions {
  config: JunctionConfig;
  configFile: string;
  log: Logger;
  /** The node's transports by name (shared with a gateway in the same process). */
  transports: ReadonlyMap<string, Transport>;
  /** The node's bus, for `logging` and `management`; a bus of this process alone when absent. */
  bus?: Bus;
  /** `all` when a gateway shares the process. Default `worker`. */
  role?: string;
  /** Announced in heartbeats. */
  version?: string;
  /** The state of the node's proxy chain, for `system.health` (read when asked: the chain is compiled after the worker). */
  proxies?: () => ProxyStatus[];
  /** The node's metrics, which count the provider's calls; the worker makes its own when absent. */
  metrics?: NodeMetrics;
  /** This process's tracer, when tracing is on: it records a provider and a handler span of each sampled call. */
  tracer?: Tracer;
}

export interface Worker {
  readonly provider: Provider;
  /** Where this worker's tracing service keeps spans; the node's tracer ships its own spans straight to it. */
  readonly spans: SpanStore;
  /** This node on the bus: heartbeats, the nodes heard from, log levels set cluster-wide. */
  readonly membership: Membership;
  /** Counts every call the provider answers, and keeps the last minute for `system.metrics`. */
  readonly metrics: NodeMetrics;
  /** Serves the hosted services on `worker.serve`; `outbound` is where handlers' ctx.call goes. */
  start(outbound: Handler): Promise<void>;
  /** True while serving and not draining. */
  ready(): boolean;
  /** Every hand-off of this worker as a bounded queue: requests in on each transport it serves, then each service's concurrency module. */
  queues(): QueueStats[];
  /**
   * Stops taking calls, finishes those in flight (acknowledging them), then releases the db.
   * Resolves `false` if calls were still running when the grace period ran out.
   */
  drain(graceMs?: number): Promise<boolean>;
}

/** A worker hosts services with their providers and concurrency modules and serves them on transports. */
export function createWorker(opts: WorkerOptions): Worker {
  const { config, log, transports } = opts;
  const spec = config.worker;
  if (spec === undefined) throw new Error(`${opts.configFile}: this node hosts services, but the config has no worker section`);
  const missing = spec.serve.filter((name) => !transports.has(name));
  if (missing.length > 0) {
    throw new Error(`${opts.configFile}: worker.serve names ${missing.map((m) => `"${m}"`).join(', ')}, not under transports (known: ${[...transports.keys()].join(', ') || 'none'})`);
  }
  const services = loadServices(config, opts.configFile, spec.services ?? Object.keys(config.services));
  const db: Db | undefined = config.infrastructure.db === undefined ? undefined : createDb(config.infrastructure.db);
  const provider = new Provider({ log, infrastructure: { db }, debug: config.node.debug, node: config.node.name });
  const bus = opts.bus ?? createMemoryBus({ log });
  const metrics = opts.metrics ?? new NodeMetrics({ node: config.node.name });
  metrics.observe(provider);
  const membership = new Membership({
    bus,
    node: config.node.name,
    role: opts.role ?? 'worker',
    version: opts.version ?? '0.0.0',
    heartbeatMs: config.node.heartbeatMs,
    log,
    provider,
    // Each heartbeat carries the last minute's figures and the queues: management.metrics adds
    // up the cluster's, management.queues lists every node's. The node's queues are its metrics'
    // list: this worker's, or, where the node has a gateway too, the gateway's (its "HTTP in" queue first).
    metrics: () => metrics.window.digest(),
    queues: () => metrics.queueStats(),
  });
  metrics.queues(() => queues());
  if (opts.tracer !== undefined) provider.observe(opts.tracer.observer, { trace: true });
  // Hosted like `system`, whether this node traces or not: the nodes that do ship their spans here.
  const spans = new SpanStore({ ringSize: config.tracing.ringSize, db: config.tracing.store ? db : undefined, log, node: config.node.name, retentionHours: config.tracing.retentionHours });
  try {
    for (const { def, module } of services) {
      const sc = config.services[def.name];
      provider.register(def, { concurrency: sc.concurrency, settings: sc.settings, timeoutMs: sc.timeoutMs, module });
    }
    provider.register(createLoggingService(membership));
    provider.register(createManagementService(membership));
    provider.register(createTracingService(spans, opts.tracer));
    provider.register(createSystemService({ node: config.node.name, provider, queues: () => queues(), proxies: () => opts.proxies?.() ?? [], metrics: () => metrics.summary() }));
  } catch (err) {
    void db?.close();
    throw err;
  }
  let state: 'new' | 'serving' | 'draining' | 'stopped' = 'new';
  const served = spec.serve.map((name) => transports.get(name)!);
  function queues(): QueueStats[] {
    return [...served.flatMap((t) => t.queues()), ...provider.queues()];
  }

  return {
    provider,
    spans,
    membership,
    metrics,
    queues,
    async start(outbound) {
      provider.connect(outbound);
      const handler: Handler = (req) => provider.handle(req);
      for (const t of served) await t.serve(provider.services(), handler, { capacity: (s) => provider.capacity(s) });
      await membership.start();
      state = 'serving';
      log.info({ services: provider.services(), transports: spec.serve }, 'worker serving');
    },
    ready: () => state === 'serving' && served.every((t) => t.ready()),
    async drain(graceMs = spec.drainGraceMs) {
      if (state === 'stopped' || state === 'draining') return true;
      state = 'draining';
      // 1. stop taking new calls and let the transports finish (and ack) those they handed over;
      // 2. wait for the provider's queues; 3. release infrastructure.
      const finished = Promise.all(served.map((t) => t.drain())).then(() => provider.drain());
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([finished.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
      clearTimeout(timer);
      if (!inTime) log.warn({ graceMs, queues: provider.queues() }, 'drain grace period ran out with calls still in flight');
      await membership.stop();
      if (opts.bus === undefined) await bus.close();
      await provider.close();
      // Before the db: its encoder thread holds a connection to an SQLite file.
      await spans.close();
      await db?.close();
      state = 'stopped';
      return inTime;
    },
  };
}
