import { Type } from '@sinclair/typebox';
import { defineService, method } from '../service';
import { type SpanStore, spanTree } from './store';
import { TRACING_SERVICE, type Tracer } from './tracer';

/** The role a node's own `tracing.record` calls carry; no API key should give it to a person. */
export const NODE_ROLE = 'junction:node';

const SpanSchema = Type.Object(
  {
    traceId: Type.String({ pattern: '^[0-9a-f]{32}$' }),
    spanId: Type.String({ pattern: '^[0-9a-f]{16}$' }),
    parentSpanId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{16}$' })),
    kind: Type.Union([Type.Literal('gateway'), Type.Literal('proxy'), Type.Literal('transport'), Type.Literal('provider'), Type.Literal('handler')]),
    name: Type.String(),
    service: Type.String(),
    method: Type.String(),
    node: Type.String(),
    start: Type.Number({ description: 'Epoch ms.' }),
    durationMs: Type.Number(),
    error: Type.Optional(Type.String({ description: 'The error code of the reply.' })),
    args: Type.Optional(Type.Unknown({ description: 'Sensitive params are [redacted].' })),
    attrs: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
  },
  { additionalProperties: false },
);

const filters = {
  service: Type.Optional(Type.String({ description: 'Only calls of this service.' })),
  method: Type.Optional(Type.String({ description: 'Only calls of this method (with `service`).' })),
  minDurationMs: Type.Optional(Type.Number({ minimum: 0, description: 'Only calls that took at least this long.' })),
  error: Type.Optional(Type.Union([Type.Boolean(), Type.String()], { description: 'true: failed calls only; false: successes only; a code: that error only.' })),
  kind: Type.Optional(Type.Union([Type.Literal('gateway'), Type.Literal('proxy'), Type.Literal('transport'), Type.Literal('provider'), Type.Literal('handler')], { description: 'Spans of this kind; `provider` (each call as its service answered it) by default.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: '50 when absent.' })),
};

/**
 * The `tracing` system service, hosted by every worker beside `system`: nodes ship their spans to
 * `record`; developers read them with `get`, `recent` and `slowest`. Its own calls are never traced.
 */
export function createTracingService(store: SpanStore, tracer?: Tracer) {
  return defineService({
    name: TRACING_SERVICE,
    version: '1.0.0',
    description: 'Traces of calls: every hop a span with its service, method, node, start, duration, outcome and redacted args.',
    methods: {
      record: method({
        description: 'Stores spans that a node collected. Called by the platform itself, in batches.',
        access: [NODE_ROLE],
        params: { spans: Type.Array(SpanSchema, { maxItems: 10_000 }) },
        result: Type.Integer({ description: 'How many spans were stored.' }),
        handler: async ({ spans }) => {
          await store.add(spans);
          return spans.length;
        },
      }),
      get: method({
        description: 'One trace as a tree: each span with its children; a provider span under a transport span also gives queueWaitMs.',
        safe: true,
        params: { traceId: Type.String({ pattern: '^[0-9a-f]{32}$', description: 'The trace id: the second field of a traceparent.' }) },
        result: Type.Object({ traceId: Type.String(), spans: Type.Integer(), roots: Type.Array(Type.Unknown()) }),
        examples: [{ args: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' } }],
        handler: async ({ traceId }) => {
          const spans = await store.trace(traceId);
          return { traceId, spans: spans.length, roots: spanTree(spans) };
        },
      }),
      recent: method({
        description: 'The latest calls (provider spans, newest first), filtered; their traceId leads to tracing.get.',
        safe: true,
        params: filters,
        result: Type.Array(SpanSchema),
        examples: [{ title: 'Failed calls of shots', args: { service: 'shots', error: true } }],
        handler: (q) => store.recent(q),
      }),
      status: method({
        description: "The answering node's tracer (spans buffered, dropped because its buffer was full, shipped, failed to ship) and the spans its ring keeps.",
        safe: true,
        params: {},
        result: Type.Object({
          node: Type.Optional(Type.String()),
          tracer: Type.Optional(Type.Object({ buffered: Type.Integer(), dropped: Type.Integer(), shipped: Type.Integer(), failed: Type.Integer() })),
          ring: Type.Object({ traces: Type.Integer(), spans: Type.Integer() }),
        }),
        handler: () => ({ ...(tracer === undefined ? {} : { node: tracer.node, tracer: tracer.stats() }), ring: store.size() }),
      }),
      slowest: method({
        description: 'The slowest calls (provider spans, slowest first) still kept, filtered like recent.',
        safe: true,
        params: filters,
        result: Type.Array(SpanSchema),
        examples: [{ args: { service: 'calc', limit: 10 } }],
        handler: (q) => store.slowest(q),
      }),
    },
  });
}
