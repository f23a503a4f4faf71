import { expectErrorPanel, type ObsPlatform, startConsoleWithoutPlatform, startObsPlatform, until } from './obs-platform.test-support';

type View = { methods?: { rows: { method: string; calls: string }[] } };
const callsOf = (body: string, method: string) => (JSON.parse(body) as View).methods?.rows.find((r) => r.method === method)?.calls;

describe('the metrics page', () => {
  let p: ObsPlatform;
  const get = (path: string, accept = 'text/html') => p.get(path, 'viewer', { accept });

  beforeAll(async () => {
    p = await startObsPlatform();
    for (let i = 0; i < 3; i++) await p.rpc('calc.subtract', { minuend: 42, subtrahend: i });
    await p.rpc('calc.divide', { dividend: 1, divisor: 0 });
    // A provider counts its calls after their replies have gone (docs/metrics.md): a moment later.
    await until(async () => callsOf((await get('/metrics.json', 'application/json')).body, 'calc.divide') === '1', 'calc.divide in management.metrics');
  });
  afterAll(() => p?.close());

  it('shows a method just called with its calls, req/s, p50, p99 and errors, and the node they came from', async () => {
    const res = await get('/metrics');
    expect(res.statusCode).toBe(200);
    const row = /<tr data-method="calc\.subtract">([\s\S]*?)<\/tr>/.exec(res.body)?.[1];
    expect(row).toBeDefined();
    expect(row).toContain('<td class="num" data-col="calls">3</td>');
    expect(row).toMatch(/data-col="rate">\d+(\.\d+)?<\/td>/);
    expect(row).toMatch(/data-col="p50">\d+(\.\d+)? (ms|s)<\/td>/);
    expect(row).toMatch(/data-col="p99">\d+(\.\d+)? (ms|s)<\/td>/);
    expect(res.body).toMatch(/<tr data-method="calc\.divide" class="failing">[\s\S]*?data-col="errors">1 <small>\(100\.0%\)<\/small>/);
    expect(res.body).toMatch(/Calls answered by <strong data-field="methodsNodes">console-test@[^<]+<\/strong>/);
    // The page refreshes itself from the JSON, without a reload.
    expect(res.body).toContain('data-json="/console/metrics.json"');
    expect(res.body).toContain('<script src="/console/static/metrics.js" defer></script>');
  });

  it("shows every node's queues, each with its node, depth and wait", async () => {
    const res = await get('/metrics');
    expect(res.body).toMatch(/<tr data-node="console-test@[^"]+" data-queue="[^"]*mem[^"]*"/);
    expect(res.body).toMatch(/<td data-col="node">console-test@[^<]+<\/td>/);
    expect(res.body).toMatch(/data-col="waiting">\d+ \/ [\d,]+<\/td>/);
    expect(res.body).toMatch(/data-col="meanWait">\d+(\.\d+)? ms<\/td>/);
  });

  it('answers the same figures as JSON for the live refresh, and counts new calls', async () => {
    const before = await get('/metrics.json', 'application/json');
    expect(before.statusCode).toBe(200);
    expect(before.headers['content-type']).toContain('application/json');
    expect(callsOf(before.body, 'calc.subtract')).toBe('3');
    expect(JSON.parse(before.body)).toMatchObject({ methods: { nodes: expect.stringMatching(/^console-test@/) }, queues: { nodes: expect.stringMatching(/^console-test@\S+ \(up /) } });
    await p.rpc('calc.subtract', { minuend: 1, subtrahend: 1 });
    await until(async () => callsOf((await get('/metrics.json', 'application/json')).body, 'calc.subtract') === '4', 'the fourth calc.subtract in /metrics.json');
  });
});

describe('the metrics page, when the platform does not answer', () => {
  it('shows an error panel for each table, and the JSON says so too', async () => {
    const c = await startConsoleWithoutPlatform();
    try {
      const page = await c.get('/metrics');
      expect(page.statusCode).toBe(503);
      expectErrorPanel(page, 'UNAVAILABLE');
      expect(page.body.match(/class="obs-error"/g)).toHaveLength(2);
      const json = await c.get('/metrics.json', 'application/json');
      expect(json.statusCode).toBe(503);
      expect(JSON.parse(json.body)).toMatchObject({ methodsError: { code: 'UNAVAILABLE' }, queuesError: { code: 'UNAVAILABLE' } });
    } finally {
      await c.close();
    }
  });
});
