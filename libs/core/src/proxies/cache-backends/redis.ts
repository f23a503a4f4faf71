import { type Static } from '@sinclair/typebox';
import { Redis } from 'ioredis';
import { type RedisCacheBackendSchema } from '../../config/schema';
import { type Logger } from '../../logging';
import { type CacheBackend } from './backend';

/**
 * The shared cache of a cluster, on Redis (ioredis). Built to step aside, never to fail a call:
 * no offline queue and no retried commands, so while the server is down every command fails at
 * once (a miss) instead of waiting; a short command timeout for a server that hangs; reconnection
 * in the background, at most a second apart, so the cache is used again soon after the server is
 * back. One warning per outage and one line when it ends, not one per call.
 */
export class RedisCacheBackend implements CacheBackend {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #log: Logger;
  readonly #where: string;
  #ready = false;
  #failing = false;
  #closed = false;

  constructor(config: Static<typeof RedisCacheBackendSchema>, log: Logger) {
    this.#prefix = config.keyPrefix;
    this.#log = log;
    // The URL without its password, for log lines.
    this.#where = config.url.replace(/\/\/[^@/]*@/, '//');
    this.#client = new Redis(config.url, {
      connectTimeout: Math.max(config.timeoutMs, 1000),
      commandTimeout: config.timeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(100 * times, 1000),
      // A missing server is a cache miss, not an error at start.
      lazyConnect: false,
    });
    this.#client.on('ready', () => {
      this.#ready = true;
      this.#recovered();
    });
    this.#client.on('error', (err: Error) => this.#failed(err));
    this.#client.on('close', () => {
      this.#ready = false;
      if (!this.#closed) this.#failed(new Error('connection closed'));
    });
  }

  async get(key: string): Promise<string | undefined> {
    if (!this.#ready) return undefined;
    try {
      const value = await this.#client.get(this.#prefix + key);
      this.#recovered();
      return value ?? undefined;
    } catch (err) {
      this.#failed(err as Error);
      return undefined;
    }
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (!this.#ready) return;
    try {
      await this.#client.set(this.#prefix + key, value, 'PX', ttlMs);
    } catch (err) {
      this.#failed(err as Error);
    }
  }

  available(): boolean {
    return this.#ready;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#ready = false;
    // disconnect, not quit: quit waits for an answer a down server never gives.
    this.#client.disconnect();
  }

  #failed(err: Error): void {
    if (this.#failing || this.#closed) return;
    this.#failing = true;
    this.#log.warn({ err: err.message }, `redis cache at ${this.#where} is unavailable (${err.message}); calls go through uncached until it answers again`);
  }

  #recovered(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#log.info(`redis cache at ${this.#where} answers again; cached results are used again`);
  }
}
