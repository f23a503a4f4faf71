export * from './proxy';
export * from './registry';
