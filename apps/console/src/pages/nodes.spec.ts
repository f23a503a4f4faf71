import { expectErrorPanel, type ObsPlatform, startConsoleWithoutPlatform, startObsPlatform } from './obs-platform.test-support';

describe('the nodes page', () => {
  let p: ObsPlatform;
  beforeAll(async () => {
    p = await startObsPlatform();
  });
  afterAll(() => p?.close());

  it('lists the local node with its role, services, version, uptime, in-flight calls and heartbeat', async () => {
    const res = await p.get('/nodes', 'viewer');
    expect(res.statusCode).toBe(200);
    const row = new RegExp(`<tr data-node-id="console-test@[^"]+:${process.pid}">([\\s\\S]*?)</tr>`).exec(res.body)?.[1];
    expect(row).toBeDefined();
    expect(row).toContain('<th scope="row">console-test');
    expect(row).toContain('<td>all</td>');
    for (const s of ['calc', 'shots', 'logging', 'tracing']) expect(row).toContain(`<span class="obs-tag">${s}</span>`);
    expect(row).toMatch(/<td>\d+\.\d+\.\d+<\/td>/);
    expect(row).toMatch(/<td class="num">\d+ s<\/td>/);
    expect(row).toContain('<td>this node</td>');
  });
});

describe('the nodes page, when the platform does not answer', () => {
  it('shows an error panel with the code and message, not a stack', async () => {
    const c = await startConsoleWithoutPlatform();
    try {
      const res = await c.get('/nodes');
      expect(res.statusCode).toBe(503);
      expectErrorPanel(res, 'UNAVAILABLE');
      expect(res.body).not.toContain('No node has been heard from');
    } finally {
      await c.close();
    }
  });
});
