import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteDb } from '@junction/core';
import { service as shots } from '@junction/service-shots';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../../testing/chromium';
import { type Embedded, startEmbedded } from '../../testing/embedded';

// Screenshots for a person to look at: <repo>/test-output/html-views/*.png (git ignores test-output/).
const SHOTS_DIR = join(__dirname, '..', '..', '..', '..', '..', 'test-output', 'html-views');
const SCRIPT = '<script>alert(1)</script>';

jest.setTimeout(60_000);

describe('the shot list in a real browser (headless Chromium)', () => {
  let node: Embedded;
  let base: string;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  const post = async (method: string, args: Record<string, unknown>) => {
    const res = await fetch(`${base}/api/shots/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) });
    if (res.status !== 200) throw new Error(`shots.${method} answered ${res.status}: ${await res.text()}`);
  };

  // Each row of the table as the user sees it: code, status badge and description.
  const rows = () =>
    page.$$eval('table.shots tbody tr[data-code]', (trs) =>
      trs.map((tr) => ({
        code: tr.querySelector('td:nth-child(2)')!.textContent!.trim(),
        status: tr.querySelector('.badge')!.textContent!.trim(),
        badge: tr.querySelector('.badge')!.className,
        description: tr.querySelector('td.description')!.textContent!,
      })),
    );

  beforeAll(async () => {
    mkdirSync(SHOTS_DIR, { recursive: true });
    node = await startEmbedded({ services: [shots], db: createSqliteDb({ type: 'sqlite', path: ':memory:' }) });
    base = `http://127.0.0.1:${await node.listen()}`;
    await post('createProject', { code: 'dune', name: 'Dune: Part Three' });
    await post('createSequence', { project: 'dune', code: 'sq010' });
    await post('createSequence', { project: 'dune', code: 'sq020' });
    await post('create', { project: 'dune', sequence: 'sq010', code: 'sh0010', frameIn: 1001, frameOut: 1096, description: SCRIPT });
    await post('create', { project: 'dune', sequence: 'sq010', code: 'sh0020', frameIn: 1001, frameOut: 1048, description: 'Worm breach, wide' });
    await post('create', { project: 'dune', sequence: 'sq020', code: 'sh0030', frameIn: 1001, frameOut: 1120, description: 'Ornithopter, close' });
    await post('setStatus', { project: 'dune', code: 'sh0020', status: 'wip' });
    await post('setStatus', { project: 'dune', code: 'sh0030', status: 'wip' });
    await post('setStatus', { project: 'dune', code: 'sh0030', status: 'review' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await node?.close();
  });

  it('lists the shots of a project, with a status badge each', async () => {
    const res = await page.goto(`${base}/view/shots/list?project=dune`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await page.title()).toBe('shots.list · Junction');
    expect(await page.textContent('h1')).toBe('Shots of dune');
    expect(await page.textContent('#count strong')).toBe('3');
    expect(await rows()).toEqual([
      { code: 'sh0010', status: 'waiting', badge: 'badge status-waiting tone-neutral', description: SCRIPT },
      { code: 'sh0020', status: 'wip', badge: 'badge status-wip tone-progress', description: 'Worm breach, wide' },
      { code: 'sh0030', status: 'review', badge: 'badge status-review tone-attention', description: 'Ornithopter, close' },
    ]);
    // The stylesheet loaded and styled the badges (a colour, not the default transparent).
    expect(await page.evaluate("getComputedStyle(document.querySelector('.status-review')).backgroundColor")).not.toBe('rgba(0, 0, 0, 0)');
    await page.screenshot({ path: join(SHOTS_DIR, 'shot-list.png'), fullPage: true });
  });

  it('shows a shot named <script>alert(1)</script> as text: no script element, no dialog', async () => {
    await page.goto(`${base}/view/shots/list?project=dune`);
    expect(await page.textContent('tr[data-code="sh0010"] td.description')).toBe(SCRIPT);
    expect(await page.$$eval('script', (scripts) => scripts.length)).toBe(0);
    expect(await page.$$eval('tr[data-code="sh0010"] td.description *', (children) => children.length)).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('filters by status through the form, every status offered', async () => {
    await page.goto(`${base}/view/shots/list?project=dune`);
    expect(await page.$$eval('select[name=status] option', (os) => os.map((o) => o.getAttribute('value')))).toEqual([
      '',
      'waiting',
      'wip',
      'review',
      'approved',
      'final',
      'omitted',
    ]);
    await page.selectOption('select[name=status]', 'wip');
    await Promise.all([page.waitForURL(/status=wip/), page.click('form.filters button[type=submit]')]);
    // The empty sequence field was sent as `sequence=` and read as "not given".
    expect(page.url()).toBe(`${base}/view/shots/list?project=dune&sequence=&status=wip`);
    expect(await page.textContent('#count strong')).toBe('1');
    expect((await rows()).map((r) => [r.code, r.status])).toEqual([['sh0020', 'wip']]);
    expect(await page.inputValue('select[name=status]')).toBe('wip');
    await page.screenshot({ path: join(SHOTS_DIR, 'shot-list-wip.png'), fullPage: true });

    await page.selectOption('select[name=status]', 'approved');
    await Promise.all([page.waitForURL(/status=approved/), page.click('form.filters button[type=submit]')]);
    expect(await rows()).toEqual([]);
    expect(await page.textContent('tr.empty')).toBe('No shots with status approved.');
  });

  it('renders the same page for the browser on /api/shots/list (its Accept prefers HTML)', async () => {
    const res = await page.goto(`${base}/api/shots/list?project=dune`);
    expect(res?.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(res?.headers().vary).toBe('Accept');
    expect((await rows()).map((r) => r.code)).toEqual(['sh0010', 'sh0020', 'sh0030']);
    // The filter form stays on /api.
    expect(await page.getAttribute('form.filters', 'action')).toBe('/api/shots/list');
    await page.screenshot({ path: join(SHOTS_DIR, 'api-shot-list.png'), fullPage: true });
  });

  it("opens a shot's page from the list, and shows a bad filter as an error page", async () => {
    await page.goto(`${base}/view/shots/list?project=dune`);
    await Promise.all([page.waitForURL(/\/view\/shots\/get/), page.click('a:text-is("sh0010")')]);
    expect(await page.textContent('h1')).toContain('sh0010');
    expect(await page.textContent('p.lead')).toBe(SCRIPT);
    await page.screenshot({ path: join(SHOTS_DIR, 'shot.png'), fullPage: true });

    const res = await page.goto(`${base}/view/shots/list?project=Dune!`);
    expect(res?.status()).toBe(400);
    expect(await page.textContent('.error h1')).toBe('400 INVALID_PARAMS');
    await page.screenshot({ path: join(SHOTS_DIR, 'error.png'), fullPage: true });
    expect(dialogs).toEqual([]);
  });
});
