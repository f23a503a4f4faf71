export * from './transport';
export * from './registry';
export { createMemoryTransport } from './memory/memory';
export { createAmqpTransport, type AmqpTransport, type AmqpTransportOptions, type AmqpTransportStats } from './amqp/amqp';
export { createTcpTransport, type TcpTransport, type TcpTransportStats } from './tcp/tcp';
export { createZeromqTransport, type ZeromqTransport, type ZeromqTransportStats } from './zeromq/zeromq';
