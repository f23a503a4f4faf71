import { type CallMeta, type CallRequest } from '../envelope/envelope';
import { isTraceparent, newSpanId, PARSED_TRACEPARENT, sampledBit, traceparentOf } from '../envelope/ids';

/** Where in a call's path a span was taken. */
export type SpanKind = 'gateway' | 'proxy' | 'transport' | 'provider' | 'handler';

/** A span as stored and answered by the tracing service: plain JSON. */
export interface Span {
  traceId: string;
  spanId: string;
  /** Absent on a trace's root. */
  parentSpanId?: string;
  kind: SpanKind;
  /** What happened: `shots.create`, `cache miss`, `retry attempt 2`, `send over remote:rabbit`. */
  name: string;
  service: string;
  method: string;
  /** The node that took the span (config `node.name`). */
  node: string;
  /** Epoch ms. */
  start: number;
  durationMs: number;
  /** The error code of the reply (`TIMEOUT`, `SERVICE_ERROR`...); absent on success. */
  error?: string;
  /** The call's args, sensitive params replaced by `[redacted]`: provider spans only. */
  args?: unknown;
  attrs?: Record<string, string | number | boolean>;
}

/** How a span's args are redacted: the method's param names (for positional args) and its sensitive ones. */
export interface ArgsPolicy {
  readonly names: readonly string[];
  /** `true`: every param; a list: those params; absent: only the platform's always-redacted names. */
  readonly sensitive?: true | readonly string[];
}

/**
 * A handler's span, kept in its provider's record: same trace, service, method, node and outcome,
 * its parent the provider's span. Stored so (a row with a handler part) and made a span of its
 * own again when read or exported: one record a call instead of two.
 */
export interface FoldedHandler {
  spanId: string;
  /** Epoch ms. */
  start: number;
  durationMs: number;
}

/** A span as recorded on a call's path: args still a reference, redacted only when stored or shipped. */
export interface RawSpan extends Span {
  rawArgs?: unknown;
  policy?: ArgsPolicy;
  /** On a provider's record: its handler's span. */
  handler?: FoldedHandler;
}

/** What a span records besides where it sits in its trace. */
export type SpanFields = Pick<RawSpan, 'kind' | 'name' | 'service' | 'method' | 'node' | 'start' | 'durationMs' | 'error' | 'attrs' | 'rawArgs' | 'policy' | 'handler'>;

/**
 * A recorded span. Every span is made here, with every field present (absent ones undefined, which
 * JSON drops): one object shape for all of them keeps the tracer's hot path monomorphic, where
 * literals spreading optional parts made a shape per combination and cost more than the call they
 * traced.
 */
export function rawSpan(traceId: string, spanId: string, parentSpanId: string | undefined, f: SpanFields): RawSpan {
  return {
    traceId,
    spanId,
    parentSpanId,
    kind: f.kind,
    name: f.name,
    service: f.service,
    method: f.method,
    node: f.node,
    start: f.start,
    durationMs: f.durationMs,
    error: f.error,
    args: undefined,
    attrs: f.attrs,
    rawArgs: f.rawArgs,
    policy: f.policy,
    handler: f.handler,
  };
}

/** The parts of a W3C traceparent a hop needs. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

export function parseTraceparent(text: string | undefined): TraceParent | undefined {
  return text === undefined || !isTraceparent(text) ? undefined : splitTraceparent(text);
}

/**
 * The parts of a traceparent already checked, or made, in this process (the gateway's: the
 * edge checked the client's header or made the traceparent): split without checking it again.
 */
export function splitTraceparent(text: string): TraceParent {
  return { traceId: text.slice(3, 35), spanId: text.slice(36, 52), sampled: sampledBit(text) };
}

/**
 * The sampled flag without parsing the whole header: the hot check every traced link makes. A
 * malformed header reads as not sampled, and is left alone.
 */
export function isSampled(text: string | undefined): boolean {
  return text !== undefined && text.length === 55 && sampledBit(text);
}

// A request made in this process keeps its traceparent parsed beside it, under a symbol that JSON
// leaves out (so it never crosses a wire), used only while it matches the text. Checking a
// traceparent costs about as much as the rest of a span's start; each hop in a process would
// otherwise check the one the hop before it made.
type Parsed = TraceParent & { readonly text: string };
type ParsedMeta = CallMeta & { [PARSED_TRACEPARENT]?: Parsed };

/** The request's trace context: parsed here once, or by the hop in this process that made it. */
export function requestTrace(meta: CallMeta): TraceParent | undefined {
  const cached = (meta as ParsedMeta)[PARSED_TRACEPARENT];
  if (cached !== undefined && cached.text === meta.traceparent) return cached;
  return parseTraceparent(meta.traceparent);
}

/** Keeps `trace` as the parsed form of `meta.traceparent` (which must be its text). */
export function keepParsed(meta: CallMeta, trace: TraceParent): void {
  (meta as ParsedMeta)[PARSED_TRACEPARENT] = { text: meta.traceparent!, traceId: trace.traceId, spanId: trace.spanId, sampled: trace.sampled };
}

// The fields childRequest copies, one by one: a field added to CallMeta fails to compile here
// until it is added there too.
export const COPIED_META_FIELDS: Readonly<Record<keyof CallMeta, true>> = { traceparent: true, deadline: true, caller: true, attempt: true, oneWay: true, redelivered: true };

/**
 * `req` as the child of span `spanId` (under `parent`) hands it on: the same call, its traceparent
 * naming that span, kept parsed. Fields copied one by one: a spread of the request and of its
 * meta cost ten times as much, on every traced hop.
 */
export function childRequest(req: CallRequest, parent: TraceParent, spanId: string): CallRequest {
  const m = req.meta;
  const traceparent = traceparentOf(parent.traceId, spanId, parent.sampled);
  const meta: ParsedMeta = { traceparent, deadline: m.deadline, caller: m.caller, attempt: m.attempt };
  if (m.oneWay !== undefined) meta.oneWay = m.oneWay;
  if (m.redelivered !== undefined) meta.redelivered = m.redelivered;
  meta[PARSED_TRACEPARENT] = { text: traceparent, traceId: parent.traceId, spanId, sampled: parent.sampled };
  return { id: req.id, service: req.service, method: req.method, args: req.args, meta };
}

/** A new span under `parent`: its id, and the traceparent that makes the next hop its child. */
export function childSpan(parent: TraceParent): { spanId: string; traceparent: string } {
  const spanId = newSpanId();
  return { spanId, traceparent: traceparentOf(parent.traceId, spanId, parent.sampled) };
}
