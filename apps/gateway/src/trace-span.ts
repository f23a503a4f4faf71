import { type CallReply, type CallRequest, childSpan, parseTraceparent, rawSpan, type Tracer } from '@junction/core';

/** The gateway's span of one call: ended with the reply. */
export interface GatewaySpan {
  end(reply: CallReply): CallReply;
}

/**
 * Begins the gateway's span of a call and makes it the next hop's parent, rewriting
 * `req.meta.traceparent`. A trace that began here (`root`) is sampled now, by the tracer's rate
 * for the service, and the span takes the id its traceparent already has (the one the response
 * header names). A client's trace keeps the client's decision, and the span is the child of the
 * client's. Undefined for a call that is not sampled.
 */
export function gatewaySpan(tracer: Tracer, req: CallRequest, root: boolean): GatewaySpan | undefined {
  const parent = parseTraceparent(req.meta.traceparent);
  if (parent === undefined || req.service === 'tracing') return undefined;
  let spanId: string;
  let parentSpanId: string | undefined;
  if (root) {
    const sampled = tracer.sampleRoot(req.service);
    req.meta.traceparent = `00-${parent.traceId}-${parent.spanId}-${sampled ? '01' : '00'}`;
    if (!sampled) return undefined;
    spanId = parent.spanId;
  } else {
    if (!parent.sampled) return undefined;
    const child = childSpan(parent);
    req.meta.traceparent = child.traceparent;
    spanId = child.spanId;
    parentSpanId = parent.spanId;
  }
  return new GatewaySpanInFlight(tracer, req, parent.traceId, spanId, parentSpanId);
}

// A class rather than a literal with an `end` closure: one object a call instead of three.
class GatewaySpanInFlight implements GatewaySpan {
  readonly #start = Date.now();
  readonly #started = performance.now();

  constructor(
    readonly tracer: Tracer,
    readonly req: CallRequest,
    readonly traceId: string,
    readonly spanId: string,
    readonly parentSpanId: string | undefined,
  ) {}

  end(reply: CallReply): CallReply {
    const { tracer, req } = this;
    tracer.record(
      rawSpan(this.traceId, this.spanId, this.parentSpanId, {
        kind: 'gateway',
        name: `${req.service}.${req.method}`,
        service: req.service,
        method: req.method,
        node: tracer.node,
        start: this.#start,
        durationMs: performance.now() - this.#started,
        error: reply.error?.code,
      }),
    );
    return reply;
  }
}
