import { type AddressInfo } from 'node:net';
import { compileChain, type CompiledChain, createLogger, type Handler, type JunctionConfig, knownServices, type Logger, NodeMetrics, type Provider, type ProxyStatus } from '@junction/core';
import { createBus, Membership } from '@junction/core';
import { connectTracer, Tracer } from '@junction/core';
import { consoleMount } from '@junction/console';
import { createGateway } from '@junction/gateway';
import { createTransport, type Transport } from '@junction/transports';
import { createHealthServer, createWorker, type Worker } from '@junction/worker';

export type Role = 'all' | 'gateway' | 'worker';
export const ROLES: readonly Role[] = ['all', 'gateway', 'worker'];

export interface StartOptions {
  config: JunctionConfig;
  configFile: string;
  role: Role;
  log?: Logger;
}

export interface RunningNode {
  readonly role: Role;
  readonly provider?: Provider;
  readonly chain: Handler;
  /** The state of the chain's proxies (circuits, cache counters), as `system.health` reports it. */
  proxies(): ProxyStatus[];
  /** The node's metrics: what `/metrics` renders on its gateway and its worker's health port. */
  readonly metrics: NodeMetrics;
  /** Where the gateway listens, when this node has one. */
  readonly url?: string;
  /** The developer console, when the config mounts it in this node's gateway. */
  readonly consoleUrl?: string;
  /** The gateway's Fastify app, when this node has one: `inject` reaches it without a socket (tests). */
  readonly gateway?: Awaited<ReturnType<typeof createGateway>>;
  /** Where the worker's health port listens, when it has one. */
  readonly healthUrl?: string;
  /** This process's tracer, when tracing is on: its stats say what was recorded, shipped and dropped. */
  readonly tracer?: Tracer;
  readonly log: Logger;
  /**
   * Stops taking calls, finishes those in flight within the worker's grace period, releases
   * everything. Resolves `false` if calls were abandoned at the end of the grace period: their
   * requests go back to a durable transport's broker at once, but their handlers may still be
   * running, so the process should exit rather than wait for them.
   */
  stop(): Promise<boolean>;
}

