import { type Embedded, startEmbedded } from '../../testing/embedded';
import { RawBody, rpcOverHttp } from '../../testing/jayson';

/**
 * Every example of section 7 of the JSON-RPC 2.0 specification, verbatim but for the method names,
 * which are mapped onto calc (subtract -> calc.subtract, sum -> calc.sum, update -> calc.update,
 * get_data -> calc.getData, notify_hello -> calc.notifyHello, notify_sum -> calc.notifySum;
 * foobar and foo.get stay unknown). `response` undefined: nothing is returned.
 */
const EXAMPLES: { title: string; request: string; response?: unknown }[] = [
  {
    title: 'rpc call with positional parameters (1)',
    request: '{"jsonrpc": "2.0", "method": "calc.subtract", "params": [42, 23], "id": 1}',
    response: { jsonrpc: '2.0', result: 19, id: 1 },
  },
  {
    title: 'rpc call with positional parameters (2)',
    request: '{"jsonrpc": "2.0", "method": "calc.subtract", "params": [23, 42], "id": 2}',
    response: { jsonrpc: '2.0', result: -19, id: 2 },
  },
  {
    title: 'rpc call with named parameters (1)',
    request: '{"jsonrpc": "2.0", "method": "calc.subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
    response: { jsonrpc: '2.0', result: 19, id: 3 },
  },
  {
    title: 'rpc call with named parameters (2)',
    request: '{"jsonrpc": "2.0", "method": "calc.subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
    response: { jsonrpc: '2.0', result: 19, id: 4 },
  },
  { title: 'a Notification (1)', request: '{"jsonrpc": "2.0", "method": "calc.update", "params": [1,2,3,4,5]}' },
  { title: 'a Notification (2)', request: '{"jsonrpc": "2.0", "method": "foobar"}' },
  {
    title: 'rpc call of non-existent method',
    request: '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}',
    response: { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '1' },
  },
  {
    title: 'rpc call with invalid JSON',
    request: '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
    response: { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null },
  },
  {
    title: 'rpc call with invalid Request object',
    request: '{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
    response: { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
  },
  {
    title: 'rpc call Batch, invalid JSON',
    request: `[
  {"jsonrpc": "2.0", "method": "calc.sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`,
    response: { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null },
  },
  {
    title: 'rpc call with an empty Array',
    request: '[]',
    response: { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
  },
  {
    title: 'rpc call with an invalid Batch (but not empty)',
    request: '[1]',
    response: [{ jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null }],
  },
  {
    title: 'rpc call with invalid Batch',
    request: '[1,2,3]',
    response: [
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
    ],
  },
  {
    title: 'rpc call Batch',
    request: `[
        {"jsonrpc": "2.0", "method": "calc.sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "calc.notifyHello", "params": [7]},
        {"jsonrpc": "2.0", "method": "calc.subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "calc.getData", "id": "9"}
    ]`,
    response: [
      { jsonrpc: '2.0', result: 7, id: '1' },
      { jsonrpc: '2.0', result: 19, id: '2' },
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
      { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' },
      { jsonrpc: '2.0', result: ['hello', 5], id: '9' },
    ],
  },
  {
    title: 'rpc call Batch (all notifications)',
    request: `[
        {"jsonrpc": "2.0", "method": "calc.notifySum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "calc.notifyHello", "params": [7]}
    ]`,
  },
];

type Response = { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string; data?: { code?: unknown } } };

// Our messages say more than the specification's; its codes and ids are matched exactly.
function comparable(reply: unknown): unknown {
  if (Array.isArray(reply)) return reply.map(comparable);
  const r = reply as Response;
  return r.error === undefined ? r : { jsonrpc: r.jsonrpc, error: { code: r.error.code }, id: r.id };
}

function checkErrors(reply: unknown): void {
  for (const r of (Array.isArray(reply) ? reply : [reply]) as Response[]) {
    if (r.error === undefined) continue;
    expect(typeof r.error.message).toBe('string');
    expect(typeof r.error.data?.code).toBe('string');
  }
}

describe('the examples of the JSON-RPC 2.0 specification, section 7', () => {
  let node: Embedded;
  let port: number;

  beforeAll(async () => {
    node = await startEmbedded();
    port = await node.listen();
  });
  afterAll(() => node.close());

  describe.each(EXAMPLES)('$title', ({ request, response }) => {
    it('is answered as the specification says, through inject()', async () => {
      const res = await node.app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' }, payload: request });
      if (response === undefined) {
        expect(res.statusCode).toBe(204);
        expect(res.body).toBe('');
        return;
      }
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const reply = res.json();
      expect(comparable(reply)).toEqual(comparable(response));
      checkErrors(reply);
    });

    it("is answered as the specification says, through jayson's HTTP client", async () => {
      let body: unknown;
      try {
        body = JSON.parse(request);
      } catch {
        body = new RawBody(request);
      }
      const reply = await rpcOverHttp({ port }, body);
      if (response === undefined) {
        expect(reply).toBeUndefined();
        return;
      }
      expect(comparable(reply)).toEqual(comparable(response));
      checkErrors(reply);
    });
  });

  it('names the unknown method in the message of -32601', async () => {
    const reply = (await rpcOverHttp({ port }, { jsonrpc: '2.0', method: 'foobar', id: '1' })) as Response;
    expect(reply.error).toMatchObject({ code: -32601, data: { code: 'METHOD_NOT_FOUND' } });
    expect(reply.error!.message).toContain('foobar');
  });

  it('names the unknown service of "foo.get"', async () => {
    const reply = (await rpcOverHttp({ port }, { jsonrpc: '2.0', method: 'foo.get', params: { name: 'myself' }, id: '5' })) as Response;
    expect(reply.error).toMatchObject({ code: -32601, data: { code: 'METHOD_NOT_FOUND' } });
    expect(reply.error!.message).toContain('"foo"');
  });
});
