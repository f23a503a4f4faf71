import { randomBytes } from 'node:crypto';
import { expectErrorPanel, type ObsPlatform, startConsoleWithoutPlatform, startObsPlatform, until } from './obs-platform.test-support';

const traceparent = () => {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
};

/** The `<details class="span-row">` opening tags of a trace page, with their data attributes. */
function spanRows(html: string) {
  return [...html.matchAll(/<details class="span-row kind-(\w+)[^"]*"[^>]*data-span-id="([0-9a-f]{16})" data-parent-span-id="([0-9a-f]*)" data-depth="(\d+)"[^>]*>\s*<summary>\s*<span class="span-name"[^>]*><span class="span-kind">\w+<\/span> ([^<]+)<\/span>/g)].map((m) => ({
    kind: m[1],
    spanId: m[2],
    parentSpanId: m[3],
    depth: Number(m[4]),
    name: m[5],
  }));
}

describe('the traces pages', () => {
  let p: ObsPlatform;
  const get = (path: string) => p.get(path, 'viewer');
  /** Waits until `tracing.recent` (as the console reads it) has a span of the trace. */
  const shipped = (traceId: string) => until(async () => (await get(`/traces?limit=200`)).body.includes(traceId), `trace ${traceId} in tracing.recent`);

  // 1. a project for shots.stats; 2. a nested call (shots.stats -> calc.sum), 3. a failed one and
  // 4. a plain one, each with a traceparent of our own so that we know its trace id.
  const stats = traceparent();
  const failed = traceparent();
  const plain = traceparent();
  beforeAll(async () => {
    p = await startObsPlatform();
    await p.rpc('shots.createProject', { code: 'obs', name: 'Observability' });
    await p.rpc('shots.stats', { project: 'obs' }, { traceparent: stats.header });
    await p.rpc('calc.divide', { dividend: 7, divisor: 0 }, { traceparent: failed.header });
    await p.rpc('calc.subtract', { minuend: 42, subtrahend: 23 }, { traceparent: plain.header });
    await Promise.all([stats, failed, plain].map((t) => shipped(t.traceId)));
  });
  afterAll(() => p?.close());

  it('lists a call just made, newest first, with a link to its trace', async () => {
    const res = await get('/traces');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain(`href="/console/traces/${plain.traceId}"`);
    expect(res.body).toMatch(/<a class="obs-call"[^>]*>calc\.subtract<\/a>/);
    // Newest first: the subtraction was made after the division.
    expect(res.body.indexOf(plain.traceId)).toBeLessThan(res.body.indexOf(failed.traceId));
    expect(res.body).toContain('<span class="obs-outcome failed">SERVICE_ERROR</span>');
  });

  it('narrows the list by service, method, errors and minimum duration, from the URL', async () => {
    const shots = await get('/traces?service=shots');
    expect(shots.body).toContain(stats.traceId);
    expect(shots.body).not.toContain(plain.traceId);

    const subtract = await get('/traces?service=calc&method=subtract');
    expect(subtract.body).toContain(plain.traceId);
    expect(subtract.body).not.toContain(failed.traceId);
    // `service.method` typed in the service box means both.
    expect((await get('/traces?service=calc.subtract')).body).toContain(plain.traceId);
    expect((await get('/traces?service=calc.subtract')).body).not.toContain(failed.traceId);

    const errors = await get('/traces?errors=1');
    expect(errors.body).toContain(failed.traceId);
    expect(errors.body).not.toContain(plain.traceId);
    expect(errors.body).toMatch(/<input type="checkbox" name="errors" value="1" checked>/);

    const slow = await get('/traces?minMs=60000');
    expect(slow.body).not.toContain(plain.traceId);
    expect(slow.body).toContain('No calls match these filters');

    const slowest = await get('/traces?order=slowest&service=calc');
    expect(slowest.statusCode).toBe(200);
    expect(slowest.body).toContain(plain.traceId);
    expect(slowest.body).toMatch(/<a href="[^"]*order=slowest[^"]*" aria-current="page">Slowest<\/a>/);
  });

  it('refuses a minimum duration that is not a number, saying what it expected', async () => {
    const res = await get('/traces?minMs=fast');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('INVALID_FILTER');
    expect(res.body).toContain('expected a number of milliseconds');
  });

  it('renders a nested call as a waterfall, each span one level under its parent', async () => {
    const res = await get(`/traces/${stats.traceId}`);
    expect(res.statusCode).toBe(200);
    const rows = spanRows(res.body);
    const byId = new Map(rows.map((r) => [r.spanId, r]));
    // Every span whose parent is on the page sits one level under it; the others are roots.
    for (const r of rows) {
      const parent = byId.get(r.parentSpanId);
      expect(r.depth).toBe(parent === undefined ? 0 : parent.depth + 1);
    }
    const outer = rows.find((r) => r.kind === 'provider' && r.name === 'shots.stats')!;
    const inner = rows.find((r) => r.kind === 'provider' && r.name === 'calc.sum')!;
    expect(outer).toBeDefined();
    expect(inner).toBeDefined();
    // calc.sum is under shots.stats's handler, through the remote terminal's transport span.
    expect(inner.depth).toBeGreaterThan(outer.depth + 1);
    let up = byId.get(inner.parentSpanId);
    while (up !== undefined && up.spanId !== outer.spanId) up = byId.get(up.parentSpanId);
    expect(up?.spanId).toBe(outer.spanId);
    // Rows are depth first: the inner call comes after the outer one.
    expect(rows.indexOf(inner)).toBeGreaterThan(rows.indexOf(outer));
    // Bars are placed on the trace's time line.
    expect(res.body).toMatch(/<span class="span-bar" style="left: \d+\.\d\d%; width: \d+\.\d\d%"><\/span>/);
    // The args as stored.
    expect(res.body).toContain('&quot;project&quot;: &quot;obs&quot;');
  });

  it("shows a failed call's error code, reason and message in its span", async () => {
    const res = await get(`/traces/${failed.traceId}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<details class="span-row kind-provider failed"[^>]* open>/);
    expect(res.body).toContain('<strong>SERVICE_ERROR</strong>');
    expect(res.body).toContain('DIVISION_BY_ZERO');
    expect(res.body).toContain('cannot divide 7 by zero');
  });

  it('answers 400 naming the expected format for a malformed trace id, escaped', async () => {
    const res = await get('/traces/not-a-trace%3Cb%3E');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('INVALID_TRACE_ID');
    expect(res.body).toContain('expected 32 hexadecimal characters');
    expect(res.body).toContain('not-a-trace&lt;b&gt;');
    expect(res.body).not.toContain('not-a-trace<b>');
  });

  it('shows a page that refreshes itself, not an error, for a trace not stored yet', async () => {
    const unknown = traceparent().traceId;
    const res = await get(`/traces/${unknown}`);
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('not stored yet');
    expect(res.body).toContain('spans are shipped each second');
    expect(res.headers.refresh).toBe(`2; url=/console/traces/${unknown}?attempt=1`);
    // After half a minute it stops refreshing and says why the trace may never come.
    const late = await get(`/traces/${unknown}?attempt=15`);
    expect(late.headers.refresh).toBeUndefined();
    expect(late.body).toContain('may not have been sampled');
  });

  it('opens a trace from its id or a whole traceparent typed in the box', async () => {
    const byId = await get(`/traces?trace=${plain.traceId.toUpperCase()}`);
    expect(byId.statusCode).toBe(303);
    expect(byId.headers.location).toBe(`/console/traces/${plain.traceId}`);
    const byHeader = await get(`/traces?trace=${encodeURIComponent(plain.header)}`);
    expect(byHeader.headers.location).toBe(`/console/traces/${plain.traceId}`);
  });
});

describe('the traces pages, when the platform does not answer', () => {
  it('show an error panel with the code and message, not a stack', async () => {
    const c = await startConsoleWithoutPlatform();
    try {
      const list = await c.get('/traces?service=calc');
      expect(list.statusCode).toBe(503);
      expectErrorPanel(list, 'UNAVAILABLE');
      // The filters are still there, to try again.
      expect(list.body).toContain('<input name="service" value="calc"');
      const one = await c.get(`/traces/${'ab'.repeat(16)}`);
      expect(one.statusCode).toBe(503);
      expectErrorPanel(one, 'UNAVAILABLE');
    } finally {
      await c.close();
    }
  });
});
