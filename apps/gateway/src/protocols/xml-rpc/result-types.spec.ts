import { type CallRequest, defineService, method, Type } from '@junction/core';
import { serializeMethodCall } from 'xmlrpc/lib/serializer';
import { type Embedded, startEmbedded } from '../../testing/embedded';
import { wireService } from '../../testing/wire-service';

const stamps = defineService({
  name: 'stamps',
  version: '1.0.0',
  description: 'A date result declared as a plain string with format date-time, as ISO text.',
  methods: {
    created: method({ description: 'When.', params: {}, result: Type.Object({ at: Type.String({ format: 'date-time' }) }), handler: () => ({ at: '2026-11-26T14:08:55.120Z' }) }),
  },
});

async function post(node: Embedded, name: string, params: unknown[]): Promise<string> {
  const res = await node.app.inject({ method: 'POST', url: '/RPC2', headers: { 'content-type': 'text/xml' }, payload: serializeMethodCall(name, params) });
  expect(res.statusCode).toBe(200);
  return res.body;
}

describe('XML-RPC results typed by their schema', () => {
  let node: Embedded;
  beforeAll(async () => {
    node = await startEmbedded({ services: [wireService, stamps] });
  });
  afterAll(() => node.close());

  it('writes a date-time result as <dateTime.iso8601> and a base64 result as <base64>', async () => {
    expect(await post(node, 'wire.later', ['1998-07-17T14:08:55Z', 1])).toContain('<value><dateTime.iso8601>19980718T14:08:55</dateTime.iso8601></value>');
    expect(await post(node, 'wire.reversed', [Buffer.from([1, 2])])).toContain('<value><base64>AgE=</base64></value>');
  });

  it('types a plain Type.String date-time result too, dropping the milliseconds XML-RPC cannot carry', async () => {
    expect(await post(node, 'stamps.created', [])).toContain('<name>at</name><value><dateTime.iso8601>20261126T14:08:55</dateTime.iso8601></value>');
  });

  it('types each slot of a system.multicall', async () => {
    const body = await post(node, 'system.multicall', [
      [
        { methodName: 'wire.later', params: ['1998-07-17T14:08:55Z', 2] },
        { methodName: 'wire.later', params: ['soon', 2] },
        { methodName: 'wire.reversed', params: [Buffer.from([0, 255])] },
      ],
    ]);
    expect(body).toContain('<array><data><value><dateTime.iso8601>19980719T14:08:55</dateTime.iso8601></value></data></array>');
    expect(body).toContain('<name>faultCode</name><value><int>-32602</int></value>');
    expect(body).toContain('<array><data><value><base64>/wA=</base64></value></data></array>');
  });

  it('asks the catalog once per description, and not at all for a result that cannot hold a string', async () => {
    const seen: CallRequest[] = [];
    const fresh = await startEmbedded({ services: [wireService], wrap: (chain) => (req) => (seen.push(req), chain(req)) });
    const describes = () => seen.filter((r) => r.service === 'system' && r.method === 'describe').length;
    try {
      expect(await post(fresh, 'calc.subtract', [2, 1])).toContain('<int>1</int>');
      expect(describes()).toBe(0);
      await post(fresh, 'wire.later', ['1998-07-17T14:08:55Z', 1]);
      await post(fresh, 'wire.later', ['1998-07-17T14:08:55Z', 1]);
      expect(describes()).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('sends the result untyped, as ISO text, when the catalog cannot say', async () => {
    const fresh = await startEmbedded({
      services: [wireService],
      wrap: (chain) => async (req) => (req.service === 'system' ? { id: req.id, error: { code: 'UNAVAILABLE', message: 'no system service here', retryable: true } } : chain(req)),
    });
    try {
      expect(await post(fresh, 'wire.later', ['1998-07-17T14:08:55Z', 1])).toContain('<value><string>1998-07-18T14:08:55.000Z</string></value>');
    } finally {
      await fresh.close();
    }
  });
});
