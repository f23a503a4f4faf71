import { type AddressInfo } from 'node:net';
import {
  compileChain,
  createDb,
  createLogger,
  createSystemService,
  type Db,
  type Handler,
  type JunctionConfig,
  knownServices,
  type Logger,
  Provider,
} from '@junction/core';
import { createGateway } from '@junction/gateway';
import { createTransport, type Transport } from '@junction/transports';
import { loadServices } from './load-services';

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
  readonly log: Logger;
  /** Stops taking calls, finishes those in flight, releases everything. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Builds a node from config, in dependency order: infrastructure, provider and its services,
 * transports (serving the provider's services), the proxy chain, the gateway.
 */
export async function startNode(opts: StartOptions): Promise<RunningNode> {
  const { config, role } = opts;
  const log = opts.log ?? createLogger({ level: config.log.level, name: config.node.name });
  const hostsServices = role !== 'gateway';
  const hasGateway = role !== 'worker';
  if (hasGateway && config.gateway === undefined) throw new Error(`${opts.configFile}: role "${role}" runs a gateway, but the config has no gateway section`);
  if (hostsServices && config.worker === undefined) throw new Error(`${opts.configFile}: role "${role}" hosts services, but the config has no worker section`);

  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((err: unknown) => log.error({ err }, 'error while stopping'));
    }
  };

  try {
    let db: Db | undefined;
    if (hostsServices && config.infrastructure.db !== undefined) {
      const created = createDb(config.infrastructure.db);
      db = created;
      closers.push(() => created.close());
    }

    let provider: Provider | undefined;
    if (hostsServices) {
      const worker = config.worker!;
      const p = new Provider({ log, infrastructure: { db }, debug: config.node.debug });
      for (const def of loadServices(config, opts.configFile, worker.services ?? Object.keys(config.services))) {
        const sc = config.services[def.name];
        p.register(def, { concurrency: sc.concurrency, settings: sc.settings, timeoutMs: sc.timeoutMs });
      }
      p.register(createSystemService({ node: config.node.name, provider: p }));
      provider = p;
      closers.push(() => p.close());
    }

    const transports = new Map<string, Transport>();
    for (const [name, tc] of Object.entries(config.transports)) {
      const t = createTransport(tc, { name, log: log.child({ transport: name }) });
      await t.start();
      transports.set(name, t);
      closers.push(() => t.close());
    }

    // Services this deployment names (and the platform's own) are known; any other name is
    // METHOD_NOT_FOUND here, whichever transport would have carried it.
    const chain = knownServices(['system', ...Object.keys(config.services)])(compileChain(config.chain, { provider, transports, log }));
    provider?.connect(chain);

    if (provider !== undefined) {
      const p = provider;
      for (const name of config.worker!.serve) {
        const t = transports.get(name);
        if (t === undefined) throw new Error(`${opts.configFile}: worker.serve names transport "${name}", which is not under transports (known: ${[...transports.keys()].join(', ') || 'none'})`);
        await t.serve(p.services(), (req) => p.handle(req));
      }
      // Drain before closing: finish what was accepted (closers run in reverse order).
      closers.push(() => p.drain());
    }

    let url: string | undefined;
    if (hasGateway) {
      const gw = config.gateway!;
      const app = await createGateway({
        config: gw,
        handler: chain,
        log,
        debug: config.node.debug,
        node: config.node.name,
        ready: () => [...transports.values()].every((t) => t.ready()),
      });
      await app.listen({ host: gw.host, port: gw.port });
      const address = app.server.address() as AddressInfo;
      url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
      closers.push(() => app.close());
    }

    return { role, provider, chain, url, log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
