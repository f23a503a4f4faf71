import { type AddressInfo } from 'node:net';
import { compileChain, createLogger, type Handler, type JunctionConfig, knownServices, type Logger, type Provider } from '@junction/core';
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
  /** Where the gateway listens, when this node has one. */
  readonly url?: string;
  /** Where the worker's health port listens, when it has one. */
  readonly healthUrl?: string;
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

  try {
    const transports = new Map<string, Transport>();
    for (const [name, tc] of Object.entries(config.transports)) {
      const t = createTransport(tc, { name, log: log.child({ transport: name }) });
      closers.push(() => (abandoned ? t.kill() : t.close()));
      await t.start();
      transports.set(name, t);
    }

    let worker: Worker | undefined;
    if (role !== 'gateway') {
      const w = createWorker({ config, configFile, log, transports });
      worker = w;
      closers.push(async () => {
        if (await w.drain()) return;
        clean = false;
        abandoned = true;
      });
    }

    // Services this deployment names (and the platform's own) are known; any other name is
    // METHOD_NOT_FOUND here, whichever transport would have carried it.
    const chain = knownServices(['system', ...Object.keys(config.services)])(compileChain(config.chain, { provider: worker?.provider, transports, log }));
    await worker?.start(chain);

    let healthUrl: string | undefined;
    const http = config.worker?.http;
    if (worker !== undefined && http !== undefined) {
      const w = worker;
      const health = await createHealthServer({ log, ready: () => w.ready(), queues: () => w.provider.queues() });
      closers.push(() => health.close());
      await health.listen({ host: http.host, port: http.port });
      healthUrl = urlOf(health.server.address() as AddressInfo);
    }

    let url: string | undefined;
    if (role !== 'worker') {
      const gw = config.gateway!;
      const app = await createGateway({
        config: gw,
        handler: chain,
        log,
        debug: config.node.debug,
        node: config.node.name,
        ready: () => [...transports.values()].every((t) => t.ready()),
      });
      closers.push(() => app.close());
      await app.listen({ host: gw.host, port: gw.port });
      url = urlOf(app.server.address() as AddressInfo);
    }

    return { role, provider: worker?.provider, chain, url, healthUrl, log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
