import { type CallRequest, childSpan, keepParsed, parseTraceparent, SpanTimer, type Tracer } from '@junction/core';

/**
 * Begins the gateway's span of a call (ended with the reply) and makes it the next hop's parent, rewriting
 * `req.meta.traceparent`. A trace that began here (`root`) is sampled now, by the tracer's rate
 * for the service, and the span takes the id its traceparent already has (the one the response
 * header names). A client's trace keeps the client's decision, and the span is the child of the
 * client's. Undefined for a call that is not sampled.
 */
export function gatewaySpan(tracer: Tracer, req: CallRequest, root: boolean): SpanTimer | undefined {
  const parent = parseTraceparent(req.meta.traceparent);
  if (parent === undefined || req.service === 'tracing') return undefined;
  let spanId: string;
  let parentSpanId: string | undefined;
  if (root) {
    const sampled = tracer.sampleRoot(req.service);
    req.meta.traceparent = `00-${parent.traceId}-${parent.spanId}-${sampled ? '01' : '00'}`;
    if (!sampled) return undefined;
    spanId = parent.spanId;
    keepParsed(req.meta, { traceId: parent.traceId, spanId, sampled });
  } else {
    if (!parent.sampled) return undefined;
    const child = childSpan(parent);
    req.meta.traceparent = child.traceparent;
    spanId = child.spanId;
    parentSpanId = parent.spanId;
    keepParsed(req.meta, { traceId: parent.traceId, spanId, sampled: true });
  }
  return new SpanTimer(tracer, 'gateway', parent.traceId, spanId, parentSpanId, req);
}
