export * from './concurrency';
export * from './inline';
export * from './registry';
