export * from './envelope';
export * from './ids';
export * from './codec';
export * from './deadline';
