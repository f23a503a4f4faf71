export * from './transport';
export * from './registry';
export { createMemoryTransport } from './memory/memory';
export { createAmqpTransport, type AmqpTransport, type AmqpTransportOptions, type AmqpTransportStats } from './amqp/amqp';
