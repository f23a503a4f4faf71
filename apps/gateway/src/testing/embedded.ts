import { type AddressInfo } from 'node:net';
import {
  compileChain,
  createSystemService,
  type Db,
  type GatewayConfig,
  type Handler,
  type Logger,
  parseConfig,
  Provider,
  type RegisterOptions,
  type ServiceDefinition,
  silentLogger,
} from '@junction/core';
import { service as calc } from '@junction/service-calc';
import { createMemoryTransport } from '@junction/transports';
import { type FastifyInstance } from 'fastify';
import { createGateway } from '../gateway';

export interface EmbeddedOptions {
  /** Overrides of the gateway's config; the rest are the schema's defaults. */
  gateway?: Partial<GatewayConfig>;
  /** Hosted beside calc and system. */
  services?: readonly ServiceDefinition[];
  /** How `services` are registered (e.g. a tiny concurrency queue). */
  register?: RegisterOptions;
  /** The `db` infrastructure, for services that require it (e.g. shots on an in-memory SQLite). */
  db?: Db;
  /** Wraps the compiled chain, to watch or replace what the gateway hands on. */
  wrap?: (chain: Handler) => Handler;
  ready?: () => boolean;
  log?: Logger;
  debug?: boolean;
}

export interface Embedded {
  app: FastifyInstance;
  provider: Provider;
  /** What the gateway was given: the chain, wrapped if asked. */
  handler: Handler;
  config: GatewayConfig;
  /** Listens on 127.0.0.1 at a free port; resolves with the port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** The gateway config with the schema's defaults, as a config file without a gateway section but `gateway: {}` gets it. */
export function gatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const defaults = parseConfig('gateway: {}\n', 'embedded test config').gateway!;
  return { ...defaults, ...overrides };
}

/**
 * A whole node in one process, as `config/local.yaml` builds it: a provider hosting calc, the
 * system service and any test services, served on a memory transport, the chain
 * `route '*' -> remote mem`, and the gateway in front.
 */
export async function startEmbedded(opts: EmbeddedOptions = {}): Promise<Embedded> {
  const log = opts.log ?? silentLogger();
  const provider = new Provider({ log, debug: opts.debug, infrastructure: opts.db === undefined ? undefined : { db: opts.db } });
  provider.register(calc);
  for (const s of opts.services ?? []) provider.register(s, opts.register);
  provider.register(createSystemService({ node: 'test', provider }));
  const memory = createMemoryTransport({ type: 'memory', maxInFlight: 64, maxQueue: 1000 }, { name: 'mem', log });
  await memory.serve(provider.services(), (req) => provider.handle(req));
  await memory.start();
  const chain = compileChain([{ type: 'route', routes: { '*': { type: 'remote', transport: 'mem' } } }], {
    transports: new Map([['mem', memory]]),
    log,
    provider,
  });
  provider.connect(chain);
  const handler = opts.wrap === undefined ? chain : opts.wrap(chain);
  const config = gatewayConfig(opts.gateway);
  const app = await createGateway({ config, handler, log, ready: opts.ready, node: 'test', debug: opts.debug });
  return {
    app,
    provider,
    handler,
    config,
    async listen() {
      await app.listen({ port: 0, host: '127.0.0.1' });
      return (app.server.address() as AddressInfo).port;
    },
    async close() {
      await app.close();
      await memory.close();
      await provider.close();
    },
  };
}