const urlOf = (address: AddressInfo) => `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

/**
 * Builds a node from config, in dependency order: transports, the worker (infrastructure,
 * provider and services, served on its transports), the proxy chain, the gateway.
 */
export async function startNode(opts: StartOptions): Promise<RunningNode> {
  const { config, role, configFile } = opts;
  const format = config.log.format === 'auto' ? (process.stdout.isTTY ? 'pretty' : 'json') : config.log.format;
  const log = opts.log ?? createLogger({ level: config.log.level, name: config.node.name, format });
  if (role !== 'worker' && config.gateway === undefined) throw new Error(`${configFile}: role "${role}" runs a gateway, but the config has no gateway section`);

  // Closers run in reverse order of creation: the gateway stops taking calls first, the worker
  // drains, the transports close last.
  const closers: (() => Promise<unknown>)[] = [];
  let clean = true;
  // Set when the worker's grace period ran out with calls still running: the transports are then
  // killed rather than closed, because closing waits for those calls, which the grace period gave up on.
  let abandoned = false;
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((err: unknown) => {
        clean = false;
        log.error({ err }, 'error while stopping');
      });
    }
    return clean;
  };

  // One registry per node, not prom-client's global one: several nodes in one process (tests) never share a series.
  const metrics = new NodeMetrics({ node: config.node.name }).collectProcess();
  try {
    const transports = new Map<string, Transport>();
    for (const [name, tc] of Object.entries(config.transports)) {
      const t = createTransport(tc, { name, log: log.child({ transport: name }) });
      closers.push(() => (abandoned ? t.kill() : t.close()));
      await t.start();
      transports.set(name, t);
    }

    metrics.transports(() => transports.values());
    // The bus (log levels, heartbeats) is up before the worker, whose logging service publishes on it, and closes after it.
    const bus = createBus({ config, configFile, log: log.child({ bus: config.bus?.type ?? 'memory' }) });
    closers.push(() => bus.close());
    await bus.start();
    const version = (require('../package.json') as { version: string }).version;
    // One tracer per process (docs/tracing.md); none, and nothing traced, when tracing is off.
    const tracer = config.tracing.enabled ? new Tracer(config.tracing, { node: config.node.name, log }) : undefined;

    let compiled: CompiledChain | undefined;
    const proxies = () => compiled?.status() ?? [];
    metrics.proxies(proxies);
    let worker: Worker | undefined;
    if (role !== 'gateway') {
      const w = createWorker({ config, configFile, log, transports, bus, role, version, proxies, metrics, tracer });
      worker = w;
      closers.push(async () => {
        if (await w.drain()) return;
        clean = false;
        abandoned = true;
      });
    }

    // Services this deployment names (and the platform's own) are known; any other name is
    // METHOD_NOT_FOUND here, whichever transport would have carried it.
    const c = compileChain(config.chain, { provider: worker?.provider, transports, log, metrics, tracer });
    compiled = c;
    // Closed last, after the worker drained: its handlers' ctx.call still go through the chain.
    closers.unshift(() => c.close());
    const chain = knownServices(['system', 'logging', 'management', 'tracing', ...Object.keys(config.services)])(c);
    await worker?.start(chain);
    // Stopped before the worker drains, while the tracing service (here or elsewhere) still answers.
    if (tracer !== undefined) closers.push(connectTracer(tracer, { chain, config: config.tracing, node: config.node.name, local: worker?.spans }));

    let healthUrl: string | undefined;
    const http = config.worker?.http;
    if (worker !== undefined && http !== undefined) {
      const w = worker;
      const health = await createHealthServer({ log, ready: () => w.ready(), queues: () => w.queues(), metrics });
      closers.push(() => health.close());
      await health.listen({ host: http.host, port: http.port });
      healthUrl = urlOf(health.server.address() as AddressInfo);
    }

    if (worker === undefined) {
      // A gateway hosts no service, but is a node of the cluster all the same: it announces itself,
      // with its queues ("HTTP in" and its transports', set by the gateway below), for management.queues.
      const membership = new Membership({ bus, node: config.node.name, role, version, heartbeatMs: config.node.heartbeatMs, log, inFlight: () => transportsInFlight(transports), queues: () => metrics.queueStats() });
      closers.push(() => membership.stop());
      await membership.start();
    }

    let url: string | undefined;
    let gateway: Awaited<ReturnType<typeof createGateway>> | undefined;
    if (role !== 'worker') {
      const gw = config.gateway!;
      const app = await createGateway({
        config: gw,
        handler: chain,
        catalog: c.catalog,
        log,
        debug: config.node.debug,
        node: config.node.name,
        ready: () => gatewayReady(config, transports),
        // Every hand-off of this node: each transport once (in and out), then the provider's modules.
        queues: () => [...[...transports.values()].flatMap((t) => t.queues()), ...(worker?.provider.queues() ?? [])],
        metrics,
        tracer,
        // The developer console under console.path, when the config mounts it (docs/console.md).
        mounts: [consoleMount(config)].filter((m) => m !== undefined),
      });
      gateway = app;
      closers.push(() => app.close());
      await app.listen({ host: gw.host, port: gw.port });
      url = urlOf(app.server.address() as AddressInfo);
    }

    const mounted = url !== undefined && config.console?.mount === true ? `${url}${config.console.path}/` : undefined;
    return { role, provider: worker?.provider, chain, proxies, metrics, url, consoleUrl: mounted, gateway, healthUrl, tracer, log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Calls a gateway has sent and not yet had answered, over every transport. */
function transportsInFlight(transports: ReadonlyMap<string, Transport>): number {
  return [...transports.values()].flatMap((t) => t.queues()).reduce((n, q) => n + q.inFlight, 0);
}

/**
 * A gateway is ready when the transports its chain calls through can carry calls: every one of
 * them, except the point-to-point ones (tcp, zeromq: one per worker, balanced), of which one up is
 * enough. A worker that is down is routed around, so it must not take every gateway out of the
 * load balancer in front of them; a listen-only transport that the gateway never serves on does
 * not count either.
 */
function gatewayReady(config: JunctionConfig, transports: ReadonlyMap<string, Transport>): boolean {
  const used = [...remoteTransports(config.chain)].map((name) => transports.get(name)).filter((t): t is Transport => t !== undefined);
  const direct = used.filter((t) => t.capabilities.balancing === 'client');
  return used.every((t) => t.capabilities.balancing === 'client' || t.ready()) && (direct.length === 0 || direct.some((t) => t.ready()));
}

/** The transports that `remote` terminals name, wherever they sit in the chain (a route, a balance). */
function remoteTransports(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) remoteTransports(v, found);
  else if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if (o.type === 'remote' && typeof o.transport === 'string') found.add(o.transport);
    for (const v of Object.values(o)) remoteTransports(v, found);
  }
  return found;
}
