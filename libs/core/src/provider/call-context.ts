import { type CallFn, type Context, type Infrastructure, ANONYMOUS } from '../context';
import { type Args, type CallRequest, type Caller, childTrace, formatTraceparent, newRequestId, type TraceContext } from '../envelope';
import { fromWire, JunctionError } from '../errors';
import { type Logger, sensitiveLogger } from '../logging';
import { toWireValue } from '../service/wire-types';
import { type Handler } from '../proxies/proxy';
import { type CallDeadline } from './call-deadline';

interface MethodInfo {
  readonly service: string;
  readonly name: string;
  readonly infra: Infrastructure;
  /** For the method's sensitive params, redacted from `ctx.log` lines under `args`. */
  readonly def?: { readonly sensitive?: boolean | readonly string[] };
}

/**
 * The `ctx` of one call. A class whose costly parts (trace, logger, signal, the bound `call`)
 * are made on first use: one is made on every call, and most handlers touch little of it.
 */
export class CallContext implements Context {
  readonly infra: Infrastructure;
  readonly service: string;
  readonly method: string;
  readonly #req: CallRequest;
  readonly #deadline: CallDeadline;
  readonly #baseLog: Logger;
  readonly #outbound: Handler;
  readonly #sensitive: true | readonly string[] | undefined;
  #trace: TraceContext | undefined;
  #log: Logger | undefined;
  #call: CallFn | undefined;

  /** `trace`: the handler's span when the call is traced (the provider made it); a new child of the caller's otherwise. */
  constructor(m: MethodInfo, req: CallRequest, deadline: CallDeadline, baseLog: Logger, outbound: Handler, trace?: TraceContext) {
    this.infra = m.infra;
    this.service = m.service;
    this.method = m.name;
    this.#req = req;
    this.#deadline = deadline;
    this.#baseLog = baseLog;
    this.#outbound = outbound;
    this.#trace = trace;
    const s = m.def?.sensitive;
    this.#sensitive = s === true ? true : Array.isArray(s) && s.length > 0 ? (s as readonly string[]) : undefined;
  }

  get requestId(): string {
    return this.#req.id;
  }

  get caller(): Caller {
    return this.#req.meta.caller ?? ANONYMOUS;
  }

  get deadline(): number {
    return this.#deadline.at;
  }

  get signal(): AbortSignal {
    return this.#deadline.signal;
  }

  get trace(): TraceContext {
    this.#trace ??= childTrace(this.#req.meta.traceparent);
    return this.#trace;
  }

  get log(): Logger {
    if (this.#log === undefined) {
      const bindings = { service: this.service, method: this.method, requestId: this.#req.id, traceId: this.trace.traceId };
      this.#log = this.#sensitive === undefined ? this.#baseLog.child(bindings) : sensitiveLogger(this.#baseLog, bindings, this.#sensitive);
    }
    return this.#log;
  }

  /** Bound, so that `const { call } = ctx` works too. */
  get call(): CallFn {
    this.#call ??= (<T>(target: string, args: Args = {}) => this.#callOut<T>(target, args)) as CallFn;
    return this.#call;
  }

  async #callOut<T>(target: string, args: Args): Promise<T> {
    const dot = target.indexOf('.');
    if (dot <= 0 || dot === target.length - 1) {
      throw new JunctionError('INVALID_REQUEST', `ctx.call needs "service.method", got ${JSON.stringify(target)}`);
    }
    if (this.#deadline.aborted) throw this.#deadline.reason;
    const reply = await this.#outbound({
      id: newRequestId(),
      service: target.slice(0, dot),
      method: target.slice(dot + 1),
      // As a remote transport would carry them: a Date or bytes in args reach the callee as it expects.
      args: toWireValue(args) as Args,
      meta: { traceparent: formatTraceparent(this.trace), deadline: this.#deadline.at, caller: this.#req.meta.caller, attempt: 1 },
    });
    if (reply.error !== undefined) throw fromWire(reply.error);
    return reply.result as T;
  }
}
