import { type CallFn, type Context, type Infrastructure, ANONYMOUS } from '../context';
import { type Args, type CallRequest, type Caller, formatTraceparent, newRequestId, type TraceContext } from '../envelope';
import { fromWire, JunctionError } from '../errors';
import { type Logger } from '../logging';
import { type Handler } from '../proxies/proxy';

interface MethodInfo {
  readonly service: string;
  readonly name: string;
  readonly infra: Infrastructure;
}

/** The `ctx` of one call. A class, and a lazy logger, because one is made on every call. */
export class CallContext implements Context {
  readonly infra: Infrastructure;
  readonly caller: Caller;
  readonly service: string;
  readonly method: string;
  readonly requestId: string;
  readonly call: CallFn;
  #log: Logger | undefined;
  readonly #baseLog: Logger;

  constructor(
    m: MethodInfo,
    req: CallRequest,
    readonly trace: TraceContext,
    readonly signal: AbortSignal,
    readonly deadline: number,
    baseLog: Logger,
    outbound: Handler,
  ) {
    this.infra = m.infra;
    this.service = m.service;
    this.method = m.name;
    this.requestId = req.id;
    this.caller = req.meta.caller ?? ANONYMOUS;
    this.#baseLog = baseLog;
    const callerMeta = req.meta.caller;
    this.call = async <T>(target: string, args: Args = {}): Promise<T> => {
      const dot = target.indexOf('.');
      if (dot <= 0 || dot === target.length - 1) {
        throw new JunctionError('INVALID_REQUEST', `ctx.call needs "service.method", got ${JSON.stringify(target)}`);
      }
      if (signal.aborted) throw signal.reason;
      const reply = await outbound({
        id: newRequestId(),
        service: target.slice(0, dot),
        method: target.slice(dot + 1),
        args,
        meta: { traceparent: formatTraceparent(trace), deadline, caller: callerMeta, attempt: 1 },
      });
      if (reply.error !== undefined) throw fromWire(reply.error);
      return reply.result as T;
    };
  }

  get log(): Logger {
    this.#log ??= this.#baseLog.child({ service: this.service, method: this.method, requestId: this.requestId, traceId: this.trace.traceId });
    return this.#log;
  }
}
