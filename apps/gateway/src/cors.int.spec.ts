import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Browser } from 'playwright-core';
import { launchChromium } from './testing/chromium';
import { type Embedded, startEmbedded } from './testing/embedded';

jest.setTimeout(60_000);

interface Outcome {
  ok: boolean;
  body?: unknown;
  traceparent?: string | null;
  error?: string;
}

/** A page that calls the gateway with fetch, as a web app would: JSON and an API key, so the browser sends a preflight first. */
function pageServer(gateway: () => string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>web app</title><script>
      window.outcome = fetch(${JSON.stringify(gateway())} + '/rpc', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer browser-key-1' },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'system.whoami', id: 1 }),
      }).then(async (r) => ({ ok: true, body: await r.json(), traceparent: r.headers.get('traceparent') }), (e) => ({ ok: false, error: String(e) }));
    </script>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })));
}

describe('a page on another origin calling the gateway (headless Chromium)', () => {
  let node: Embedded;
  let gateway = '';
  let browser: Browser;
  let allowed: { server: Server; url: string };
  let other: { server: Server; url: string };

  beforeAll(async () => {
    allowed = await pageServer(() => gateway);
    other = await pageServer(() => gateway);
    node = await startEmbedded({
      gateway: { cors: { origins: [new URL(allowed.url).origin], maxAgeSeconds: 60 }, apiKeys: [{ key: 'browser-key-1', identity: 'web-app', roles: ['artist'] }] },
    });
    gateway = `http://127.0.0.1:${await node.listen()}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await node?.close();
    allowed?.server.close();
    other?.server.close();
  });

  const outcomeOf = async (url: string): Promise<Outcome> => {
    const page = await browser.newPage();
    try {
      await page.goto(url);
      return await page.evaluate(() => (globalThis as unknown as { outcome: Promise<Outcome> }).outcome);
    } finally {
      await page.close();
    }
  };

  it('lets an allowed origin call with its API key and read the reply and its traceparent', async () => {
    const outcome = await outcomeOf(allowed.url);
    expect(outcome).toMatchObject({ ok: true, body: { jsonrpc: '2.0', id: 1, result: { identity: 'web-app', roles: ['artist'] } } });
    expect(outcome.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it('refuses another origin: the browser blocks the call', async () => {
    expect(await outcomeOf(other.url)).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });
  });
});
