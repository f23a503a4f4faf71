import { type CacheBackendConfig } from '../../config/schema';
import { type Logger } from '../../logging';
import { Registry } from '../../registry/registry';
import { type Clock } from '../proxy';
import { type CacheBackend } from './backend';
import { MemoryCacheBackend } from './memory';
import { RedisCacheBackend } from './redis';

export type { CacheBackend } from './backend';
export { MemoryCacheBackend } from './memory';
export { RedisCacheBackend } from './redis';

export interface CacheBackendDeps {
  clock: Pick<Clock, 'now'>;
  log: Logger;
}

type CacheBackendFactory = (config: CacheBackendConfig, deps: CacheBackendDeps) => CacheBackend;

/** The cache's backends, keyed by `backend.type` in config. */
export const cacheBackends = new Registry<CacheBackendFactory>('cache backend', {
  memory: (config, deps) => new MemoryCacheBackend(config as Extract<CacheBackendConfig, { type: 'memory' }>, deps.clock),
  redis: (config, deps) => new RedisCacheBackend(config as Extract<CacheBackendConfig, { type: 'redis' }>, deps.log),
});

export function createCacheBackend(config: CacheBackendConfig, deps: CacheBackendDeps): CacheBackend {
  return cacheBackends.get(config.type)(config, deps);
}
