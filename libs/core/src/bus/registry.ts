import { type BusConfig, type JunctionConfig } from '../config/schema';
import { type Logger } from '../logging';
import { Registry } from '../registry/registry';
import { type Bus } from './bus';
import { createMemoryBus } from './memory';

export interface BusDeps {
  log: Logger;
  /** The whole config: a bus may share a transport's broker (`bus.transport`). */
  config: JunctionConfig;
  /** For error messages. */
  configFile: string;
}

export type BusFactory = (config: BusConfig, deps: BusDeps) => Bus;

/**
 * Every bus, keyed by the `type` used in config. `memory` is core's; `amqp` is added by
 * `@junction/transports` (core does not depend on amqplib).
 */
export const buses = new Registry<BusFactory>('bus', {
  memory: (_config, deps) => createMemoryBus({ log: deps.log }),
});

/** The config's bus; `memory` when the config has none. */
export function createBus(deps: BusDeps): Bus {
  const config: BusConfig = deps.config.bus ?? { type: 'memory' };
  if (!buses.has(config.type)) {
    throw new Error(`${deps.configFile}: bus.type: "${config.type}" is not available in this process (known: ${buses.names().join(', ')}); the amqp bus comes with @junction/transports, import it first`);
  }
  return buses.get(config.type)(config, deps);
}
