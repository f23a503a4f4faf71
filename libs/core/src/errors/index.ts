export * from './catalogue';
export * from './junction-error';
