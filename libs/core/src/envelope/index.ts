export * from './envelope';
export * from './ids';
export * from './codec';
