export * from './define';
export * from './check';
export * from './fake';
