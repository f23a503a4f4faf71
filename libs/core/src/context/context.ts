import { type Args, type Caller, type TraceContext } from '../envelope';
import { type Db } from '../infrastructure/db';
import { type Settings } from '../infrastructure/settings';
import { type Logger } from '../logging';

/** What a handler may reach of the platform's facilities; only those its service `requires`. */
export interface Infrastructure {
  readonly db: Db;
  readonly config: Settings;
}

/** How `ctx.call` goes out: through the node's proxy chain, carrying trace, deadline and caller. */
export type CallFn = <T = unknown>(target: string, args?: Args) => Promise<T>;

/** Everything a handler may touch. */
export interface Context {
  /**
   * Calls another service's method, e.g. `ctx.call('calc.sum', { values: [1, 2] })`. `Date`s and
   * `Uint8Array`s in args are sent as ISO strings and base64; the result comes back in that wire
   * form too (an ISO string, not a `Date`), as this side does not know the callee's result schema.
   */
  readonly call: CallFn;
  readonly infra: Infrastructure;
  /** Bound to this service, method and request id. */
  readonly log: Logger;
  readonly caller: Caller;
  /** Aborts at the deadline: pass it to fetch, database drivers, timers. */
  readonly signal: AbortSignal;
  readonly trace: TraceContext;
  /** Epoch milliseconds. */
  readonly deadline: number;
  readonly service: string;
  readonly method: string;
  readonly requestId: string;
}

export const ANONYMOUS: Caller = Object.freeze({ identity: 'anonymous', roles: Object.freeze([]) as readonly string[] });
