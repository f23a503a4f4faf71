import { type CallRequest, ENVELOPE_VERSION, newSpanId, newTraceId, PARSED_TRACEPARENT } from '../envelope';
import { jsonCodec } from '../envelope/codec';
import { silentLogger } from '../logging';
import { parseConfig } from '../config';
import { openSpan } from './open-span';
import { childRequest, COPIED_META_FIELDS, parseTraceparent, requestTrace } from './span';
import { Tracer } from './tracer';

const request = (traceparent: string | undefined): CallRequest => ({ id: 'r1', service: 'calc', method: 'sum', args: [1, 2], meta: { traceparent, deadline: 5_000, caller: { identity: 'ann', roles: ['artist'] }, attempt: 2, oneWay: true } });

describe('a request handed on by a span', () => {
  const traceId = newTraceId();
  const parent = parseTraceparent(`00-${traceId}-${newSpanId()}-01`)!;

  it('names the span as the next hop\'s parent and copies every other field', () => {
    const req = request(`00-${traceId}-${parent.spanId}-01`);
    const spanId = newSpanId();
    const child = childRequest(req, parent, spanId);
    // Its string-keyed fields: the parsed form sits under a symbol.
    expect({ ...child, meta: Object.fromEntries(Object.entries(child.meta)) }).toEqual({ ...req, meta: { ...req.meta, traceparent: `00-${traceId}-${spanId}-01` } });
    expect(child.meta).not.toBe(req.meta);
    expect(requestTrace(child.meta)).toMatchObject({ traceId, spanId, sampled: true });
  });

  it('copies every field of CallMeta', () => {
    const req = request(`00-${traceId}-${parent.spanId}-01`);
    req.meta.redelivered = true;
    const child = childRequest(req, parent, newSpanId());
    for (const key of Object.keys(COPIED_META_FIELDS) as (keyof typeof COPIED_META_FIELDS)[]) {
      expect(req.meta[key]).toBeDefined();
      if (key !== 'traceparent') expect(child.meta[key]).toEqual(req.meta[key]);
    }
  });

  it('keeps its parsed traceparent out of every wire, and out of use once the text changes', () => {
    const child = childRequest(request(undefined), parent, newSpanId());
    expect(JSON.parse(JSON.stringify(child.meta))).toEqual({ traceparent: child.meta.traceparent, deadline: 5_000, caller: { identity: 'ann', roles: ['artist'] }, attempt: 2, oneWay: true });
    const decoded = jsonCodec.decode(jsonCodec.encode({ v: ENVELOPE_VERSION, kind: 'request', ...child }));
    expect(decoded.kind === 'request' && Object.getOwnPropertySymbols(decoded.meta)).toEqual([]);
    // The memory transport's copy stays in this process: the parse goes with it, and still reads the same.
    const copied = jsonCodec.roundTrip!.request(child).meta;
    expect(Object.getOwnPropertySymbols(copied)).toEqual([PARSED_TRACEPARENT]);
    expect(requestTrace(copied)).toEqual({ traceId: parent.traceId, spanId: child.meta.traceparent!.slice(36, 52), sampled: true, text: child.meta.traceparent });
    // A link that spreads the meta with a traceparent of its own: the kept one no longer applies.
    const other = `00-${newTraceId()}-${newSpanId()}-00`;
    expect(requestTrace({ ...child.meta, traceparent: other })).toEqual(parseTraceparent(other));
    expect(requestTrace({ ...child.meta, traceparent: 'garbage' })).toBeUndefined();
  });

  it('is not traced when its traceparent only looks sampled', () => {
    const tracer = new Tracer(parseConfig('tracing:\n  enabled: true\n', 't.yaml').tracing, { node: 'n1', log: silentLogger() });
    // 55 characters ending in a sampled flag, but not hex: handed on untouched, not a crash.
    const bogus = `00-${'z'.repeat(32)}-${'0'.repeat(16)}-01`;
    expect(openSpan(tracer, request(bogus), 'proxy')).toBeUndefined();
    expect(openSpan(tracer, request(`00-${traceId}-${parent.spanId}-01`), 'proxy')?.req.meta.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });
});
