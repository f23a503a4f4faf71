import { type CallMeta, newSpanId, type TraceContext } from '../envelope';
import { type MethodDefinition } from '../service';
import { type ArgsPolicy, requestTrace } from '../tracing/span';

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
  /** Epoch ms; 0 until the handler runs here (the `inline` module) or its hand-off ends. */
  handlerStartedAt: number;
  /** performance.now() when the handler started here. */
  handlerClock: number;
  /** -1 until the handler's span ends. */
  handlerMs: number;
  /** Known once the method is found: how its args are redacted. Without it, no args are kept. */
  policy?: ArgsPolicy;
  /** Known once the method is found: `service.method`. */
  name?: string;
}

/** A CallTrace for a sampled request; undefined for one without a (valid, sampled) traceparent. */
export function beginCallTrace(meta: CallMeta): CallTrace | undefined {
  const parent = requestTrace(meta);
  if (parent === undefined || !parent.sampled) return undefined;
  // Every field from the start, those set later too: adding them to the object would change its shape on each call.
  return { traceId: parent.traceId, spanId: newSpanId(), parentSpanId: parent.spanId, handlerSpanId: newSpanId(), handlerStartedAt: 0, handlerClock: 0, handlerMs: -1, policy: undefined, name: undefined };
}

/**
 * Ends the handler's span, once: at its result or failure, as the provider's await sees it (a
 * handler past its deadline is cut there). A thread or child runs the handler out of sight: its
 * span is then the hand-off, from `handedAt` (epoch ms), seen from here.
 */
export function endHandlerSpan(trace: CallTrace, handedAt: number): void {
  if (trace.handlerMs >= 0) return;
  if (trace.handlerStartedAt === 0) {
    trace.handlerStartedAt = handedAt;
    trace.handlerMs = Date.now() - handedAt;
  } else {
    trace.handlerMs = performance.now() - trace.handlerClock;
  }
}

/** The handler's `ctx.trace`: its own span, so that its `ctx.call`s become the span's children. */
export function handlerTrace(trace: CallTrace): TraceContext {
  return { traceId: trace.traceId, spanId: trace.handlerSpanId, parentSpanId: trace.spanId, sampled: true };
}

export function argsPolicy(def: MethodDefinition, names: readonly string[]): ArgsPolicy {
  const s = def.sensitive;
  return { names, sensitive: s === true ? true : Array.isArray(s) && s.length > 0 ? (s as readonly string[]) : undefined };
}
