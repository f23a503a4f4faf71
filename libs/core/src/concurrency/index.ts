export * from './concurrency';
export * from './inline';
export * from './threads';
export * from './processes';
export * from './registry';
