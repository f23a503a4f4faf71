export * from './proxy';
export * from './registry';
export * from './known';
