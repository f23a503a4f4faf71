import { randomBytes } from 'node:crypto';
import { type Embedded, startEmbedded } from './testing/embedded';
import { nestingDepth, parseJson } from './limits';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('parseJson', () => {
  it('parses JSON', () => {
    expect(parseJson('{"a": [1, {"b": null}]}', 64, 'the body')).toEqual({ a: [1, { b: null }] });
  });

  it('measures depth without recursion, however deep', () => {
    const deep = JSON.parse(nested(200_000));
    expect(nestingDepth(deep)).toBe(200_000);
    expect(nestingDepth(42)).toBe(0);
    expect(nestingDepth({ a: [{}] })).toBe(3);
  });

  it('accepts the limit and refuses one more level, naming both', () => {
    expect(() => parseJson(nested(8), 8, 'the body')).not.toThrow();
    expect(() => parseJson(nested(9), 8, 'the body')).toThrow('the body nests arrays and objects 9 levels deep; the limit is 8 (gateway.maxDepth)');
  });

  it.each([
    ['{"__proto__": {"x": 1}}', '"__proto__"'],
    ['{"a": [{"__proto__": null}]}', '"__proto__"'],
    ['{"constructor": {"prototype": {"x": 1}}}', '"constructor" with a "prototype"'],
  ])('refuses %s', (text, key) => {
    expect(() => parseJson(text, 64, 'the body')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining(key) }));
  });

  it('names the position of a syntax error', () => {
    expect(() => parseJson('{"a": 1,}', 64, 'the body')).toThrow(
      expect.objectContaining({ code: 'PARSE_ERROR', message: 'the body is not valid JSON: unexpected "}" at position 8 (line 1, column 9); expected a property name in double quotes' }),
    );
  });
});

describe('hostile input', () => {
  let node: Embedded;
  beforeAll(async () => {
    node = await startEmbedded({ gateway: { bodyLimit: 4096, maxDepth: 8, maxBatch: 5 } });
  });
  afterAll(() => node.close());

  /** `contentType` null: the request carries none. */
  const send = (url: string, payload: string | Buffer, contentType: string | null = 'application/json') =>
    node.app.inject({ method: 'POST', url, headers: contentType === null ? {} : { 'content-type': contentType }, payload });

  /** Each case: the body, what /api answers (status, code) and what /rpc answers (JSON-RPC code), and a piece of the message. */
  const CASES: { title: string; payload: string | Buffer; contentType?: string | null; api: [number, string]; rpc: number; message: string }[] = [
    { title: 'an oversize body', payload: JSON.stringify({ s: 'x'.repeat(5000) }), api: [413, 'INVALID_REQUEST'], rpc: -32600, message: 'is larger than the limit of 4096 bytes (gateway.bodyLimit)' },
    { title: 'a body nested past the limit', payload: `{"a":${nested(8)}}`, api: [400, 'INVALID_REQUEST'], rpc: -32600, message: 'nests arrays and objects 9 levels deep; the limit is 8' },
    { title: 'a body nested very deep', payload: nested(2000), api: [400, 'INVALID_REQUEST'], rpc: -32600, message: '2000 levels deep' },
    { title: 'a __proto__ key', payload: '{"jsonrpc":"2.0","method":"calc.sum","params":{"__proto__":{"x":1}},"id":1}', api: [400, 'INVALID_REQUEST'], rpc: -32600, message: 'contains the key "__proto__", which is refused' },
    { title: 'a constructor.prototype key', payload: '{"constructor":{"prototype":{"x":1}}}', api: [400, 'INVALID_REQUEST'], rpc: -32600, message: '"constructor" with a "prototype"' },
    { title: 'malformed JSON', payload: '{"minuend": 42,\n "subtrahend" 23}', api: [400, 'PARSE_ERROR'], rpc: -32700, message: 'unexpected "2" at position 30 (line 2, column 15); expected \':\' after the property name' },
    { title: 'truncated JSON', payload: '{"minuend": 4', api: [400, 'PARSE_ERROR'], rpc: -32700, message: 'unexpected end of input at position 13' },
    { title: 'whitespace only', payload: '  \n', api: [400, 'PARSE_ERROR'], rpc: -32700, message: 'the body is empty; expected JSON' },
    { title: 'a text/plain body', payload: '{"minuend": 1}', contentType: 'text/plain', api: [415, 'INVALID_REQUEST'], rpc: -32600, message: 'Content-Type "text/plain" is not accepted; send the body as JSON' },
    { title: 'a form body', payload: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded', api: [415, 'INVALID_REQUEST'], rpc: -32600, message: 'is not accepted' },
    { title: 'a body without a content type', payload: '{"a":1}', contentType: null, api: [415, 'INVALID_REQUEST'], rpc: -32600, message: 'the request has a body but no Content-Type' },
  ];

  describe.each(CASES)('$title', ({ payload, contentType, api, rpc, message }) => {
    it(`is refused on /api with ${api[0]} ${api[1]}`, async () => {
      const res = await send('/api/calc/subtract', payload, contentType);
      expect(res.statusCode).toBe(api[0]);
      expect(res.json().error).toMatchObject({ code: api[1], message: expect.stringContaining(message) });
    });

    it(`is refused on /rpc with ${rpc}, id null, at HTTP 200`, async () => {
      const res = await send('/rpc', payload, contentType);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: rpc, message: expect.stringContaining(message) } });
    });
  });

  it('refuses a batch over gateway.maxBatch', async () => {
    const call = { jsonrpc: '2.0', method: 'calc.getData', id: 1 };
    const res = await send('/rpc', JSON.stringify(Array(6).fill(call)));
    expect(res.json()).toMatchObject({ id: null, error: { code: -32600, message: 'the batch has 6 requests; the limit is 5 (gateway.maxBatch)' } });
  });

  it('accepts the JSON-RPC media types', async () => {
    for (const type of ['application/json-rpc', 'application/jsonrequest', 'application/json; charset=utf-8']) {
      const res = await send('/rpc', '{"jsonrpc":"2.0","method":"calc.subtract","params":[2,1],"id":1}', type);
      expect(res.json()).toEqual({ jsonrpc: '2.0', result: 1, id: 1 });
    }
  });

  it('leaves Object.prototype alone', async () => {
    await send('/api/calc/sum', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers garbage with a message, and keeps answering', async () => {
    const bodies: (string | Buffer)[] = ['\u0000', '\ud800', '{"a":1e999999}', '[1,2', 'nul', '"\\x"', '{"a":"\u0001"}', '1 2', '-', '{,}', '\uFEFF{}'];
    for (let i = 0; i < 200; i++) bodies.push(randomBytes(1 + (i % 64)));
    for (const body of bodies) {
      for (const url of ['/rpc', '/api/calc/sum']) {
        const res = await send(url, body);
        expect([200, 204, 400, 413, 422]).toContain(res.statusCode);
        if (res.statusCode === 204) continue;
        const reply = res.json();
        const error = url === '/rpc' ? (Array.isArray(reply) ? reply[0] : reply).error : reply.error;
        if (res.statusCode !== 200 || error !== undefined) expect(error.message.length).toBeGreaterThan(10);
      }
    }
    expect((await node.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });
});
