import { createDb, createSystemService, type Db, type Handler, type JunctionConfig, type Logger, Provider, type ProxyStatus, type QueueStats } from '@junction/core';
import { type Transport } from '@junction/transports';
import { loadServices } from './load-services';

export interface WorkerOptions {
  config: JunctionConfig;
  configFile: string;
  log: Logger;
  /** The node's transports by name (shared with a gateway in the same process). */
  transports: ReadonlyMap<string, Transport>;
  /** The state of the node's proxy chain, for `system.health` (read when asked: the chain is compiled after the worker). */
  proxies?: () => ProxyStatus[];
}

export interface Worker {
  readonly provider: Provider;
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
  try {
    for (const { def, module } of services) {
      const sc = config.services[def.name];
      provider.register(def, { concurrency: sc.concurrency, settings: sc.settings, timeoutMs: sc.timeoutMs, module });
    }
    provider.register(createSystemService({ node: config.node.name, provider, queues: () => queues(), proxies: () => opts.proxies?.() ?? [] }));
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
    queues,
    async start(outbound) {
      provider.connect(outbound);
      const handler: Handler = (req) => provider.handle(req);
      for (const t of served) await t.serve(provider.services(), handler, { capacity: (s) => provider.capacity(s) });
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
      await provider.close();
      await db?.close();
      state = 'stopped';
      return inTime;
    },
  };
}
