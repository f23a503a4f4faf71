export * from './bus';
export * from './memory';
export * from './registry';
