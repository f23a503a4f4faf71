import { type TracingConfig } from '../config/schema';
import { type Caller, newRequestId } from '../envelope';
import { fromWire } from '../errors';
import { type Handler } from '../proxies/proxy';
import { type SpanStore } from './store';
import { createOtlpSink } from './otlp';
import { NODE_ROLE } from './tracing-service';
import { TRACING_SERVICE, type Tracer } from './tracer';

// A batch that is not stored by then is dropped, and counted: spans must not pile up behind a slow store.
const RECORD_TIMEOUT_MS = 5000;

/**
 * Ships the tracer's batches to `tracing.record` through the node's chain (so, in a cluster, to
 * whichever worker serves `tracing`), or straight into `local`, the store of this node's own
 * tracing service, and to an OTLP collector when config names one; starts its
 * timer. Returns what stops it: a last flush, then the exporter's shutdown.
 */
export function connectTracer(tracer: Tracer, opts: { chain: Handler; config: TracingConfig; node: string; local?: SpanStore }): () => Promise<void> {
  const caller: Caller = { identity: `node:${opts.node}`, roles: [NODE_ROLE] };
  const { local } = opts;
  // A node that hosts the tracing service keeps its own spans itself: the same store that
  // tracing.record fills, without encoding, sending and validating every batch.
  if (local !== undefined) tracer.packedSink(`this node's ${TRACING_SERVICE} service`, (packed) => local.addPacked(packed));
  else tracer.sink(`${TRACING_SERVICE}.record`, async (spans) => {
    // No traceparent: a call that nothing traces (no span of the tracing service is ever recorded).
    const reply = await opts.chain({ id: newRequestId(), service: TRACING_SERVICE, method: 'record', args: { spans }, meta: { deadline: Date.now() + RECORD_TIMEOUT_MS, caller, attempt: 1 } });
    if (reply.error !== undefined) throw fromWire(reply.error);
  });
  const otlp = opts.config.otlp === undefined ? undefined : createOtlpSink({ url: opts.config.otlp.url, headers: opts.config.otlp.headers });
  if (otlp !== undefined) tracer.sink(`OTLP collector ${opts.config.otlp!.url}`, otlp.ship);
  tracer.start();
  return async () => {
    await tracer.close();
    await otlp?.close();
  };
}
