export * from './define';
export * from './check';
export * from './fake';
export * from './wire-types';
export * from './revive';
