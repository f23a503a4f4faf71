import { parseTtl } from './logging';
import { expectErrorPanel, type ObsPlatform, startConsoleWithoutPlatform, startObsPlatform, until, type Who } from './obs-platform.test-support';

describe('the logging page', () => {
  let p: ObsPlatform;
  const get = (path: string) => p.get(path, 'viewer');
  const post = (who: Who, form: Record<string, string>, accept = 'text/html') => p.post('/logging', form, who, { accept });
  const row = (html: string, service: string) => new RegExp(`<tr id="service-${service}" data-service="${service}">([\\s\\S]*?)</tr>`).exec(html)?.[1];

  beforeAll(async () => {
    p = await startObsPlatform();
  });
  afterAll(() => p?.close());

  it("lists every service's level on each node, with a form per service", async () => {
    const res = await get('/logging');
    expect(res.statusCode).toBe(200);
    for (const service of ['calc', 'shots', 'system', 'tracing']) {
      const r = row(res.body, service);
      expect(r).toBeDefined();
      expect(r).toMatch(/<td data-node-id="console-test@[^"]+" data-level="silent">/);
      expect(r).toContain('<form class="level-form" method="post" action="/console/logging">');
      expect(r).toContain(`<input type="hidden" name="service" value="${service}">`);
      expect(r).toContain('<select name="level"');
      expect(r).toContain('<input name="ttlMs"');
    }
  });

  it("changes shots's level for an operator, then redirects back to a page that shows it", async () => {
    const res = await post('operator', { service: 'shots', level: 'fatal', ttlMs: '10m' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/logging?set=shots&level=fatal#service-shots');
    // The redirect waited for the change to show: the page that follows has it already.
    const page = await get(String(res.headers.location).split('#')[0].slice(p.prefix.length));
    expect(page.body).toContain('<strong>shots</strong> now logs at <strong>fatal</strong> on every node that hosts it.');
    const r = row(page.body, 'shots')!;
    expect(r).toMatch(/data-level="fatal"><span class="level level-fatal">fatal<\/span>/);
    expect(r).toMatch(/<td data-col="override"><span class="level level-fatal">fatal<\/span> <small>reverts in (9 min 5\d s|10 min 0 s)<\/small>/);
    expect(r).toContain('<option value="fatal" selected>fatal</option>');
    // Only shots changed.
    expect(row(page.body, 'calc')).toContain('data-level="silent"');
    expect(p.node.provider!.logLevels()).toMatchObject({ shots: 'fatal', calc: 'silent' });
  });

  it('answers a script that asks for JSON with the row as it is now', async () => {
    const res = await post('operator', { service: 'calc', level: 'error' }, 'application/json');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ service: 'calc', level: 'error', pending: [], row: { service: 'calc', cells: [{ level: 'error' }] } });
    await until(async () => p.node.provider!.logLevels().calc === 'error', 'calc at error');
  });

  it('shows FORBIDDEN on the page to a user without the operator role, and changes nothing', async () => {
    const before = p.node.provider!.logLevels().shots;
    const res = await post('viewer', { service: 'shots', level: 'trace' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<strong class="obs-error-code">FORBIDDEN</strong>');
    expect(res.body).toContain('logging.setLevel needs one of the roles [operator]');
    // Still the whole page, levels and forms included.
    expect(row(res.body, 'shots')).toBeDefined();
    expect(p.node.provider!.logLevels().shots).toBe(before);
  });

  it('refuses a level or ttl it cannot read, saying what it expected', async () => {
    const res = await post('operator', { service: 'shots', level: 'loud', ttlMs: 'soon' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('level: expected one of fatal, error, warn, info, debug, trace, silent, got &quot;loud&quot;');
    expect(res.body).toContain('revert after: expected milliseconds');
  });

  it('refuses a post that a browser says comes from another site', async () => {
    const res = await p.post('/logging', { service: 'shots', level: 'debug' }, 'operator', { 'sec-fetch-site': 'cross-site' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('not from another site');
  });

  it('reads a ttl in ms, or with a unit', () => {
    expect(parseTtl('')).toBeUndefined();
    expect(parseTtl('600000')).toBe(600_000);
    expect(parseTtl('90s')).toBe(90_000);
    expect(parseTtl('10m')).toBe(600_000);
    expect(parseTtl('2h')).toBe(7_200_000);
    expect(parseTtl('1.5 min')).toBe(90_000);
    expect(parseTtl('0')).toEqual({ problem: expect.stringContaining('got "0"') });
    expect(parseTtl('-5')).toEqual({ problem: expect.any(String) });
  });
});

describe('the logging page, when the platform does not answer', () => {
  it('shows an error panel for reading the levels and for a change, not a stack', async () => {
    const c = await startConsoleWithoutPlatform();
    try {
      const page = await c.get('/logging');
      expect(page.statusCode).toBe(503);
      expectErrorPanel(page, 'UNAVAILABLE');
      const change = await c.post('/logging', { service: 'shots', level: 'debug' });
      expect(change.statusCode).toBe(503);
      expectErrorPanel(change, 'UNAVAILABLE');
    } finally {
      await c.close();
    }
  });
});
