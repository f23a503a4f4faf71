import { randomBytes } from 'node:crypto';

// Ids are made on every call, several per call: they come from pools refilled rarely, not from
// one randomBytes and one hex conversion each.
const HEX_POOL_CHARS = 8192;
let hexPool = '';
let hexOffset = HEX_POOL_CHARS;

function randomHex(chars: number): string {
  if (hexOffset + chars > HEX_POOL_CHARS) {
    hexPool = randomBytes(HEX_POOL_CHARS / 2).toString('hex');
    hexOffset = 0;
  }
  const out = hexPool.substring(hexOffset, hexOffset + chars);
  hexOffset += chars;
  return out;
}

// Request ids need only be unique (they pair a reply with its request, across processes): a
// random prefix per process and a counter.
const PREFIX = randomBytes(9).toString('base64url');
let counter = 0;

export function newRequestId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${PREFIX}${counter.toString(36)}`;
}

export function newTraceId(): string {
  return randomHex(32);
}

export function newSpanId(): string {
  return randomHex(16);
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
