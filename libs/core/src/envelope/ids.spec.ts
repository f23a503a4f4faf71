import { childTrace, formatTraceparent, isTraceparent, newRequestId, newSpanId, newTraceId, sampledBit } from './ids';

describe('ids', () => {
  it('makes request ids that do not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, newRequestId));
    expect(ids.size).toBe(10_000);
  });

  it('makes W3C-shaped trace and span ids, across pool refills', () => {
    const traces = Array.from({ length: 1000 }, newTraceId);
    expect(traces.every((t) => /^[0-9a-f]{32}$/.test(t))).toBe(true);
    expect(new Set(traces).size).toBe(1000);
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
  });

  it('continues an incoming trace with a new span, and starts one for a bad header', () => {
    const t = childTrace('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(t).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', sampled: true });
    expect(formatTraceparent(t)).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(childTrace('garbage').parentSpanId).toBeUndefined();
  });
});

describe('isTraceparent', () => {
  const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  it('accepts a version-00 traceparent and reads its sampled bit', () => {
    expect(isTraceparent(valid)).toBe(true);
    expect(sampledBit(valid)).toBe(true);
    expect(sampledBit(valid.replace(/01$/, '00'))).toBe(false);
    expect(sampledBit(valid.replace(/01$/, '0f'))).toBe(true);
    expect(sampledBit(valid.replace(/01$/, '0e'))).toBe(false);
  });

  it.each([
    ['another version', `01${valid.slice(2)}`],
    ['upper-case hex', valid.toUpperCase()],
    ['a non-hex character in the trace id', `${valid.slice(0, 10)}g${valid.slice(11)}`],
    ['a non-hex character in the span id', `${valid.slice(0, 40)}z${valid.slice(41)}`],
    ['a non-hex character in the flags', `${valid.slice(0, 54)}x`],
    ['a missing dash', `${valid.slice(0, 35)}0${valid.slice(36)}`],
    ['one character short', valid.slice(0, 54)],
    ['one character long', `${valid}0`],
    ['nothing', ''],
  ])('refuses %s', (_what, text) => {
    expect(isTraceparent(text)).toBe(false);
  });
});
