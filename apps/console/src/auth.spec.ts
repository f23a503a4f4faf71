import { createConsole } from './console';
import { createPlatformClient, injectFetch } from './platform-client';
import { SESSION_COOKIE, safeNext } from './auth';
import { browser, KEYS, type Platform, signIn, startPlatform } from './testing/platform';

jest.setTimeout(30_000);

describe('the console with authentication (mounted in the gateway at /console)', () => {
  let p: Platform;

  beforeAll(async () => {
    p = await startPlatform();
  });
  afterAll(async () => {
    await p?.close();
  });

  it('sends a browser without a session to the sign-in page, and answers a script 401 JSON', async () => {
    const page = await p.gateway.inject({ url: '/console/services', headers: browser() });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/console/login?next=%2Fconsole%2Fservices');
    const form = await p.gateway.inject({ url: '/console/login', headers: browser() });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="key"');
    const script = await p.gateway.inject({ method: 'POST', url: '/console/try/calc/subtract', payload: { minuend: 1, subtrahend: 1 } });
    expect(script.statusCode).toBe(401);
    expect(script.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.stringContaining('/console/login') } });
  });

  it('refuses a key without the developer role with a 403 page that names the role', async () => {
    const res = await p.gateway.inject({
      method: 'POST',
      url: '/console/login',
      headers: { ...browser(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `key=${KEYS.artist}`,
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('The console needs the <strong class="role">developer</strong> role.');
    expect(res.body).toContain('ann');
    // A script sending the same key gets JSON.
    const json = await p.gateway.inject({ url: '/console/services', headers: { authorization: `Bearer ${KEYS.artist}` } });
    expect(json.statusCode).toBe(403);
    expect(json.json().error.code).toBe('FORBIDDEN');
    expect(json.json().error.message).toContain('"developer" role');
  });

  it('tells an unknown key from a missing one', async () => {
    const post = (payload: string) => p.gateway.inject({ method: 'POST', url: '/console/login', headers: { ...browser(), 'content-type': 'application/x-www-form-urlencoded' }, payload });
    const unknown = await post('key=not-a-key-of-this-gateway');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toContain('The gateway does not know this API key.');
    const empty = await post('key=');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Paste an API key.');
  });

  it('lets a developer in with a session cookie that holds a random id, never the key', async () => {
    const res = await p.gateway.inject({
      method: 'POST',
      url: '/console/login',
      headers: { ...browser(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ key: KEYS.developer, next: '/console/services/calc' }).toString(),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/services/calc');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=\\d+$`));
    expect(setCookie).not.toContain(KEYS.developer);
    const cookie = setCookie.split(';')[0];
    const page = await p.gateway.inject({ url: '/console/services', headers: browser(cookie) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<span class="identity" title="roles: developer, operator">dora</span>');
    expect(page.body).not.toContain(KEYS.developer);
  });

  it('ends the session at logout: the same cookie no longer lets anyone in', async () => {
    const cookie = await signIn(p.gateway, KEYS.developer);
    expect((await p.gateway.inject({ url: '/console/services', headers: browser(cookie) })).statusCode).toBe(200);
    const out = await p.gateway.inject({ method: 'POST', url: '/console/logout', headers: browser(cookie) });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/console/login');
    expect(String(out.headers['set-cookie'])).toContain(`${SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0`);
    const after = await p.gateway.inject({ url: '/console/services', headers: browser(cookie) });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toContain('/console/login');
  });

  it('lets a script in with a developer key on the request itself', async () => {
    const res = await p.gateway.inject({ method: 'POST', url: '/console/try/calc/subtract', headers: { 'x-api-key': KEYS.developer }, payload: { minuend: 3, subtrahend: 1 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, result: 2 });
  });

  it('serves its stylesheet and scripts without a session, and only those', async () => {
    const css = await p.gateway.inject({ url: '/console/static/console.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const ajv = await p.gateway.inject({ url: '/console/static/vendor/ajv.js' });
    expect(ajv.statusCode).toBe(200);
    expect(ajv.body).toContain('ajv7');
    // Only the files read at start are served: nothing above public/, however the path is spelled.
    for (const url of ['/console/static/../package.json', '/console/static/%2e%2e/src/auth.ts', '/console/static/..%2fpackage.json']) {
      const res = await p.gateway.inject({ url });
      expect([401, 404]).toContain(res.statusCode);
      expect(res.body).not.toContain('@junction/console');
    }
  });

  it('links the gateway root to the console', async () => {
    const res = await p.gateway.inject({ url: '/', headers: browser() });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/console/');
  });
});

describe('the console without authentication (standalone)', () => {
  let p: Platform;

  beforeAll(async () => {
    p = await startPlatform({ console: '' });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('lets everyone in, calling as anonymous', async () => {
    const app = await createConsole({ auth: false, client: createPlatformClient({ url: 'http://gateway', fetch: injectFetch(p.gateway) }) });
    try {
      const page = await app.inject({ url: '/services', headers: browser() });
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('class="identity"');
      expect((await app.inject({ url: '/login', headers: browser() })).headers.location).toBe('/services');
      const tried = await app.inject({ method: 'POST', url: '/try/calc/subtract', payload: { minuend: 3, subtrahend: 1 } });
      expect(tried.json()).toMatchObject({ ok: true, result: 2 });
    } finally {
      await app.close();
    }
  });
});

describe('where the sign-in form sends people after', () => {
  it('only to a page of the console', () => {
    expect(safeNext('/console', '/console/services/calc')).toBe('/console/services/calc');
    expect(safeNext('/console', undefined)).toBe('/console/services');
    expect(safeNext('/console', 'https://evil.example/')).toBe('/console/services');
    expect(safeNext('/console', '//evil.example/console/')).toBe('/console/services');
    expect(safeNext('', '//evil.example/')).toBe('/services');
    expect(safeNext('/console', '/console/\\evil')).toBe('/console/services');
    expect(safeNext('/console', '/consolex')).toBe('/console/services');
  });
});
