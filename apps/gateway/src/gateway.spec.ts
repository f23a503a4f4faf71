import { type CallRequest } from '@junction/core';
import { type Embedded, startEmbedded } from './testing/embedded';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;

describe('createGateway', () => {
  let node: Embedded;
  let up = true;
  const seen: CallRequest[] = [];

  beforeAll(async () => {
    node = await startEmbedded({ ready: () => up, gateway: { defaultTimeoutMs: 5000 }, wrap: (chain) => (req) => (seen.push(req), chain(req)) });
  });
  afterAll(() => node.close());
  beforeEach(() => (seen.length = 0));

  const call = (headers: Record<string, string> = {}) => node.app.inject({ method: 'POST', url: '/api/calc/getData', headers });
  const rpcCall = (headers: Record<string, string> = {}) =>
    node.app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json', ...headers }, payload: '{"jsonrpc":"2.0","method":"calc.getData","id":1}' });

  describe('health', () => {
    it('answers /healthz', async () => {
      const res = await node.app.inject({ method: 'GET', url: '/healthz' });
      expect([res.statusCode, res.json()]).toEqual([200, { status: 'ok' }]);
    });

    it('answers /readyz with 200, or 503 while not ready', async () => {
      expect((await node.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      up = false;
      const res = await node.app.inject({ method: 'GET', url: '/readyz' });
      up = true;
      expect([res.statusCode, res.json()]).toEqual([503, { status: 'not ready', node: 'test' }]);
    });
  });

  describe('trace context', () => {
    it('passes a valid incoming traceparent on and echoes it', async () => {
      const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      for (const res of [await call({ traceparent: incoming }), await rpcCall({ traceparent: incoming })]) expect(res.headers.traceparent).toBe(incoming);
      expect(seen.map((r) => r.meta.traceparent)).toEqual([incoming, incoming]);
    });

    it('starts a new trace when none or an invalid one comes', async () => {
      const a = await call();
      const b = await call({ traceparent: 'garbage' });
      for (const res of [a, b]) expect(res.headers.traceparent).toMatch(TRACEPARENT);
      expect(a.headers.traceparent).not.toBe(b.headers.traceparent);
      expect(seen.map((r) => r.meta.traceparent)).toEqual([a.headers.traceparent, b.headers.traceparent]);
    });

    it('echoes a traceparent on refusals too', async () => {
      const res = await node.app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: '{' });
      expect(res.headers.traceparent).toMatch(TRACEPARENT);
    });
  });

  describe('deadline', () => {
    it('gives a call the default timeout, or the one asked in x-junction-timeout-ms', async () => {
      const before = Date.now();
      await call();
      await call({ 'x-junction-timeout-ms': '250' });
      const after = Date.now();
      const [d1, d2] = seen.map((r) => r.meta.deadline!);
      expect(d1).toBeGreaterThanOrEqual(before + 5000);
      expect(d1).toBeLessThanOrEqual(after + 5000);
      expect(d2).toBeGreaterThanOrEqual(before + 250);
      expect(d2).toBeLessThanOrEqual(after + 250);
      expect(seen.map((r) => r.meta.attempt)).toEqual([1, 1]);
    });

    it.each(['0', '-5', 'soon', '1.5', '10, 20'])('refuses x-junction-timeout-ms: %s', async (value) => {
      const res = await call({ 'x-junction-timeout-ms': value });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'INVALID_REQUEST', message: `header x-junction-timeout-ms must be a positive integer of milliseconds, got ${JSON.stringify(value)}` });
      expect((await rpcCall({ 'x-junction-timeout-ms': value })).json()).toMatchObject({ id: null, error: { code: -32600 } });
      expect(seen).toHaveLength(0);
    });
  });

  describe('routes', () => {
    it('answers an unknown route with a JSON 404 that names the endpoints', async () => {
      const res = await node.app.inject({ method: 'GET', url: '/nope?x=1' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toMatchObject({ code: 'METHOD_NOT_FOUND', message: expect.stringContaining('no route GET /nope; calls go to POST /rpc') });
    });

    it('answers a URL it cannot decode with a JSON 400', async () => {
      const res = await node.app.inject({ method: 'GET', url: '/api/%E0%A4%A/x' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('INVALID_REQUEST');
    });

    it('gives each call its own request id', async () => {
      await rpcCall();
      await rpcCall();
      expect(new Set(seen.map((r) => r.id)).size).toBe(2);
    });
  });
});
