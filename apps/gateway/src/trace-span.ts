import { type CallRequest, childSpan, keepParsed, splitTraceparent, SpanTimer, type Tracer } from '@junction/core';

/**
 * Begins the gateway's span of a call (ended with the reply) and makes it the next hop's parent,
 * rewriting `req.meta.traceparent`. The trace keeps the sampling decision its traceparent carries:
 * the client's, or the gateway's, made once per request (`Edge.trace`). The root call of a trace
 * that began here takes the span id the traceparent already has (the one the response header
 * names); any other call's span is the child of the traceparent's span. Undefined for a call that
 * is not sampled.
 */
export function gatewaySpan(tracer: Tracer, req: CallRequest, root: boolean): SpanTimer | undefined {
  // Every call the edge hands on carries a traceparent Edge.trace checked or made.
  const text = req.meta.traceparent;
  if (text === undefined || req.service === 'tracing') return undefined;
  const parent = splitTraceparent(text);
  if (!parent.sampled) return undefined;
  if (root) {
    keepParsed(req.meta, parent);
    return new SpanTimer(tracer, 'gateway', parent.traceId, parent.spanId, undefined, req);
  }
  const child = childSpan(parent);
  req.meta.traceparent = child.traceparent;
  keepParsed(req.meta, { traceId: parent.traceId, spanId: child.spanId, sampled: true });
  return new SpanTimer(tracer, 'gateway', parent.traceId, child.spanId, parent.spanId, req);
}
