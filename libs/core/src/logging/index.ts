export * from './logger';
export * from './levels';
