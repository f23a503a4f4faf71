/**
 * Where the `cache` proxy keeps results: the wire form of a result (its JSON text) under a key
 * the proxy makes. A backend never fails a call: a failure is a miss (get) or nothing (set).
 */
export interface CacheBackend {
  /** The value stored under `key` and not expired; undefined on a miss, or when the backend cannot answer. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlMs`. Never rejects. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Whether it can answer now (a Redis backend is not while its server is down). */
  available(): boolean;
  /** What it holds, when it can say cheaply (the memory backend). */
  size?(): { entries: number; bytes: number };
  /** Releases its connection. Never throws. */
  close(): Promise<void>;
}
