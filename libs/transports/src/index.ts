export * from './transport';
export * from './registry';
export { createMemoryTransport } from './memory/memory';
