import { type Embedded, startEmbedded } from '../../testing/embedded';
import { RawBody, rpcOverHttp } from '../../testing/jayson';
import { comparable, EXAMPLES, type SpecResponse } from '../../testing/json-rpc-examples';

function checkErrors(reply: unknown): void {
  for (const r of (Array.isArray(reply) ? reply : [reply]) as SpecResponse[]) {
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
    const reply = (await rpcOverHttp({ port }, { jsonrpc: '2.0', method: 'foobar', id: '1' })) as SpecResponse;
    expect(reply.error).toMatchObject({ code: -32601, data: { code: 'METHOD_NOT_FOUND' } });
    expect(reply.error!.message).toContain('foobar');
  });

  it('names the unknown service of "foo.get"', async () => {
    const reply = (await rpcOverHttp({ port }, { jsonrpc: '2.0', method: 'foo.get', params: { name: 'myself' }, id: '5' })) as SpecResponse;
    expect(reply.error).toMatchObject({ code: -32601, data: { code: 'METHOD_NOT_FOUND' } });
    expect(reply.error!.message).toContain('"foo"');
  });
});
