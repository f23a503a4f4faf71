import { errors } from '../errors';

export interface WorkQueueOptions {
  /** How many tasks run at once. */
  maxInFlight: number;
  /** How many tasks may wait for a slot; one more is rejected at once with OVERLOADED. */
  maxWaiting: number;
}

export interface QueueStats {
  name: string;
  inFlight: number;
  waiting: number;
  maxInFlight: number;
  maxWaiting: number;
  accepted: number;
  rejected: number;
  completed: number;
  /** Tasks dropped unrun because their signal aborted while they waited. */
  expired: number;
  waitMsTotal: number;
  waitMsMax: number;
}

/** What a waiting task is dropped on: an AbortSignal, or anything shaped like one. */
export interface Expiry {
  readonly aborted: boolean;
  readonly reason: unknown;
}

interface Waiter {
  start: () => void;
  abort: (reason: unknown) => void;
  signal: Expiry | number | undefined;
  enqueuedAt: number;
}

/**
 * Every hand-off in Junction is one of these: a bounded number in flight, a bounded number
 * waiting, depth and wait time measured. Nothing waits unbounded: a full queue rejects at once.
 */
export class WorkQueue {
  readonly name: string;
  readonly #opts: WorkQueueOptions;
  // A ring of waiters; shift() on a plain array is O(n) under deep queues.
  #waiters: (Waiter | undefined)[] = [];
  #head = 0;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  readonly #stats = { accepted: 0, rejected: 0, completed: 0, expired: 0, waitMsTotal: 0, waitMsMax: 0 };

  constructor(name: string, opts: WorkQueueOptions) {
    if (!Number.isInteger(opts.maxInFlight) || opts.maxInFlight < 1) throw new Error(`${name}: maxInFlight must be a positive integer, got ${opts.maxInFlight}`);
    if (!Number.isInteger(opts.maxWaiting) || opts.maxWaiting < 0) throw new Error(`${name}: maxWaiting must be a non-negative integer, got ${opts.maxWaiting}`);
    this.name = name;
    this.#opts = opts;
  }

  get waiting(): number {
    return this.#waiters.length - this.#head;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Runs `task` when a slot is free. Rejects with OVERLOADED at once when the waiting line is full,
   * and with the signal's reason, without running the task, if the signal aborts while it waits.
   * `signal` may also be a deadline in epoch ms: TIMEOUT once it passes, with nothing allocated
   * for it unless the task has to wait (the cheap form for a transport's every request).
   */
  run<T>(task: () => Promise<T>, signal?: Expiry | number): Promise<T> {
    if (signal !== undefined && this.#expired(signal)) return Promise.reject(this.#reason(signal));
    if (this.#inFlight < this.#opts.maxInFlight && this.waiting === 0) {
      this.#stats.accepted++;
      return this.#execute(task);
    }
    if (this.waiting >= this.#opts.maxWaiting) {
      this.#stats.rejected++;
      return Promise.reject(errors.overloaded(this.name, this.#opts.maxWaiting));
    }
    this.#stats.accepted++;
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        enqueuedAt: performance.now(),
        signal,
        start: () => this.#execute(task).then(resolve, reject),
        abort: reject,
      };
      this.#waiters.push(waiter);
    });
  }

  /** Resolves once nothing runs and nothing waits. */
  drain(): Promise<void> {
    if (this.#inFlight === 0 && this.waiting === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  stats(): QueueStats {
    return { name: this.name, inFlight: this.#inFlight, waiting: this.waiting, ...this.#opts, ...this.#stats };
  }

  #execute<T>(task: () => Promise<T>): Promise<T> {
    this.#inFlight++;
    let running: Promise<T>;
    try {
      running = task();
    } catch (err) {
      running = Promise.reject(err);
    }
    // then() rather than async/await: one promise fewer on every call through every queue.
    return running.then(
      (value) => {
        this.#done();
        return value;
      },
      (err: unknown) => {
        this.#done();
        throw err;
      },
    );
  }

  #done(): void {
    this.#inFlight--;
    this.#stats.completed++;
    this.#next();
  }

  #next(): void {
    while (this.#inFlight < this.#opts.maxInFlight && this.waiting > 0) {
      const waiter = this.#waiters[this.#head]!;
      this.#waiters[this.#head++] = undefined;
      if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
        this.#waiters = this.#waiters.slice(this.#head);
        this.#head = 0;
      }
      const waited = performance.now() - waiter.enqueuedAt;
      this.#stats.waitMsTotal += waited;
      if (waited > this.#stats.waitMsMax) this.#stats.waitMsMax = waited;
      if (waiter.signal !== undefined && this.#expired(waiter.signal)) {
        // Its caller has given up: running it now would only waste the slot.
        this.#stats.expired++;
        waiter.abort(this.#reason(waiter.signal));
        continue;
      }
      waiter.start();
    }
    if (this.#inFlight === 0 && this.waiting === 0 && this.#idle.length > 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  #expired(signal: Expiry | number): boolean {
    return typeof signal === 'number' ? Date.now() >= signal : signal.aborted;
  }

  #reason(signal: Expiry | number): unknown {
    return typeof signal === 'number' ? errors.timeout(`a call waiting in ${this.name}`, signal) : signal.reason;
  }
}
