import { defineService, method, Type } from '@junction/core';
import { type Embedded, startEmbedded } from '../../testing/embedded';
import { testServices } from '../../testing/services';
import { hostile } from './hostile.test-support';
import { DISCOVER } from './openrpc';

type Reply = { jsonrpc: '2.0'; id: unknown; result?: any; error?: { code: number; message: string; data: { code: string; details?: any } } };

// A service that squats the namespace the JSON-RPC specification reserves.
const squatter = defineService({
  name: 'rpc',
  version: '1.0.0',
  description: 'Named like the reserved namespace.',
  methods: { foo: method({ description: 'Reached.', params: {}, result: Type.String(), handler: () => 'reached' }) },
});

function rpc(node: Embedded, body: unknown, headers: Record<string, string> = {}) {
  return node.app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
}

describe('discovery at the gateway', () => {
  let node: Embedded;

  beforeAll(async () => {
    node = await startEmbedded({ services: [hostile, testServices().vault, squatter] });
  });
  afterAll(() => node.close());

  it('serves GET /openrpc.json and GET /openapi.json as JSON', async () => {
    for (const [url, field] of [['/openrpc.json', 'openrpc'], ['/openapi.json', 'openapi']]) {
      const res = await node.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers.traceparent).toMatch(/^00-/);
      expect(res.json()).toHaveProperty(field);
    }
  });

  it('answers rpc.discover with the very document GET /openrpc.json serves', async () => {
    const headers = { host: 'gw.studio.example:8080' };
    const [byRpc, byGet] = await Promise.all([rpc(node, { jsonrpc: '2.0', method: DISCOVER, id: 1 }, headers), node.app.inject({ method: 'GET', url: '/openrpc.json', headers })]);
    const reply = byRpc.json<Reply>();
    expect(reply.error).toBeUndefined();
    expect(reply.result).toEqual(byGet.json());
    expect(reply.result.servers).toEqual([expect.objectContaining({ url: 'http://gw.studio.example:8080/rpc' })]);
  });

  it('takes rpc.discover with no params, [] or {}, in a batch too; refuses params it does not have', async () => {
    for (const params of [undefined, [], {}]) expect((await rpc(node, { jsonrpc: '2.0', method: DISCOVER, params, id: 'd' })).json<Reply>().result).toHaveProperty('openrpc');
    const batch = (await rpc(node, [{ jsonrpc: '2.0', method: DISCOVER, id: 1 }, { jsonrpc: '2.0', method: 'calc.subtract', params: [3, 1], id: 2 }])).json<Reply[]>();
    expect(batch.map((r) => [r.id, r.result?.openrpc ?? r.result])).toEqual([[1, '1.3.2'], [2, 2]]);
    const refused = (await rpc(node, { jsonrpc: '2.0', method: DISCOVER, params: { verbose: true }, id: 3 })).json<Reply>();
    expect(refused).toMatchObject({ id: 3, error: { code: -32602, data: { code: 'INVALID_PARAMS' } } });
  });

  it('answers a notification of rpc.discover with nothing', async () => {
    const res = await rpc(node, { jsonrpc: '2.0', method: DISCOVER });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
  });

  it.each(['rpc.foo', 'rpc.discover.all', 'rpc.'])('answers %s, a reserved name it does not know, with METHOD_NOT_FOUND, never reaching a service named rpc', async (name) => {
    const reply = (await rpc(node, { jsonrpc: '2.0', method: name, id: 1 })).json<Reply>();
    expect(reply).toMatchObject({ id: 1, error: { code: -32601, data: { code: 'METHOD_NOT_FOUND' } } });
    expect(reply.error!.message).toContain('reserved');
    // The same service is reachable where nothing reserves its name.
    expect((await node.app.inject({ method: 'POST', url: '/api/rpc/foo' })).json()).toBe('reached');
  });

  it('documents methods that need roles to a caller without them: documentation is not a secret', async () => {
    const doc = (await rpc(node, { jsonrpc: '2.0', method: DISCOVER, id: 1 })).json<Reply>().result;
    expect(doc.methods.find((m: { name: string }) => m.name === 'vault.open')).toMatchObject({ 'x-junction-access': ['supervisor'] });
    // Calling it is what is guarded.
    expect((await rpc(node, { jsonrpc: '2.0', method: 'vault.open', id: 2 })).json<Reply>().error?.data.code).toBe('UNAUTHENTICATED');
    const api = (await node.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(api.paths['/api/vault/open'].post).toMatchObject({ 'x-junction-access': ['supervisor'] });
  });

  it('puts the Host the client used in servers, and the configured address when the Host is not a host', async () => {
    const get = (host: string) => node.app.inject({ method: 'GET', url: '/openapi.json', headers: { host } }).then((r) => r.json().servers[0].url);
    expect(await get('[::1]:8080')).toBe('http://[::1]:8080');
    expect(await get('gateway')).toBe('http://gateway');
    expect(await get('evil.example/"><script>')).toBe(`http://${node.config.host}:${node.config.port}`);
  });
});

describe('discovery at a gateway that requires API keys', () => {
  let node: Embedded;
  const key = 'artist-key-0123456789';

  beforeAll(async () => {
    node = await startEmbedded({ services: [testServices().vault], gateway: { requireKey: true, apiKeys: [{ key, identity: 'ann', roles: ['artist'] }] } });
  });
  afterAll(() => node.close());

  it('asks for a key like any call, and documents every method to any key', async () => {
    const refused = await node.app.inject({ method: 'GET', url: '/openrpc.json' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect((await rpc(node, { jsonrpc: '2.0', method: DISCOVER, id: 1 })).json<Reply>().error?.data.code).toBe('UNAUTHENTICATED');
    const doc = (await rpc(node, { jsonrpc: '2.0', method: DISCOVER, id: 1 }, { 'x-api-key': key })).json<Reply>().result;
    expect(doc.methods.map((m: { name: string }) => m.name)).toContain('vault.open');
    const api = await node.app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: `Bearer ${key}` } });
    expect(api.json().security).toEqual([{ bearerKey: [] }, { apiKey: [] }]);
  });
});
