export * from './proxy';
export * from './registry';
export * from './known';
export * from './catalog';
export * from './order';
export { canonicalJson, cacheKey } from './cache-key';
export { type CacheBackend, cacheBackends, MemoryCacheBackend, RedisCacheBackend } from './cache-backends';
