import { errors, type JunctionError } from '../errors';

/**
 * One call's deadline. Cheap on the hot path: one timer, and an AbortSignal made only if the
 * handler asks for `ctx.signal` (Node's AbortController and its listeners cost microseconds
 * per call, which a provider answering thousands of calls a second notices).
 */
export class CallDeadline {
  readonly at: number;
  readonly #what: () => string;
  readonly #timer: NodeJS.Timeout;
  #reason: JunctionError | undefined;
  #controller: AbortController | undefined;
  #onExpire: ((reason: JunctionError) => void) | undefined;

  constructor(at: number, what: () => string) {
    this.at = at;
    this.#what = what;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, at - Date.now()));
  }

  /** Whether the deadline has passed (the shape WorkQueue reads, like an AbortSignal's). */
  get aborted(): boolean {
    return this.#reason !== undefined;
  }

  get reason(): JunctionError | undefined {
    return this.#reason;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Settles as `work` does, or rejects with TIMEOUT when the deadline passes first. */
  race<T>(work: Promise<T>, onLate: () => void): Promise<T> {
    if (this.#reason !== undefined) return Promise.reject(this.#reason);
    return new Promise<T>((resolve, reject) => {
      this.#onExpire = (reason) => {
        reject(reason);
        work.then(onLate, onLate);
      };
      work.then(resolve, reject);
    });
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#onExpire = undefined;
  }

  #expire(): void {
    this.#reason = errors.timeout(this.#what(), this.at);
    this.#controller?.abort(this.#reason);
    this.#onExpire?.(this.#reason);
  }
}
