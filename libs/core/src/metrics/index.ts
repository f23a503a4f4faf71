export * from './node-metrics';
export * from './window';
