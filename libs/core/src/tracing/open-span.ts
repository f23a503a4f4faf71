import { type CallReply, type CallRequest } from '../envelope';
import { childSpan, isSampled, parseTraceparent, rawSpan, type SpanKind } from './span';
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
  const parent = parseTraceparent(req.meta.traceparent)!;
  const { spanId, traceparent } = childSpan(parent);
  const start = Date.now();
  const started = performance.now();
  return {
    req: { ...req, meta: { ...req.meta, traceparent } },
    end(name, reply, attrs) {
      tracer.record(
        rawSpan(parent.traceId, spanId, parent.spanId, {
          kind,
          name,
          service: req.service,
          method: req.method,
          node: tracer.node,
          start,
          durationMs: performance.now() - started,
          error: reply.error?.code,
          attrs,
        }),
      );
    },
  };
}
