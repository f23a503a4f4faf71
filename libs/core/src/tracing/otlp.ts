import { type Attributes, type HrTime, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { type Resource } from '@opentelemetry/resources';
import { type ReadableSpan } from '@opentelemetry/sdk-trace';
import { type Span, type SpanKind as JunctionKind } from './span';
import { type SpanSink } from './tracer';

export interface OtlpOptions {
  /** The collector's OTLP/HTTP traces endpoint, e.g. `http://127.0.0.1:4318/v1/traces`. */
  url: string;
  headers?: Record<string, string>;
  /** How long one batch may take, its retries included; 10 s when absent. */
  timeoutMs?: number;
}

// What each of our hops is in OpenTelemetry's words: who receives a call, who sends one.
const KINDS: Record<JunctionKind, SpanKind> = {
  gateway: SpanKind.SERVER,
  proxy: SpanKind.INTERNAL,
  transport: SpanKind.CLIENT,
  provider: SpanKind.SERVER,
  handler: SpanKind.INTERNAL,
};
const SCOPE = { name: '@junction/core', version: '0.1.0' };
// ExportResultCode.SUCCESS of @opentelemetry/core, without depending on that package for one number.
const SUCCESS = 0;

const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

/**
 * A sink that exports spans to an OpenTelemetry collector over OTLP/HTTP (JSON), with the
 * OpenTelemetry JS exporter. Our spans are converted when shipped: one resource per service and
 * node (`service.name`, `service.instance.id`), ids and parents as they are.
 */
export function createOtlpSink(opts: OtlpOptions): { ship: SpanSink; close(): Promise<void> } {
  // Loaded here, not at the top: a node that exports nothing never pays for loading the exporter.
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const exporter = new OTLPTraceExporter({ url: opts.url, headers: opts.headers ?? {}, timeoutMillis: opts.timeoutMs ?? 10_000 });
  const resources = new Map<string, Resource>();
  const resourceOf = (s: Span): Resource => {
    const key = `${s.service}\u0000${s.node}`;
    let r = resources.get(key);
    if (r === undefined) {
      r = resourceFromAttributes({ 'service.name': s.service, 'service.instance.id': s.node });
      resources.set(key, r);
    }
    return r;
  };
  const convert = (s: Span): ReadableSpan => {
    const attributes: Attributes = { 'rpc.system': 'junction', 'rpc.service': s.service, 'rpc.method': s.method, 'junction.kind': s.kind, 'junction.node': s.node };
    if (s.error !== undefined) attributes['junction.error'] = s.error;
    if (s.args !== undefined) attributes['junction.args'] = JSON.stringify(s.args);
    for (const [k, v] of Object.entries(s.attrs ?? {})) attributes[`junction.${k}`] = v;
    const flags = TraceFlags.SAMPLED;
    return {
      name: s.name,
      kind: KINDS[s.kind],
      spanContext: () => ({ traceId: s.traceId, spanId: s.spanId, traceFlags: flags }),
      ...(s.parentSpanId === undefined ? {} : { parentSpanContext: { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: flags, isRemote: true } }),
      startTime: hr(s.start),
      endTime: hr(s.start + s.durationMs),
      duration: hr(s.durationMs),
      status: s.error === undefined ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: s.error },
      attributes,
      links: [],
      events: [],
      ended: true,
      resource: resourceOf(s),
      instrumentationScope: SCOPE,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  };
  return {
    ship: (spans) =>
      new Promise<void>((resolve, reject) => {
        exporter.export(spans.map(convert), (result) => {
          if (result.code === SUCCESS) resolve();
          else reject(result.error ?? new Error(`OTLP export to ${opts.url} failed`));
        });
      }),
    close: () => exporter.shutdown(),
  };
}
