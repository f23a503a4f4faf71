import { childTrace, formatTraceparent, newRequestId, newSpanId, newTraceId } from './ids';

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
