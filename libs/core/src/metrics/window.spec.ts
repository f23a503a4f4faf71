import { CallWindow, parseDigest, summarizeDigests } from './window';

describe('CallWindow', () => {
  it('summarises each method: calls, calls per second, errors, p50 and p99 within about 10%', () => {
    let now = 1_000_000;
    const w = new CallWindow(() => now);
    // 1. Ten seconds of calc.subtract: 99 calls of 2 ms and one of 200 ms each second, 5 of them errors.
    for (let s = 0; s < 10; s++) {
      for (let i = 0; i < 99; i++) w.record('calc', 'subtract', 2, i < 5 && s === 0);
      w.record('calc', 'subtract', 200, false);
      now += 1000;
    }
    now -= 1000;
    const [m] = w.summary().methods;
    expect(w.summary().seconds).toBe(10);
    expect(m).toMatchObject({ method: 'calc.subtract', calls: 1000, perSecond: 100, errors: 5 });
    expect(m.p50Ms).toBeGreaterThan(2 * 0.9);
    expect(m.p50Ms).toBeLessThan(2 * 1.1);
    // The 99th percentile of 990 calls at 2 ms and 10 at 200 ms is still 2 ms; the 100th is not.
    expect(m.p99Ms).toBeLessThan(2 * 1.1);
  });

  it('puts the slow tail in p99', () => {
    let now = 0;
    const w = new CallWindow(() => now);
    for (let i = 0; i < 95; i++) w.record('render', 'thumbnail', 10, false);
    for (let i = 0; i < 5; i++) w.record('render', 'thumbnail', 1000, false);
    now = 500;
    const [m] = w.summary().methods;
    expect(m.p50Ms / 10).toBeCloseTo(1, 0);
    expect(m.p99Ms).toBeGreaterThan(900);
    expect(m.p99Ms).toBeLessThan(1100);
  });

  it('forgets calls older than a minute, reusing their slots', () => {
    let now = 0;
    const w = new CallWindow(() => now);
    w.record('calc', 'add', 1, true);
    now = 30_000;
    w.record('calc', 'add', 1, false);
    w.record('shots', 'list', 5, false);
    now = 59_999;
    expect(w.summary().methods.map((m) => [m.method, m.calls, m.errors])).toEqual([
      ['calc.add', 2, 1],
      ['shots.list', 1, 0],
    ]);
    now = 60_000;
    expect(w.summary()).toEqual({ seconds: 60, methods: [expect.objectContaining({ method: 'calc.add', calls: 1, errors: 0 }), expect.objectContaining({ method: 'shots.list', calls: 1 })] });
    // 2. The slot of second 0 is reused by second 60: its old count is gone, the new one kept.
    w.record('calc', 'add', 1, false);
    expect(w.summary().methods[0]).toMatchObject({ calls: 2, errors: 0, perSecond: 2 / 60 });
    now = 200_000;
    expect(w.summary().methods).toEqual([]);
  });

  it('divides by the seconds it has seen while younger than a minute', () => {
    let now = 10_500;
    const w = new CallWindow(() => now);
    for (let i = 0; i < 6; i++) w.record('calc', 'add', 1, false);
    now = 12_100;
    expect(w.summary()).toMatchObject({ seconds: 3, methods: [{ calls: 6, perSecond: 2 }] });
  });

  it('keeps latencies below its first bucket and above its last in the end buckets', () => {
    let now = 0;
    const w = new CallWindow(() => now);
    w.record('a', 'fast', 0, false);
    w.record('a', 'slow', 10 * 60_000, false);
    now = 1;
    const [fast, slow] = w.summary().methods;
    expect(fast.p50Ms).toBeLessThan(0.02);
    expect(slow.p99Ms).toBeGreaterThan(300_000);
  });
});

describe('summarizeDigests (a cluster\'s last minute, from each node\'s heartbeat)', () => {
  it('adds calls, errors and rates per method, and reads p50 and p99 from the merged histograms', () => {
    let now = 0;
    // Node a: a minute old, 600 fast calls of calc.sum. Node b: 10 s old, 100 slow ones, 10 failed.
    const a = new CallWindow(() => now);
    now = 50_000;
    const b = new CallWindow(() => now);
    now = 59_000;
    for (let i = 0; i < 600; i++) a.record('calc', 'sum', 1, false);
    for (let i = 0; i < 100; i++) b.record('calc', 'sum', 100, i < 10);
    b.record('shots', 'list', 5, false);
    const sum = summarizeDigests([a.digest(), b.digest()]);
    expect(sum.seconds).toBe(60);
    expect(sum.methods.map((m) => m.method)).toEqual(['calc.sum', 'shots.list']);
    const [calc] = sum.methods;
    expect(calc).toMatchObject({ calls: 700, errors: 10 });
    // 600 calls over a's 60 s, plus 100 over b's 10 s.
    expect(calc.perSecond).toBeCloseTo(600 / 60 + 100 / 10);
    // 6 calls in 7 took 1 ms, so the median is a's; the 99th percentile is among b's slow calls.
    expect(calc.p50Ms).toBeGreaterThan(0.9);
    expect(calc.p50Ms).toBeLessThan(1.1);
    expect(calc.p99Ms).toBeGreaterThan(90);
    expect(calc.p99Ms).toBeLessThan(110);
    // One node's digest reads as its own summary.
    expect(summarizeDigests([a.digest()])).toEqual(a.summary());
    expect(summarizeDigests([])).toEqual({ seconds: 0, methods: [] });
  });

  it('takes a digest from a heartbeat only when every part of it is well formed', () => {
    const good = { seconds: 60, methods: [{ method: 'calc.sum', calls: 3, errors: 0, buckets: [[12, 3]] }] };
    expect(parseDigest(JSON.parse(JSON.stringify(good)))).toEqual(good);
    for (const bad of [
      null,
      { seconds: 0, methods: [] },
      { seconds: 60 },
      { seconds: 60, methods: [{ method: 'calc.sum', calls: -1, errors: 0, buckets: [] }] },
      { seconds: 60, methods: [{ method: 'calc.sum', calls: 3, errors: 0, buckets: [[100, 3]] }] },
      { seconds: 60, methods: [{ method: 'calc.sum', calls: 3, errors: 0, buckets: [[1.5, 3]] }] },
      { seconds: 60, methods: [{ calls: 3, errors: 0, buckets: [] }] },
    ]) {
      expect(parseDigest(bad)).toBeUndefined();
    }
  });
});
