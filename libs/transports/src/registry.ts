import { type Codec, jsonCodec, Registry, type TransportConfig } from '@junction/core';
import { createAmqpTransport } from './amqp/amqp';
import { createMemoryTransport } from './memory/memory';
import { createTcpTransport } from './tcp/tcp';
import { type Transport, type TransportDeps } from './transport';
import { createZeromqTransport } from './zeromq/zeromq';

type TransportType = TransportConfig['type'];
type ConfigOf<K extends TransportType> = Extract<TransportConfig, { type: K }>;

export type TransportFactory<C extends TransportConfig = TransportConfig> = (config: C, deps: TransportDeps, codec: Codec) => Transport;

/** One factory per `type` of the config's union, each given its own config type: a type added to the schema without a transport fails to compile here. */
const factories: { [K in TransportType]: TransportFactory<ConfigOf<K>> } = {
  memory: (config, deps, codec) => createMemoryTransport(config, deps, codec),
  amqp: (config, deps, codec) => createAmqpTransport(config, deps, codec),
  tcp: (config, deps, codec) => createTcpTransport(config, deps, codec),
  zeromq: (config, deps, codec) => createZeromqTransport(config, deps, codec),
};

/** Every transport, keyed by the `type` used in config. Adding one touches no other. */
// The cast is safe: `createTransport` picks a factory by the config's own `type`.
export const transports = new Registry<TransportFactory>('transport', factories as Record<TransportType, TransportFactory>);

export function createTransport(config: TransportConfig, deps: TransportDeps, codec: Codec = jsonCodec): Transport {
  return transports.get(config.type)(config, deps, codec);
}
