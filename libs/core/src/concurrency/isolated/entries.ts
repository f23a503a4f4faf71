import { join } from 'node:path';

/**
 * Where a thread or child process starts. From the built package: the compiled entry. From the
 * sources (tests, tsx): a small JavaScript bootstrap that registers tsx and loads the TypeScript
 * entry, with the `@junction/source` condition so the guest's imports resolve to sources too.
 */
export function guestEntry(name: 'thread-entry' | 'process-entry'): { file: string; tsEntry?: string; execArgv: string[] } {
  if (!__filename.endsWith('.ts')) return { file: join(__dirname, `${name}.js`), execArgv: [] };
  return { file: join(__dirname, 'ts-bootstrap.js'), tsEntry: join(__dirname, `${name}.ts`), execArgv: ['--conditions=@junction/source'] };
}
