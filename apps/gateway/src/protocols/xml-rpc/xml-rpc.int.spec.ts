import xmlrpc from 'xmlrpc';
import { type Embedded, startEmbedded } from '../../testing/embedded';
import { testServices } from '../../testing/services';

/** The xmlrpc package's own HTTP client against a listening gateway: what a Node script would do. */
describe('POST /RPC2 with the xmlrpc client', () => {
  let node: Embedded;
  let client: xmlrpc.Client;

  const call = (method: string, params: unknown[] = [], c = client) =>
    new Promise<unknown>((resolve, reject) => c.methodCall(method, params, (err, value) => (err ? reject(err) : resolve(value))));

  beforeAll(async () => {
    const { echo } = testServices();
    node = await startEmbedded({ services: [echo], gateway: { apiKeys: [{ key: 'artist-key-0123', identity: 'alice', roles: ['artist'] }] } });
    client = xmlrpc.createClient({ host: '127.0.0.1', port: await node.listen(), path: '/RPC2' });
  });
  afterAll(() => node.close());

  it('calls by position', async () => {
    await expect(call('calc.subtract', [42, 23])).resolves.toBe(19);
    await expect(call('calc.sum', [1, 2, 4])).resolves.toBe(7);
  });

  it('sends a Date and a Buffer, which arrive as an ISO string and a base64 string', async () => {
    const when = new Date('2026-11-26T14:08:55Z');
    await expect(call('echo.typed', [0.5, 3, true, when])).resolves.toEqual({ n: 0.5, i: 3, b: true, s: '2026-11-26T14:08:55.000Z' });
    await expect(call('echo.typed', [0.5, 3, true, Buffer.from('hello')])).resolves.toEqual({ n: 0.5, i: 3, b: true, s: 'aGVsbG8=' });
  });

  it('rejects with the faultCode and faultString of a fault', async () => {
    await expect(call('calc.divide', [3, 0])).rejects.toMatchObject({ faultCode: -32000, faultString: 'cannot divide 3 by zero' });
    const stranger = xmlrpc.createClient({ ...client.options, headers: { 'X-Api-Key': 'wrong-key' } });
    await expect(call('calc.sum', [1], stranger)).rejects.toMatchObject({ faultCode: -32003 });
  });

  it('lists methods and answers a multicall', async () => {
    await expect(call('system.listMethods')).resolves.toEqual(expect.arrayContaining(['calc.subtract', 'system.multicall']));
    await expect(call('system.multicall', [[{ methodName: 'calc.sum', params: [1, 2] }, { methodName: 'calc.nope', params: [] }]])).resolves.toEqual([
      [3],
      { faultCode: -32601, faultString: 'service "calc" has no method "nope"' },
    ]);
  });
});
