import { randomBytes } from 'node:crypto';

// A pool of random bytes refilled rarely: ids are made on every call, and one randomBytes per id costs.
let pool = Buffer.alloc(0);
let offset = 0;
function take(n: number): Buffer {
  if (offset + n > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + n);
  offset += n;
  return out;
}

export function newRequestId(): string {
  return take(12).toString('base64url');
}

export function newTraceId(): string {
  return take(16).toString('hex');
}

export function newSpanId(): string {
  return take(8).toString('hex');
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceContext {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  sampled: boolean;
}

/** The trace of a new hop: the same trace id as the incoming traceparent (or a new one), a new span id. */
export function childTrace(traceparent: string | undefined): TraceContext {
  const m = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (m === null) return { traceId: newTraceId(), spanId: newSpanId(), sampled: true };
  return { traceId: m[1], spanId: newSpanId(), parentSpanId: m[2], sampled: (parseInt(m[3], 16) & 1) === 1 };
}

export function formatTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.sampled ? '01' : '00'}`;
}
