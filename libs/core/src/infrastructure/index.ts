export * from './db';
export * from './settings';
export * from './sqlite';
export * from './postgres';
export * from './kinds';
