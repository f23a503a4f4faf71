import { Registry } from '../registry/registry';
import { type ConcurrencyConfig, type ConcurrencyHost, type ConcurrencyModule, type InlineConfig, type ProcessesConfig, type ThreadsConfig } from './concurrency';
import { createInline } from './inline';
import { createProcesses } from './processes';
import { createThreads } from './threads';

export type ConcurrencyFactory = (config: ConcurrencyConfig, name: string, host: ConcurrencyHost) => ConcurrencyModule;

export const concurrencyModules = new Registry<ConcurrencyFactory>('concurrency module', {
  inline: (config, name) => createInline(config as InlineConfig, name),
  threads: (config, name, host) => createThreads(config as ThreadsConfig, name, host),
  processes: (config, name, host) => createProcesses(config as ProcessesConfig, name, host),
});

export const DEFAULT_CONCURRENCY: ConcurrencyConfig = Object.freeze({ type: 'inline', maxInFlight: 64, maxQueue: 1000 });

export function createConcurrency(config: ConcurrencyConfig, name: string, host: ConcurrencyHost): ConcurrencyModule {
  return concurrencyModules.get(config.type)(config, name, host);
}
