/** The `config` infrastructure: read-only settings of one service, from `services.<name>.settings`. */
export interface Settings {
  /** The value at `key`; throws naming the service and the key when there is none and no fallback. */
  get<T = unknown>(key: string, fallback?: T): T;
  has(key: string): boolean;
  all(): Readonly<Record<string, unknown>>;
}

export function createSettings(service: string, values: Record<string, unknown> = {}): Settings {
  const frozen = Object.freeze({ ...values });
  return {
    get<T>(key: string, ...fallback: [T?]): T {
      if (Object.prototype.hasOwnProperty.call(frozen, key)) return frozen[key] as T;
      if (fallback.length > 0) return fallback[0] as T;
      throw new Error(`service "${service}" has no setting "${key}"; add services.${service}.settings.${key} to the config`);
    },
    has: (key) => Object.prototype.hasOwnProperty.call(frozen, key),
    all: () => frozen,
  };
}
