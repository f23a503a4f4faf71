import { type Embedded, startEmbedded } from './testing/embedded';

const BODY = '{"jsonrpc":"2.0","method":"calc.subtract","params":[42,23],"id":1}';
const APP = 'http://pipeline.studio.example:3000';

describe('CORS (gateway.cors)', () => {
  describe('with origins configured', () => {
    let node: Embedded;
    beforeAll(async () => (node = await startEmbedded({ gateway: { cors: { origins: [APP, 'https://tools.studio.example'], maxAgeSeconds: 120 } } })));
    afterAll(() => node.close());

    it('answers a preflight from an allowed origin with what a call may send', async () => {
      const res = await node.app.inject({
        method: 'OPTIONS',
        url: '/rpc',
        headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization, x-junction-timeout-ms' },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(res.headers['access-control-allow-headers']).split(',').map((h) => h.trim())).toEqual(expect.arrayContaining(['content-type', 'authorization', 'x-junction-timeout-ms']));
      expect(res.headers['access-control-max-age']).toBe('120');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it("lets an allowed origin's call through and read its traceparent", async () => {
      const res = await node.app.inject({ method: 'POST', url: '/rpc', headers: { origin: APP, 'content-type': 'application/json' }, payload: BODY });
      expect(res.json()).toEqual({ jsonrpc: '2.0', result: 19, id: 1 });
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      expect(String(res.headers['access-control-expose-headers'])).toContain('traceparent');
      expect(String(res.headers.vary)).toContain('Origin');
    });

    it('gives another origin no CORS header, so its browser refuses the reply', async () => {
      const res = await node.app.inject({ method: 'POST', url: '/rpc', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, payload: BODY });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await node.app.inject({ method: 'OPTIONS', url: '/api/calc/subtract', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('without gateway.cors', () => {
    let node: Embedded;
    beforeAll(async () => (node = await startEmbedded()));
    afterAll(() => node.close());

    it('adds no CORS header and answers no preflight', async () => {
      const res = await node.app.inject({ method: 'POST', url: '/rpc', headers: { origin: APP, 'content-type': 'application/json' }, payload: BODY });
      expect(res.json()).toEqual({ jsonrpc: '2.0', result: 19, id: 1 });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await node.app.inject({ method: 'OPTIONS', url: '/rpc', headers: { origin: APP, 'access-control-request-method': 'POST' } });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
