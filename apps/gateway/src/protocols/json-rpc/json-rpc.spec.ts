import { type CallRequest } from '@junction/core';
import { type Embedded, startEmbedded } from '../../testing/embedded';
import { Gate, testServices } from '../../testing/services';

type Reply = { jsonrpc: '2.0'; id: unknown; result?: unknown; error?: { code: number; message: string; data: { code: string; details?: any } } };

function post(node: Embedded, body: unknown, headers: Record<string, string> = {}) {
  return node.app.inject({
    method: 'POST',
    url: '/rpc',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function rpc(node: Embedded, body: unknown, headers?: Record<string, string>): Promise<Reply> {
  const res = await post(node, body, headers);
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('POST /rpc', () => {
  let node: Embedded;
  const seen: CallRequest[] = [];

  beforeAll(async () => {
    const { vault, echo } = testServices();
    node = await startEmbedded({
      services: [vault, echo],
      gateway: { maxBatch: 3 },
      wrap: (chain) => (req) => {
        seen.push(req);
        return chain(req);
      },
    });
  });
  afterAll(() => node.close());
  beforeEach(() => (seen.length = 0));

  describe('ids', () => {
    it.each([['a string', 'abc'], ['a number', 7], ['a fraction', 1.5], ['null', null]])('echoes %s id', async (_what, id) => {
      expect(await rpc(node, { jsonrpc: '2.0', method: 'calc.subtract', params: [2, 1], id })).toEqual({ jsonrpc: '2.0', result: 1, id });
    });

    it('answers a request with "id": null (it is not a notification)', async () => {
      const res = await post(node, { jsonrpc: '2.0', method: 'calc.getData', id: null });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ jsonrpc: '2.0', result: ['hello', 5], id: null });
    });

    it('answers an invalid request with id null, even when it had an id', async () => {
      const reply = await rpc(node, { jsonrpc: '1.0', method: 'calc.subtract', id: 7 });
      expect(reply).toMatchObject({ id: null, error: { code: -32600, data: { code: 'INVALID_REQUEST' } } });
      expect(reply.error!.message).toContain('"jsonrpc" must be "2.0"');
    });

    it('refuses an id that is neither string, number nor null', async () => {
      const reply = await rpc(node, { jsonrpc: '2.0', method: 'calc.subtract', params: [1, 1], id: { x: 1 } });
      expect(reply).toMatchObject({ id: null, error: { code: -32600 } });
      expect(reply.error!.message).toContain('"id" must be a string, a number or null, got object');
    });
  });

  describe('invalid requests', () => {
    it.each([
      ['params that are not structured', { jsonrpc: '2.0', method: 'calc.sum', params: 'bar', id: 1 }, '"params" must be an object (by name) or an array (by position), got string'],
      ['params that are null', { jsonrpc: '2.0', method: 'calc.sum', params: null, id: 1 }, 'got null'],
      ['a method that is not a string', { jsonrpc: '2.0', method: 1, id: 1 }, '"method" must be a string, got 1'],
      ['no jsonrpc member', { method: 'calc.sum', id: 1 }, '"jsonrpc" must be "2.0", got nothing'],
      ['a body that is a string', '"calc.sum"', 'must be an object with "jsonrpc": "2.0" and "method", got string'],
      ['a body that is null', 'null', 'got null'],
    ])('refuses %s with -32600', async (_what, body, message) => {
      const reply = await rpc(node, body);
      expect(reply).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600, data: { code: 'INVALID_REQUEST' } } });
      expect(reply.error!.message).toContain(message);
    });

    it.each(['foobar', '.subtract', 'calc.', ''])('answers method %j, not of the form service.method, with -32601 naming it', async (method) => {
      const reply = await rpc(node, { jsonrpc: '2.0', method, id: 1 });
      expect(reply).toMatchObject({ id: 1, error: { code: -32601, data: { code: 'METHOD_NOT_FOUND' } } });
      expect(reply.error!.message).toContain(JSON.stringify(method));
    });

    it('answers an unknown method of a known service with -32601', async () => {
      const reply = await rpc(node, { jsonrpc: '2.0', method: 'calc.nope', id: 1 });
      expect(reply.error).toMatchObject({ code: -32601, message: 'service "calc" has no method "nope"' });
    });

    it('answers an empty body with -32700', async () => {
      const res = await node.app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: null, error: { code: -32700, message: expect.stringContaining('empty') } });
    });

    it('answers other HTTP methods with 405 and a JSON-RPC error', async () => {
      const res = await node.app.inject({ method: 'GET', url: '/rpc' });
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.json()).toMatchObject({ id: null, error: { code: -32600, message: expect.stringContaining('POST /rpc') } });
    });
  });

  describe('params and errors', () => {
    it('passes params as the client sent them: an array by position, an object by name', async () => {
      await rpc(node, [
        { jsonrpc: '2.0', method: 'calc.subtract', params: [42, 23], id: 1 },
        { jsonrpc: '2.0', method: 'calc.subtract', params: { minuend: 42, subtrahend: 23 }, id: 2 },
        { jsonrpc: '2.0', method: 'calc.getData', id: 3 },
      ]);
      expect(seen.map((r) => r.args)).toEqual([[42, 23], { minuend: 42, subtrahend: 23 }, {}]);
    });

    it('answers args that break the schema with -32602 and the problems as details', async () => {
      const reply = await rpc(node, { jsonrpc: '2.0', method: 'calc.subtract', params: { minuend: 'a', subtrahend: 1 }, id: 1 });
      expect(reply.error).toMatchObject({ code: -32602, data: { code: 'INVALID_PARAMS', details: { problems: [{ path: '/minuend', actual: 'string' }] } } });
      expect(reply.error!.message).toContain('/minuend');
    });

    it('answers too many positional params with -32602', async () => {
      const reply = await rpc(node, { jsonrpc: '2.0', method: 'calc.subtract', params: [1, 2, 3], id: 1 });
      expect(reply.error).toMatchObject({ code: -32602, data: { code: 'INVALID_PARAMS', details: { problems: [expect.anything()] } } });
    });

    it("answers a handler's refusal with -32000 and its reason", async () => {
      const reply = await rpc(node, { jsonrpc: '2.0', method: 'calc.divide', params: [1, 0], id: 'd' });
      expect(reply).toMatchObject({ id: 'd', error: { code: -32000, data: { code: 'SERVICE_ERROR', details: { reason: 'DIVISION_BY_ZERO' } } } });
    });

    it('answers a call without a key to a guarded method with -32003', async () => {
      expect((await rpc(node, { jsonrpc: '2.0', method: 'vault.open', id: 1 })).error).toMatchObject({ code: -32003, data: { code: 'UNAUTHENTICATED' } });
    });
  });

  describe('notifications and batches', () => {
    it('answers a single notification with 204 and no body, and hands it on as one-way', async () => {
      const res = await post(node, { jsonrpc: '2.0', method: 'calc.update', params: [1, 2] });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ service: 'calc', method: 'update', args: [1, 2], meta: { oneWay: true } });
    });

    it('answers only the calls of a mixed batch, in order', async () => {
      const replies = await rpc(node, [
        { jsonrpc: '2.0', method: 'calc.subtract', params: [3, 1], id: 'a' },
        { jsonrpc: '2.0', method: 'calc.update', params: [1] },
        { jsonrpc: '2.0', method: 'calc.sum', params: [1, 1], id: 'b' },
      ]);
      expect(replies).toEqual([
        { jsonrpc: '2.0', result: 2, id: 'a' },
        { jsonrpc: '2.0', result: 2, id: 'b' },
      ]);
    });

    it('refuses a batch over gateway.maxBatch with one -32600 naming the size and the limit', async () => {
      const call = { jsonrpc: '2.0', method: 'calc.getData', id: 1 };
      const reply = await rpc(node, [call, call, call, call]);
      expect(reply).toMatchObject({ id: null, error: { code: -32600, data: { code: 'INVALID_REQUEST', details: { size: 4, limit: 3 } } } });
      expect(reply.error!.message).toBe('the batch has 4 requests; the limit is 3 (gateway.maxBatch)');
      expect(seen).toHaveLength(0);
    });

    it('refuses a nested batch element as an invalid request', async () => {
      const replies = (await rpc(node, [[{ jsonrpc: '2.0', method: 'calc.getData', id: 1 }]])) as unknown as Reply[];
      expect(replies).toEqual([expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32600, message: expect.stringContaining('request 0 of the batch') }) })]);
    });
  });
});

