import { registerAmqpBus } from './bus/amqp-bus';

export * from './transport';
export * from './registry';
export { createMemoryTransport } from './memory/memory';
export { createAmqpTransport, type AmqpTransport, type AmqpTransportOptions, type AmqpTransportStats } from './amqp/amqp';
export { createTcpTransport, type TcpTransport } from './tcp/tcp';
export { createZeromqTransport, type ZeromqTransport } from './zeromq/zeromq';
export { type DirectTransport } from './direct/transport';
export { createAmqpBus, amqpBusOptions, registerAmqpBus, type AmqpBusOptions } from './bus/amqp-bus';

// The amqp bus joins core's bus registry (`bus: { type: amqp }`) as soon as the transports are loaded.
registerAmqpBus();
