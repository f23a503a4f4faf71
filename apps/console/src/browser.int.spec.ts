import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { KEYS, type Platform, startPlatform } from './testing/platform';

// Debian's chromium, which `npm test` installs first (tools/test-servers/ensure.js).
const CHROMIUM = process.env.JUNCTION_CHROMIUM ?? '/usr/bin/chromium';
// Screenshots for a person to look at: <repo>/test-output/console/*.png (git ignores test-output/).
const SHOTS_DIR = join(__dirname, '..', '..', '..', 'test-output', 'console');

jest.setTimeout(90_000);

/**
 * The console as a developer uses it, in a real browser against the embedded platform with the
 * console mounted in the gateway. The steps build on each other, in order.
 */
describe('the console in a real browser (headless Chromium)', () => {
  let p: Platform;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let traceHref = '';

  // From the top: a full-page screenshot draws the sticky bars where the page was scrolled to.
  const shot = async (name: string) => {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`), fullPage: true });
  };
  const rpc = async (method: string, params: object) => {
    const res = await fetch(`${p.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.developer}` }, body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }) });
    return (await res.json()) as { result?: unknown; error?: { message: string } };
  };

  beforeAll(async () => {
    mkdirSync(SHOTS_DIR, { recursive: true });
    p = await startPlatform();
    await rpc('shots.createProject', { code: 'dune', name: 'Dune: Part Three' });
    await rpc('shots.createSequence', { project: 'dune', code: 'sq010' });
    // Flags for a machine without a display or outside network: no sandbox (root in a container),
    // no GPU, and nothing that phones home.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => errors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  it('1. asks for an API key, and signs a developer in', async () => {
    await page.goto(`${p.url}/console/`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await shot('01-login');
    await page.fill('#key', KEYS.developer);
    await Promise.all([page.waitForURL('**/console/services'), page.click('button[type=submit]')]);
    expect(await page.textContent('.who .identity')).toBe('dora');
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'junction_console', httpOnly: true, sameSite: 'Strict' })]);
    expect(cookies[0].value).not.toContain(KEYS.developer);
  });

  it('2. lists the services, and the search box narrows them as you type', async () => {
    expect(await page.locator('table.services tbody tr[data-service]:visible').count()).toBe(9);
    await shot('02-services');
    await page.fill('input[type=search]', 'shots');
    await page.waitForSelector('tr[data-service=calc]', { state: 'hidden' });
    expect(await page.isVisible('tr[data-service=shots]')).toBe(true);
    expect(new URL(page.url()).searchParams.get('q')).toBe('shots');
    await shot('03-services-search');
  });

  it('3. opens shots.create: its params, snippets and try-it form', async () => {
    await Promise.all([page.waitForURL('**/console/services/shots/create'), page.click('tr[data-service=shots] a.chip:text-is("create")')]);
    expect(await page.textContent('h1 code')).toBe('shots.create');
    expect(await page.locator('table.schema').first().locator('tr[data-param]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-param')))).toEqual(['project', 'sequence', 'code', 'frameIn', 'frameOut', 'description']);
    // The snippet tabs switch.
    await page.click('.tabs [data-tab=python-requests]');
    expect(await page.isVisible('#snippet-python-requests')).toBe(true);
    expect(await page.isVisible('#snippet-curl-rpc')).toBe(false);
    await shot('04-method');
  });

  it('4. checks the form with the params schema in the browser before sending', async () => {
    let sent = 0;
    page.on('request', (r) => r.url().includes('/console/try/') && sent++);
    await page.fill('#arg-frameIn', '-5');
    await page.fill('#arg-project', 'Not A Code');
    await page.click('#try-form button[type=submit]');
    await page.waitForSelector('[data-error-for=frameIn]:not(:empty)');
    expect(await page.textContent('[data-error-for=frameIn]')).toBe('must be >= 0');
    expect(await page.textContent('[data-error-for=project]')).toContain('must match pattern');
    expect(await page.isHidden('#try-outcome')).toBe(true);
    expect(sent).toBe(0);
    await shot('05-try-invalid');
  });

  it('5. calls shots.create and shows the result, its duration and its trace', async () => {
    await page.fill('#arg-project', 'dune');
    await page.fill('#arg-frameIn', '1001');
    await page.fill('#arg-code', 'sh0042');
    await page.click('#try-form button[type=submit]');
    await page.waitForSelector('#try-outcome:not([hidden])');
    expect(await page.textContent('#try-outcome [data-status]')).toBe('OK');
    const result = JSON.parse((await page.textContent('#try-outcome [data-body]'))!);
    expect(result).toMatchObject({ project: 'dune', sequence: 'sq010', code: 'sh0042', status: 'waiting', frames: 96 });
    expect(await page.textContent('#try-outcome [data-duration]')).toMatch(/^\d+(\.\d+)? ms$/);
    traceHref = (await page.getAttribute('#try-outcome [data-trace]', 'href'))!;
    expect(traceHref).toMatch(/^\/console\/traces\/[0-9a-f]{32}$/);
    await shot('06-try-result');
  });

  it('6. follows the trace link to the waterfall of the call', async () => {
    // Spans reach the tracing service a moment after the reply (flushIntervalMs): wait for them first.
    const traceId = traceHref.split('/').pop()!;
    for (let i = 0; i < 50; i++) {
      const r = await rpc('tracing.get', { traceId });
      if (JSON.stringify(r.result ?? '').includes('"create"')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    await Promise.all([page.waitForURL(`**${traceHref}`), page.click('#try-outcome [data-trace]')]);
    await page.waitForSelector('.span-row', { timeout: 15_000 });
    expect(await page.locator('.span-row').count()).toBeGreaterThan(0);
    expect(await page.textContent('body')).toContain('shots.create');
    await shot('07-trace');
  });

  it("7. changes shots's log level to debug on the logging page and shows it", async () => {
    await page.click('nav.sections a:text-is("Logging")');
    await page.waitForSelector('tr[data-service=shots]');
    await shot('08-logging');
    const row = page.locator('tr[data-service=shots]');
    await row.locator('select[name=level]').selectOption('debug');
    await row.locator('button[type=submit]').click();
    await page.waitForSelector('tr[data-service=shots] td[data-level=debug]', { timeout: 10_000 });
    const levels = (await rpc('logging.getLevels', {})).result as { nodes: { levels: Record<string, string> }[] };
    expect(levels.nodes.some((n) => n.levels.shots === 'debug')).toBe(true);
    await shot('09-logging-changed');
  });

  it('8. shows the metrics and the nodes', async () => {
    await page.click('nav.sections a:text-is("Metrics")');
    await page.waitForLoadState('load');
    await shot('10-metrics');
    await page.click('nav.sections a:text-is("Nodes")');
    await page.waitForLoadState('load');
    expect(await page.textContent('body')).toContain('console-test');
    await shot('11-nodes');
  });

  it('9. signs out', async () => {
    await Promise.all([page.waitForURL('**/console/login'), page.click('.who button')]);
    await page.goto(`${p.url}/console/services`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect(errors).toEqual([]);
  });
});
