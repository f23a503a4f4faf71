import { createClient, GRACE_MS, isJunctionCallError, JunctionCallError } from './index';
import { failure } from './failure.test-support';

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: any;
}

/** A fetch that records each request and answers with the next scripted reply. */
function scripted(...answers: (Response | ((sent: Sent) => Response) | Error)[]) {
  const sent: Sent[] = [];
  const fetch = jest.fn(async (url: string | URL | Request, init?: RequestInit) => {
    const s: Sent = { url: String(url), headers: init!.headers as Record<string, string>, body: JSON.parse(String(init!.body)) };
    sent.push(s);
    const next = answers.shift();
    if (next === undefined) throw new Error('the test scripted no more answers');
    if (next instanceof Error) throw next;
    return typeof next === 'function' ? next(s) : next;
  }) as unknown as typeof globalThis.fetch;
  return { fetch, sent };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
const result = (value: unknown) => (s: Sent) => json({ jsonrpc: '2.0', result: value, id: s.body.id });
const rpcError = (code: number, message: string, data?: unknown, id: unknown = 1) => json({ jsonrpc: '2.0', error: { code, message, data }, id });
const URL_ = 'http://gw.test:8080';

describe('createClient', () => {
  it('refuses a URL that is not absolute http(s), naming it and an example', () => {
    expect(() => createClient({ url: 'localhost:8080' })).toThrow('url must be the gateway\'s absolute http(s) URL, e.g. http://127.0.0.1:8080, got "localhost:8080"');
    expect(() => createClient({ url: '/rpc' })).toThrow(TypeError);
  });

  it('refuses a timeout that is not a positive integer', () => {
    expect(() => createClient({ url: URL_, timeoutMs: 1.5 })).toThrow('timeoutMs must be a positive integer of milliseconds, got 1.5');
  });

  it('keeps a path prefix of the URL and drops a trailing slash', async () => {
    const { fetch, sent } = scripted(result(1));
    const client = createClient({ url: 'https://edge.test/junction/', fetch });
    expect(client.url).toBe('https://edge.test/junction');
    await client.call('calc.getData');
    expect(sent[0].url).toBe('https://edge.test/junction/rpc');
  });
});

describe('client.call', () => {
  it('posts a JSON-RPC request with params by name or by position and resolves with the result', async () => {
    const { fetch, sent } = scripted(result(19), result(-19));
    const client = createClient({ url: URL_, fetch });
    await expect(client.call<number>('calc.subtract', { minuend: 42, subtrahend: 23 })).resolves.toBe(19);
    await expect(client.call('calc.subtract', [23, 42])).resolves.toBe(-19);
    expect(sent[0].url).toBe(`${URL_}/rpc`);
    expect(sent[0].body).toEqual({ jsonrpc: '2.0', method: 'calc.subtract', params: { minuend: 42, subtrahend: 23 }, id: 1 });
    expect(sent[1].body).toEqual({ jsonrpc: '2.0', method: 'calc.subtract', params: [23, 42], id: 2 });
  });

  it('sends no params when there are no args', async () => {
    const { fetch, sent } = scripted(result(['hello', 5]));
    await createClient({ url: URL_, fetch }).call('calc.getData');
    expect(sent[0].body).not.toHaveProperty('params');
  });

  it('sends the key, the timeout and the headers, the call settings over the client ones', async () => {
    const { fetch, sent } = scripted(result(null), result(null));
    const client = createClient({ url: URL_, fetch, key: 'client-key', timeoutMs: 5000, headers: { 'X-Studio': 'north', 'Content-Type': 'text/plain' } });
    await client.call('calc.getData');
    expect(sent[0].headers).toEqual({
      'x-studio': 'north',
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: 'Bearer client-key',
      'x-junction-timeout-ms': '5000',
    });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await client.call('calc.getData', undefined, { key: 'call-key', timeoutMs: 50, traceparent, headers: { 'x-studio': 'south' } });
    expect(sent[1].headers).toMatchObject({ 'x-studio': 'south', authorization: 'Bearer call-key', 'x-junction-timeout-ms': '50', traceparent });
  });

  it('sends a Uint8Array (and a Buffer) as base64 and a Date as ISO 8601 text', async () => {
    const { fetch, sent } = scripted(result(null));
    const at = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    await createClient({ url: URL_, fetch }).call('assets.put', { bytes: new Uint8Array([1, 2, 250]), buf: Buffer.from('hi'), at });
    expect(sent[0].body.params).toEqual({ bytes: 'AQL6', buf: 'aGk=', at: '2024-01-02T03:04:05.000Z' });
  });

  it('maps a JSON-RPC error to a JunctionCallError by its data.code, with the details', async () => {
    const details = { problems: [{ path: '/minuend', message: 'must be number', actual: 'string' }] };
    const { fetch } = scripted(rpcError(-32602, 'calc.subtract: /minuend must be number (got string)', { code: 'INVALID_PARAMS', details }));
    const err = await failure(createClient({ url: URL_, fetch }).call('calc.subtract', { minuend: 'a', subtrahend: 1 }));
    expect(err).toBeInstanceOf(JunctionCallError);
    expect(err).toMatchObject({ name: 'JunctionCallError', code: 'INVALID_PARAMS', rpcCode: -32602, details, data: { code: 'INVALID_PARAMS', details }, httpStatus: 200, target: 'calc.subtract', retryable: false });
    expect(err.message).toBe('calc.subtract: /minuend must be number (got string)');
  });

  it('takes the code from the JSON-RPC number when a server sends no data.code', async () => {
    const { fetch } = scripted(rpcError(-32601, 'Method not found'), rpcError(-32099, 'custom'));
    const client = createClient({ url: URL_, fetch });
    expect(await failure(client.call('a.b'))).toMatchObject({ code: 'METHOD_NOT_FOUND', rpcCode: -32601 });
    expect(await failure(client.call('a.b'))).toMatchObject({ code: 'INTERNAL', rpcCode: -32099 });
  });

  it('keeps a code it does not know as sent', async () => {
    const { fetch } = scripted(rpcError(-32010, 'later', { code: 'QUOTA_EXCEEDED' }));
    expect(await failure(createClient({ url: URL_, fetch }).call('a.b'))).toMatchObject({ code: 'QUOTA_EXCEEDED', rpcCode: -32010, retryable: false });
  });

  it('marks TIMEOUT, OVERLOADED and UNAVAILABLE as retryable', async () => {
    const { fetch } = scripted(rpcError(-32002, 'full', { code: 'OVERLOADED' }));
    expect(await failure(createClient({ url: URL_, fetch }).call('a.b'))).toMatchObject({ code: 'OVERLOADED', retryable: true });
  });

  it('maps a refusal of the whole request (id null) too', async () => {
    const { fetch } = scripted(rpcError(-32003, 'the API key in the Authorization header is not known to this gateway', { code: 'UNAUTHENTICATED' }, null));
    expect(await failure(createClient({ url: URL_, fetch, key: 'nope' }).call('calc.getData'))).toMatchObject({ code: 'UNAUTHENTICATED', target: 'calc.getData' });
  });

  it('turns a network failure into UNAVAILABLE naming the URL and the cause', async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const { fetch } = scripted(new TypeError('fetch failed', { cause }));
    const err = await failure(createClient({ url: 'http://127.0.0.1:9', fetch }).call('calc.getData'));
    expect(err).toMatchObject({ code: 'UNAVAILABLE', rpcCode: -32005, retryable: true, httpStatus: undefined });
    expect(err.message).toMatch(/^cannot reach the gateway at http:\/\/127\.0\.0\.1:9: connect ECONNREFUSED 127\.0\.0\.1:9; check the url/);
    expect(err.cause).toBeInstanceOf(TypeError);
  });

  it('names every address Node tried when a host name has several', async () => {
    const errors = [new Error('connect ECONNREFUSED ::1:9'), new Error('connect ECONNREFUSED 127.0.0.1:9')];
    const { fetch } = scripted(new TypeError('fetch failed', { cause: new AggregateError(errors, '') }));
    const err = await failure(createClient({ url: 'http://localhost:9', fetch }).call('calc.getData'));
    expect(err.message).toContain('connect ECONNREFUSED ::1:9; connect ECONNREFUSED 127.0.0.1:9');
  });

  it('names the HTTP status, the content type and the body of an answer that is not JSON', async () => {
    const { fetch } = scripted(new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    const err = await failure(createClient({ url: URL_, fetch }).call('calc.getData'));
    expect(err).toMatchObject({ code: 'UNAVAILABLE', httpStatus: 502, target: 'calc.getData' });
    expect(err.message).toBe(
      `POST ${URL_}/rpc answered calc.getData with HTTP 502 (text/html) and "<html>Bad Gateway</html>", not a JSON-RPC response; check that ${URL_} is a Junction gateway (or the proxy in front of one)`,
    );
  });

  it('names the HTTP status of JSON that is not a JSON-RPC response', async () => {
    const { fetch } = scripted(json({ error: { code: 'METHOD_NOT_FOUND' } }, 404), new Response(null, { status: 204 }));
    const client = createClient({ url: URL_, fetch });
    const err = await failure(client.call('calc.getData'));
    expect(err).toMatchObject({ code: 'INTERNAL', httpStatus: 404 });
    expect(err.message).toContain('with HTTP 404 (application/json; charset=utf-8)');
    expect((await failure(client.call('calc.getData'))).message).toContain('with HTTP 204 and an empty body');
  });

  it('refuses an answer to another request id', async () => {
    const { fetch } = scripted(json({ jsonrpc: '2.0', result: 1, id: 99 }));
    expect((await failure(createClient({ url: URL_, fetch }).call('calc.getData'))).message).toContain('answered calc.getData (request id 1)');
  });

  it('refuses a target that is not "service.method" and args that are not structured, without sending', async () => {
    const { fetch } = scripted();
    const client = createClient({ url: URL_, fetch });
    expect(await failure(client.call('subtract'))).toMatchObject({ code: 'METHOD_NOT_FOUND', message: 'methods are named "service.method", e.g. "calc.subtract", got "subtract"' });
    expect(await failure(client.call('calc.sum', 5 as never))).toMatchObject({ code: 'INVALID_PARAMS', message: 'args of calc.sum must be an object (by name) or an array (by position), got number' });
    expect(await failure(client.call('calc.sum', { n: 1n }))).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('args of calc.sum cannot be sent as JSON') });
    expect(await failure(client.call('calc.sum', [], { timeoutMs: 0 }))).toMatchObject({ code: 'INVALID_REQUEST', message: 'timeoutMs of calc.sum must be a positive integer of milliseconds, got 0' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('rejects with the reason of an aborted signal, as fetch does', async () => {
    const controller = new AbortController();
    const fetch = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as unknown as typeof globalThis.fetch;
    const pending = createClient({ url: URL_, fetch }).call('slow.wait', undefined, { signal: controller.signal });
    controller.abort(new Error('the user went away'));
    await expect(pending).rejects.toThrow('the user went away');
  });

  it('gives up with TIMEOUT when nothing answers within the deadline and its grace', async () => {
    jest.useFakeTimers();
    try {
      const fetch = ((_url: string, init: RequestInit) =>
        new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(new Error('aborted'))))) as unknown as typeof globalThis.fetch;
      const pending = failure(createClient({ url: URL_, fetch, timeoutMs: 100 }).call('slow.wait'));
      await jest.advanceTimersByTimeAsync(100 + GRACE_MS);
      const err = await pending;
      expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
      expect(err.message).toBe(`no answer to slow.wait from the gateway at ${URL_} within 100 ms and ${GRACE_MS} ms of grace; the gateway or the network between is stuck`);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('client.notify', () => {
  it('sends a request without an id and resolves on 204', async () => {
    const { fetch, sent } = scripted(new Response(null, { status: 204 }));
    await expect(createClient({ url: URL_, fetch }).notify('calc.update', [1, 2])).resolves.toBeUndefined();
    expect(sent[0].body).toEqual({ jsonrpc: '2.0', method: 'calc.update', params: [1, 2] });
  });

  it('rejects when the gateway refuses the whole request', async () => {
    const { fetch } = scripted(rpcError(-32003, 'unknown key', { code: 'UNAUTHENTICATED' }, null));
    expect(await failure(createClient({ url: URL_, fetch }).notify('calc.update', [1]))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects an answer that a notification does not get', async () => {
    const { fetch } = scripted(json({ jsonrpc: '2.0', result: null, id: null }));
    expect((await failure(createClient({ url: URL_, fetch }).notify('calc.update'))).message).toContain('answered the notification calc.update with HTTP 200');
  });
});

describe('client.batch', () => {
  it('sends the calls in one request and resolves with one outcome per call, in order, whatever the order of the answers', async () => {
    const { fetch, sent } = scripted((s) =>
      json([
        { jsonrpc: '2.0', error: { code: -32000, message: 'cannot divide 1 by zero', data: { code: 'SERVICE_ERROR', details: { reason: 'DIVISION_BY_ZERO' } } }, id: s.body[1].id },
        { jsonrpc: '2.0', result: 19, id: s.body[0].id },
      ]),
    );
    const outcomes = await createClient({ url: URL_, fetch }).batch([
      { target: 'calc.subtract', args: [42, 23] },
      { target: 'calc.divide', args: { dividend: 1, divisor: 0 } },
    ]);
    expect(sent[0].body).toEqual([
      { jsonrpc: '2.0', method: 'calc.subtract', params: [42, 23], id: 1 },
      { jsonrpc: '2.0', method: 'calc.divide', params: { dividend: 1, divisor: 0 }, id: 2 },
    ]);
    expect(outcomes[0]).toEqual({ ok: true, result: 19 });
    expect(outcomes[1]).toMatchObject({ ok: false, error: { code: 'SERVICE_ERROR', details: { reason: 'DIVISION_BY_ZERO' }, target: 'calc.divide' } });
  });

  it('fails a malformed call locally and sends the rest', async () => {
    const { fetch, sent } = scripted((s) => json([{ jsonrpc: '2.0', result: 2, id: s.body[0].id }]));
    const outcomes = await createClient({ url: URL_, fetch }).batch([{ target: 'nodot' }, { target: 'calc.sum', args: [1, 1] }]);
    expect(sent[0].body).toHaveLength(1);
    expect(outcomes).toEqual([{ ok: false, error: expect.objectContaining({ code: 'METHOD_NOT_FOUND' }) }, { ok: true, result: 2 }]);
  });

  it('fails a call the gateway did not answer', async () => {
    const { fetch } = scripted(json([]));
    const [outcome] = await createClient({ url: URL_, fetch }).batch([{ target: 'calc.getData' }]);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: `the gateway at ${URL_} sent no answer for call 0 (calc.getData, id 1) of a batch of 1 call(s)` } });
  });

  it('rejects when the batch as a whole is refused', async () => {
    const { fetch } = scripted(rpcError(-32600, 'the batch has 4 requests; the limit is 3 (gateway.maxBatch)', { code: 'INVALID_REQUEST', details: { size: 4, limit: 3 } }, null));
    const err = await failure(createClient({ url: URL_, fetch }).batch([{ target: 'a.b' }]));
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', details: { size: 4, limit: 3 }, target: undefined });
  });

  it('sends nothing for an empty batch', async () => {
    const { fetch } = scripted();
    await expect(createClient({ url: URL_, fetch }).batch([])).resolves.toEqual([]);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('client.service', () => {
  it('calls service.method for each property', async () => {
    const { fetch, sent } = scripted(result(19));
    const calc = createClient({ url: URL_, fetch }).service('calc');
    await expect(calc.subtract({ minuend: 42, subtrahend: 23 })).resolves.toBe(19);
    expect(sent[0].body).toMatchObject({ method: 'calc.subtract', params: { minuend: 42, subtrahend: 23 } });
    expect(calc.subtract).toBe(calc.subtract);
  });

  it('is not mistaken for a promise or serialized as calls', async () => {
    const { fetch } = scripted();
    const calc = createClient({ url: URL_, fetch }).service('calc');
    expect((calc as { then?: unknown }).then).toBeUndefined();
    await expect(Promise.resolve(calc)).resolves.toBe(calc);
    expect(JSON.stringify(calc)).toBe('{}');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('refuses a name with a dot', () => {
    expect(() => createClient({ url: URL_, fetch: scripted().fetch }).service('calc.subtract')).toThrow('name must be a service name without dots, e.g. "calc", got "calc.subtract"');
  });
});

describe('isJunctionCallError', () => {
  it('recognises the error by shape, not by class', () => {
    const foreign = Object.assign(new Error('x'), { name: 'JunctionCallError', code: 'TIMEOUT' });
    expect(isJunctionCallError(foreign)).toBe(true);
    expect(isJunctionCallError(new Error('x'))).toBe(false);
    expect(isJunctionCallError({ name: 'JunctionCallError', code: 'TIMEOUT' })).toBe(false);
  });
});
