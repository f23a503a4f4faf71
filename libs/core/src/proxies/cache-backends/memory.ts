import { type Static } from '@sinclair/typebox';
import { type MemoryCacheBackendSchema } from '../../config/schema';
import { type Clock } from '../proxy';
import { type CacheBackend } from './backend';

interface Entry {
  readonly value: string;
  readonly expires: number;
  readonly bytes: number;
}

/**
 * A least-recently-used map in this process, bounded by entries and by bytes (UTF-8 of keys and
 * values): a Map keeps insertion order, so the first entry is the least recently used one once
 * every hit re-inserts what it reads.
 */
export class MemoryCacheBackend implements CacheBackend {
  readonly #config: Static<typeof MemoryCacheBackendSchema>;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(config: Static<typeof MemoryCacheBackendSchema>, clock: Pick<Clock, 'now'>) {
    this.#config = config;
    this.#clock = clock;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expires <= this.#clock.now()) {
      this.#bytes -= entry.bytes;
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= old.bytes;
    }
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    // One value larger than the whole cache would only evict everything else, and then itself.
    if (bytes > this.#config.maxBytes) return;
    this.#entries.set(key, { value, expires: this.#clock.now() + ttlMs, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#config.maxEntries && this.#bytes <= this.#config.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  available(): boolean {
    return true;
  }

  size(): { entries: number; bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes };
  }

  async close(): Promise<void> {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
