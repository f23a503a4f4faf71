import { type Expiry, type QueueStats } from '../queue/work-queue';

/** One call for a concurrency module to run. */
export interface Job<T = unknown> {
  readonly service: string;
  readonly method: string;
  /** Aborted at the call's deadline; a job still waiting then is dropped unrun. */
  readonly signal: Expiry;
  readonly execute: () => Promise<T>;
}

/**
 * How a provider runs handlers: `inline` on the event loop; later `threads` and `processes`.
 * Each is a bounded queue in front of bounded workers.
 */
export interface ConcurrencyModule {
  readonly type: string;
  run<T>(job: Job<T>): Promise<T>;
  stats(): QueueStats;
  /** Resolves when every accepted job has finished. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface InlineConfig {
  type: 'inline';
  /** Handlers running at once on the event loop. */
  maxInFlight: number;
  /** Calls waiting for a slot; one more is answered OVERLOADED. */
  maxQueue: number;
}

export type ConcurrencyConfig = InlineConfig;
