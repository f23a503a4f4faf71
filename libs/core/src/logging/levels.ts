import { type Logger, type LogLevel } from './logger';

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * One logger per service, each a child of the node's logger with a level of its own, so that one
 * service's level can change at runtime without touching the others'. Children made from a
 * service's logger before a change keep the old level: `ctx.log` is made per call, so the next
 * call has the new one.
 */
export class ServiceLoggers {
  readonly #base: Logger;
  readonly #loggers = new Map<string, Logger>();

  constructor(base: Logger) {
    this.#base = base;
  }

  /** The level a service has when nobody changed it: the node's. */
  get defaultLevel(): LogLevel {
    return this.#base.level as LogLevel;
  }

  /** The service's logger, made on first use. */
  for(service: string): Logger {
    let log = this.#loggers.get(service);
    if (log === undefined) {
      log = this.#base.child({}, { level: this.#base.level });
      this.#loggers.set(service, log);
    }
    return log;
  }

  /** `undefined` puts the service back to the node's level. */
  setLevel(service: string, level: LogLevel | undefined): void {
    this.for(service).level = level ?? this.defaultLevel;
  }

  levels(): Record<string, LogLevel> {
    return Object.fromEntries([...this.#loggers].map(([service, log]) => [service, log.level as LogLevel]));
  }
}

/** A level set on a service cluster-wide, as the bus and heartbeats carry it. */
export interface LevelOverride {
  readonly service: string;
  readonly level: LogLevel;
  /** Epoch ms when it was asked for: between two overrides of a service, the later wins, on every node. */
  readonly setAt: number;
  /** Epoch ms when it reverts to the node's level; absent: until another one replaces it. */
  readonly expiresAt?: number;
}

export interface LevelOverridesOptions {
  /** Applies a level to a service (undefined: back to the node's level). */
  apply(service: string, level: LogLevel | undefined): void;
  now?: () => number;
}

/**
 * The overrides a node knows, with their expiry: an override reverts by itself at `expiresAt` on
 * every node that holds it, each with its own timer. Later `setAt` wins, so an override heard
 * again late (a heartbeat) never undoes a newer one, nor revives one that expired.
 */
export class LevelOverrides {
  readonly #opts: LevelOverridesOptions;
  readonly #now: () => number;
  /** The latest override of each service, expired ones included (their setAt still orders). */
  readonly #latest = new Map<string, { override: LevelOverride; timer?: NodeJS.Timeout; active: boolean }>();

  constructor(opts: LevelOverridesOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Applies `o` unless a newer override of its service is known or it has expired; true when applied. */
  offer(o: LevelOverride): boolean {
    const known = this.#latest.get(o.service);
    if (known !== undefined && known.override.setAt >= o.setAt) return false;
    const now = this.#now();
    if (o.expiresAt !== undefined && o.expiresAt <= now) return false;
    if (known?.timer !== undefined) clearTimeout(known.timer);
    const entry: { override: LevelOverride; timer?: NodeJS.Timeout; active: boolean } = { override: o, active: true };
    if (o.expiresAt !== undefined) {
      entry.timer = setTimeout(() => {
        entry.active = false;
        entry.timer = undefined;
        this.#opts.apply(o.service, undefined);
      }, o.expiresAt - now);
      // A pending revert must not keep a stopping process alive.
      entry.timer.unref?.();
    }
    this.#latest.set(o.service, entry);
    this.#opts.apply(o.service, o.level);
    return true;
  }

  /** The overrides in force, for heartbeats and `logging.getLevels`. */
  active(): LevelOverride[] {
    return [...this.#latest.values()].filter((e) => e.active).map((e) => e.override);
  }

  /** Stops the revert timers (the node is stopping). */
  close(): void {
    for (const e of this.#latest.values()) clearTimeout(e.timer);
  }
}
