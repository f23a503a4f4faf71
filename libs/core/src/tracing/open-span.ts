import { type CallReply, type CallRequest } from '../envelope';
import { newSpanId } from '../envelope/ids';
import { childRequest, isSampled, rawSpan, requestTrace, type SpanKind } from './span';
import { type Tracer } from './tracer';

/** A span begun on a call's path: `req` carries it as the next hop's parent; `end` records it. */
export interface OpenSpan {
  readonly req: CallRequest;
  end(name: string, reply: CallReply, attrs?: Record<string, string | number | boolean>): void;
}

/**
 * Begins a span of `kind` under the request's own (its traceparent), for a link or terminal that
 * hands the request on. Undefined, at the cost of one check, when there is no tracer or the trace
 * is not sampled: the caller then hands on the request unchanged.
 *
 * @example
 * const span = openSpan(tracer, req, 'proxy');
 * const reply = await next(span?.req ?? req);
 * span?.end('cache miss', reply);
 */
export function openSpan(tracer: Tracer | undefined, req: CallRequest, kind: SpanKind): OpenSpan | undefined {
  if (tracer === undefined || !isSampled(req.meta.traceparent) || req.service === 'tracing') return undefined;
  // Sampled by its flags, yet not a valid traceparent: handed on as it came, untraced.
  const parent = requestTrace(req.meta);
  if (parent === undefined) return undefined;
  const spanId = newSpanId();
  return new SpanTimer(tracer, kind, parent.traceId, spanId, parent.spanId, childRequest(req, parent, spanId));
}

/**
 * A span begun when it is made, of the call `req` (which carries it as the next hop's parent);
 * `end` records it with the reply's outcome. A class rather than a literal with an `end` closure:
 * one object a span instead of three (the literal, the closure and its context), on a path every
 * traced call takes at each hop.
 */
export class SpanTimer implements OpenSpan {
  readonly #start = Date.now();
  readonly #started = performance.now();

  constructor(
    readonly tracer: Tracer,
    readonly kind: SpanKind,
    readonly traceId: string,
    readonly spanId: string,
    readonly parentSpanId: string | undefined,
    readonly req: CallRequest,
  ) {}

  end(name: string, reply: CallReply, attrs?: Record<string, string | number | boolean>): void {
    const { tracer, req } = this;
    tracer.record(
      rawSpan(this.traceId, this.spanId, this.parentSpanId, {
        kind: this.kind,
        name,
        service: req.service,
        method: req.method,
        node: tracer.node,
        start: this.#start,
        durationMs: performance.now() - this.#started,
        error: reply.error?.code,
        attrs,
      }),
    );
  }
}
