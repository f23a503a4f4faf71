export * from './schema';
export * from './load';
export { interpolate } from './interpolate';
