import { type Codec, jsonCodec, Registry, type TransportConfig } from '@junction/core';
import { createMemoryTransport } from './memory/memory';
import { type Transport, type TransportDeps } from './transport';

export type TransportFactory = (config: TransportConfig, deps: TransportDeps, codec: Codec) => Transport;

/** Every transport, keyed by the `type` used in config. Adding one touches no other. */
export const transports = new Registry<TransportFactory>('transport', {
  memory: (config, deps, codec) => createMemoryTransport(config, deps, codec),
});

export function createTransport(config: TransportConfig, deps: TransportDeps, codec: Codec = jsonCodec): Transport {
  return transports.get(config.type)(config, deps, codec);
}