describe('POST /rpc under load', () => {
  it('runs the calls of a batch in parallel', async () => {
    const { slow, gate } = testServices(new Gate());
    const node = await startEmbedded({ services: [slow] });
    try {
      const pending = post(node, [
        { jsonrpc: '2.0', method: 'slow.wait', id: 1 },
        { jsonrpc: '2.0', method: 'slow.wait', id: 2 },
      ]);
      while (gate.entered < 2) await new Promise((r) => setTimeout(r, 2));
      gate.open();
      expect((await pending).json()).toEqual([
        { jsonrpc: '2.0', result: 'done', id: 1 },
        { jsonrpc: '2.0', result: 'done', id: 2 },
      ]);
    } finally {
      gate.open();
      await node.close();
    }
  });

  it('answers -32002 with Retry-After when the gateway queue is full', async () => {
    const { slow, gate } = testServices(new Gate());
    const node = await startEmbedded({ services: [slow], gateway: { maxInFlight: 1, maxQueue: 0 } });
    try {
      // 1. One call takes the only slot and waits at the gate.
      const first = post(node, { jsonrpc: '2.0', method: 'slow.wait', id: 1 });
      while (gate.entered < 1) await new Promise((r) => setTimeout(r, 2));
      // 2. The next finds the queue full.
      const res = await post(node, { jsonrpc: '2.0', method: 'calc.getData', id: 2 });
      expect(res.statusCode).toBe(200);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toMatchObject({ id: 2, error: { code: -32002, data: { code: 'OVERLOADED' } } });
      // 3. Once the first is done, calls go through again.
      gate.open();
      expect((await first).json()).toEqual({ jsonrpc: '2.0', result: 'done', id: 1 });
      expect((await post(node, { jsonrpc: '2.0', method: 'calc.getData', id: 3 })).json()).toMatchObject({ result: ['hello', 5] });
    } finally {
      gate.open();
      await node.close();
    }
  });
});
