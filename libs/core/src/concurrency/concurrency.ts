import { type Expiry, type QueueStats } from '../queue/work-queue';
import { type InfrastructureName } from '../service/define';
import { type GuestHost } from './isolated/links';
import { type GuestTask } from './isolated/protocol';

/** One call for a concurrency module to run. */
export interface Job<T = unknown> {
  readonly service: string;
  readonly method: string;
  /** Aborted at the call's deadline; a job still waiting then is dropped unrun. */
  readonly signal: Expiry & { readonly signal: AbortSignal };
  /** Runs the handler here, on this event loop (`inline`). */
  readonly execute: () => Promise<T>;
  /** The same call as data, for a module that runs handlers elsewhere (`threads`, `processes`). */
  readonly task: GuestTask;
}

/** What a module that runs handlers outside this event loop needs from the provider. */
export interface ConcurrencyHost extends GuestHost {
  /** Absolute path of the module that exports the service as `service`; threads and child processes load it. */
  readonly module?: string;
  readonly settings: Record<string, unknown>;
  /** The infrastructure the service requires and this node has. */
  readonly available: readonly InfrastructureName[];
  readonly node?: string;
}

/**
 * How a provider runs handlers: `inline` on the event loop, `threads` in a pool of worker threads
 * (CPU-bound work), `processes` in a pool of child processes (isolation). Each is a bounded queue
 * in front of bounded workers; a module returns the handler's raw result, which the provider checks.
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

export interface ThreadsConfig {
  type: 'threads';
  /** Threads at most; the machine's cores when absent. */
  maxThreads?: number;
  /** Threads kept even when idle. */
  minThreads: number;
  /** An idle thread above minThreads ends after this long. */
  idleTimeoutMs: number;
  /** Calls waiting for a thread; one more is answered OVERLOADED. */
  maxQueue: number;
}

export interface ProcessesConfig {
  type: 'processes';
  /** Child processes kept running. */
  processes: number;
  /** Calls one child runs at once: 1 for CPU-bound work, more for isolated I/O-bound work. */
  maxInFlightPerProcess: number;
  /** Calls waiting for a child; one more is answered OVERLOADED. */
  maxQueue: number;
  /** How long past a call's deadline a child that has not answered may take before it is killed and replaced. */
  killGraceMs: number;
}

export type ConcurrencyConfig = InlineConfig | ThreadsConfig | ProcessesConfig;
