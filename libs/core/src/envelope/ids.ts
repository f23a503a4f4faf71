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

// Lower-case hex digits by char code: one load a character instead of two range checks.
const HEX = new Uint8Array(128);
for (const c of '0123456789abcdef') HEX[c.charCodeAt(0)] = 1;

/**
 * Whether `text` is a W3C traceparent of version 00 (`00-<32 hex>-<16 hex>-<2 hex>`, lower case).
 * Checked by hand: it runs on every traced call, and a regex with captures cost a match array
 * and four strings each time.
 */
export function isTraceparent(text: string): boolean {
  if (text.length !== 55 || text.charCodeAt(0) !== 48 || text.charCodeAt(1) !== 48 || text.charCodeAt(2) !== 45 || text.charCodeAt(35) !== 45 || text.charCodeAt(52) !== 45) return false;
  for (let i = 3; i < 55; i++) {
    if (i === 35 || i === 52) continue;
    // Past 127 is not hex either: HEX[c] is undefined there.
    if (HEX[text.charCodeAt(i)] !== 1) return false;
  }
  return true;
}

/** The sampled bit of a valid traceparent's flags (the last hex digit's lowest bit). */
export function sampledBit(traceparent: string): boolean {
  const c = traceparent.charCodeAt(54);
  return ((c <= 57 ? c - 48 : c - 87) & 1) === 1;
}

export interface TraceContext {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  sampled: boolean;
}

/** The trace of a new hop: the same trace id as the incoming traceparent (or a new one), a new span id. */
export function childTrace(traceparent: string | undefined): TraceContext {
  if (traceparent === undefined || !isTraceparent(traceparent)) return { traceId: newTraceId(), spanId: newSpanId(), sampled: true };
  return { traceId: traceparent.slice(3, 35), spanId: newSpanId(), parentSpanId: traceparent.slice(36, 52), sampled: sampledBit(traceparent) };
}

export function formatTraceparent(trace: TraceContext): string {
  return traceparentOf(trace.traceId, trace.spanId, trace.sampled);
}

/** The W3C traceparent (version 00) of span `spanId` of trace `traceId`. */
export function traceparentOf(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

/**
 * Where a request made or handed on in this process keeps its traceparent parsed, beside its
 * meta (see tracing/span.ts, requestTrace). A symbol: JSON leaves it out, so it never crosses a
 * wire; the memory transport's copy of a meta keeps it, as the same process reads it on the other
 * side. It is used only while its text matches the meta's traceparent.
 */
export const PARSED_TRACEPARENT: unique symbol = Symbol('traceparent parsed');
