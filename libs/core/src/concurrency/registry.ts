import { Registry } from '../registry/registry';
import { type ConcurrencyConfig, type ConcurrencyModule } from './concurrency';
import { createInline } from './inline';

export type ConcurrencyFactory = (config: ConcurrencyConfig, name: string) => ConcurrencyModule;

export const concurrencyModules = new Registry<ConcurrencyFactory>('concurrency module', {
  inline: (config, name) => createInline(config, name),
});

export const DEFAULT_CONCURRENCY: ConcurrencyConfig = Object.freeze({ type: 'inline', maxInFlight: 64, maxQueue: 1000 });

export function createConcurrency(config: ConcurrencyConfig, name: string): ConcurrencyModule {
  return concurrencyModules.get(config.type)(config, name);
}
