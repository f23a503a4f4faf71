import { newSpanId, type TraceContext } from '../envelope';
import { type MethodDefinition } from '../service';
import { type ArgsPolicy, parseTraceparent } from '../tracing/span';

/**
 * The provider's and the handler's spans of one sampled call, filled in as the call runs and
 * handed to observers with the reply (`CallEvent.trace`). Made only when an observer asked for
 * spans and the call's traceparent is sampled.
 */
export interface CallTrace {
  readonly traceId: string;
  /** The provider's span: from taking the call to its reply. */
  readonly spanId: string;
  /** The caller's span: the transport's, a proxy's, or the gateway's. */
  readonly parentSpanId: string;
  /** The handler's span, child of the provider's; the handler's `ctx.call`s are its children. */
  readonly handlerSpanId: string;
  /** Epoch ms; 0 when the handler never ran (refused, expired in the queue). */
  handlerStartedAt: number;
  handlerMs: number;
  /** Known once the method is found: how its args are redacted. Without it, no args are kept. */
  policy?: ArgsPolicy;
  /** Known once the method is found: `service.method`. */
  name?: string;
}

/** A CallTrace for a sampled request; undefined for one without a (valid, sampled) traceparent. */
export function beginCallTrace(traceparent: string | undefined): CallTrace | undefined {
  const parent = parseTraceparent(traceparent);
  if (parent === undefined || !parent.sampled) return undefined;
  // Every field from the start, those set later too: adding them to the object would change its shape on each call.
  return { traceId: parent.traceId, spanId: newSpanId(), parentSpanId: parent.spanId, handlerSpanId: newSpanId(), handlerStartedAt: 0, handlerMs: 0, policy: undefined, name: undefined };
}

/** The handler's `ctx.trace`: its own span, so that its `ctx.call`s become the span's children. */
export function handlerTrace(trace: CallTrace): TraceContext {
  return { traceId: trace.traceId, spanId: trace.handlerSpanId, parentSpanId: trace.spanId, sampled: true };
}

export function argsPolicy(def: MethodDefinition, names: readonly string[]): ArgsPolicy {
  const s = def.sensitive;
  return { names, sensitive: s === true ? true : Array.isArray(s) && s.length > 0 ? (s as readonly string[]) : undefined };
}
