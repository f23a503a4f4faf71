import { type CallRequest, errors } from '@junction/core';
import { type Embedded, startEmbedded } from '../../testing/embedded';
import { Gate, testServices } from '../../testing/services';

describe('/api/:service/:method', () => {
  let node: Embedded;
  const seen: CallRequest[] = [];

  beforeAll(async () => {
    const { echo } = testServices();
    node = await startEmbedded({
      services: [echo],
      wrap: (chain) => (req) => {
        seen.push(req);
        if (req.service === 'gone') return Promise.resolve({ id: req.id, error: errors.unavailable('service "gone"', 'no worker serves it').toWire() });
        return chain(req);
      },
    });
  });
  afterAll(() => node.close());
  beforeEach(() => (seen.length = 0));

  const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
    node.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: body === undefined ? undefined : JSON.stringify(body) });
  const get = (url: string) => node.app.inject({ method: 'GET', url });

  describe('POST', () => {
    it('answers with the result as JSON', async () => {
      const res = await post('/api/calc/subtract', { minuend: 42, subtrahend: 23 });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toBe('19');
    });

    it('takes an empty body as no args', async () => {
      const res = await node.app.inject({ method: 'POST', url: '/api/calc/getData' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(['hello', 5]);
      const typed = await node.app.inject({ method: 'POST', url: '/api/calc/getData', headers: { 'content-type': 'application/json' }, payload: '' });
      expect(typed.json()).toEqual(['hello', 5]);
    });

    it.each([
      ['an unknown service', '/api/nope/x', {}, 404, 'METHOD_NOT_FOUND', 'no service named "nope"'],
      ['an unknown method', '/api/calc/nope', {}, 404, 'METHOD_NOT_FOUND', 'service "calc" has no method "nope"'],
      ['args that break the schema', '/api/calc/subtract', { minuend: 'x' }, 400, 'INVALID_PARAMS', '/minuend'],
      ['an unknown param', '/api/calc/subtract', { minuend: 1, subtrahend: 2, extra: 3 }, 400, 'INVALID_PARAMS', '/extra is not an accepted property'],
      ["a handler's refusal", '/api/calc/divide', { dividend: 1, divisor: 0 }, 422, 'SERVICE_ERROR', 'cannot divide 1 by zero'],
      ['an unexpected failure', '/api/echo/fail', {}, 500, 'INTERNAL', 'internal error in echo.fail'],
      ['a service nobody serves', '/api/gone/x', {}, 503, 'UNAVAILABLE', 'no worker serves it'],
    ])('answers %s with %i and the error', async (_what, url, body, status, code, message) => {
      const res = await post(url, body);
      expect(res.statusCode).toBe(status);
      expect(Object.keys(res.json())).toEqual(['error']);
      expect(res.json().error).toMatchObject({ code, message: expect.stringContaining(message) });
    });

    it('puts the schema problems in details', async () => {
      const res = await post('/api/calc/subtract', { minuend: 'x', subtrahend: 1 });
      expect(res.json().error.details).toEqual({ problems: [expect.objectContaining({ path: '/minuend', actual: 'string' })] });
    });

    it('lets no stack or message of an unexpected error out', async () => {
      const res = await post('/api/echo/fail', {});
      expect(res.body).not.toContain('boom');
      expect(res.json().error.details).toBeUndefined();
    });

    it('answers a missed deadline with 504', async () => {
      const { slow, gate } = testServices(new Gate());
      const other = await startEmbedded({ services: [slow] });
      try {
        const res = await other.app.inject({ method: 'POST', url: '/api/slow/wait', headers: { 'x-junction-timeout-ms': '30' } });
        expect(res.statusCode).toBe(504);
        expect(res.json().error.code).toBe('TIMEOUT');
      } finally {
        gate.open();
        await other.close();
      }
    });

    it.each([
      ['an array', '[1, 2]', 'got array'],
      ['a string', '"x"', 'got string'],
      ['a number', '42', 'got integer'],
      ['null', 'null', 'got null'],
    ])('refuses a body that is %s with 400 INVALID_REQUEST', async (_what, payload, message) => {
      const res = await node.app.inject({ method: 'POST', url: '/api/calc/subtract', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining(`the body must be a JSON object of args by name`) });
      expect(res.json().error.message).toContain(message);
      expect(seen).toHaveLength(0);
    });
  });

  describe('GET', () => {
    it('calls a safe method with the query string as args', async () => {
      const res = await get('/api/calc/subtract?minuend=42&subtrahend=23');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toBe(19);
      expect(seen.find((r) => r.service === 'calc')!.args).toEqual({ minuend: 42, subtrahend: 23 });
    });

    it('refuses a method not marked safe with 405, naming POST', async () => {
      const res = await get('/api/echo/store?value=x');
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.json().error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('send POST /api/echo/store') });
      expect(seen.filter((r) => r.service === 'echo')).toHaveLength(0);
    });

    it('answers an unknown service or method with 404', async () => {
      expect((await get('/api/nope/x')).statusCode).toBe(404);
      const res = await get('/api/calc/nope');
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toBe('service "calc" has no method "nope"');
    });

    it('learns flags and schemas from one system.describe, shared by every service and protocol', async () => {
      const fresh = await startEmbedded({ wrap: (chain) => (req) => (seen.push(req), chain(req)) });
      try {
        await fresh.app.inject({ method: 'GET', url: '/api/calc/subtract?minuend=1&subtrahend=1' });
        await fresh.app.inject({ method: 'GET', url: '/api/calc/sum?values=1' });
        await fresh.app.inject({ method: 'GET', url: '/api/echo/typed?i=3' });
        const listMethods = '<?xml version="1.0"?><methodCall><methodName>system.listMethods</methodName><params/></methodCall>';
        expect((await fresh.app.inject({ method: 'POST', url: '/RPC2', headers: { 'content-type': 'text/xml' }, payload: listMethods })).statusCode).toBe(200);
        expect(seen.filter((r) => r.service === 'system').map((r) => [r.method, r.args])).toEqual([['describe', {}]]);
      } finally {
        await fresh.close();
      }
    });

    it('coerces each value by its param type', async () => {
      const res = await get('/api/echo/typed?n=-1.5e2&i=3&b=true&s=42&list=1&list=2&obj=%7B%22a%22%3A1%7D&maybe=null');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ n: -150, i: 3, b: true, s: '42', list: [1, 2], obj: { a: 1 }, maybe: null });
    });

    it('makes an array of a single value of an array param', async () => {
      expect((await get('/api/echo/typed?list=7')).json()).toEqual({ list: [7] });
      expect((await get('/api/calc/sum?values=1&values=2.5')).json()).toBe(3.5);
    });

    it.each([
      ['n=abc', '/n', 'query param "n" must be a number, got "abc"'],
      ['i=1.5', '/i', 'query param "i" must be an integer, got "1.5"'],
      ['b=yes', '/b', 'query param "b" must be true or false, got "yes"'],
      ['list=1&list=x', '/list', 'query param "list" item 1 must be an integer, got "x"'],
      ['obj=%7Bbad', '/obj', 'query param "obj" must be a JSON object'],
      ['obj=%5B1%5D', '/obj', 'query param "obj" must be a JSON object'],
      ['i=1&i=2', '/i', 'query param "i" is given 2 times; it takes one value'],
      ['maybe=x', '/maybe', 'query param "maybe" must be an integer or null, got "x"'],
    ])('refuses %s with 400 INVALID_PARAMS naming the param', async (query, path, message) => {
      const res = await get(`/api/echo/typed?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining(message), details: { problems: [expect.objectContaining({ path })] } });
    });

    it('names a malformed object param with its position', async () => {
      const res = await get('/api/echo/typed?obj=%7Bbad');
      expect(res.json().error.message).toContain('at position 1');
    });

    it('leaves unknown query keys to the provider to refuse', async () => {
      const res = await get('/api/calc/subtract?minuend=1&subtrahend=2&bogus=3');
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toContain('/bogus is not an accepted property');
    });

    it.each(['constructor', 'prototype'])('refuses the query key %s', async (key) => {
      const res = await get(`/api/echo/typed?${key}=1`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining(`"${key}"`) });
    });
  });
});

describe('/api when the gateway queue is full', () => {
  it('answers 503 OVERLOADED with Retry-After: 1', async () => {
    const { slow, gate } = testServices(new Gate());
    const node = await startEmbedded({ services: [slow], gateway: { maxInFlight: 1, maxQueue: 0 } });
    try {
      const first = node.app.inject({ method: 'POST', url: '/api/slow/wait' });
      while (gate.entered < 1) await new Promise((r) => setTimeout(r, 2));
      const res = await node.app.inject({ method: 'POST', url: '/api/calc/getData' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json().error).toMatchObject({ code: 'OVERLOADED', message: expect.stringContaining('gateway "HTTP in" queue is full') });
      gate.open();
      expect((await first).json()).toBe('done');
    } finally {
      gate.open();
      await node.close();
    }
  });
});

describe('/api when a call waits in the gateway queue', () => {
  it('does not hand on a call whose deadline passed while it waited: 504 TIMEOUT', async () => {
    const { slow, gate } = testServices(new Gate());
    const handed: string[] = [];
    const node = await startEmbedded({ services: [slow], gateway: { maxInFlight: 1, maxQueue: 1 }, wrap: (chain) => (req) => (handed.push(`${req.service}.${req.method}`), chain(req)) });
    try {
      // 1. One call takes the only slot; 2. the next waits, with a 20 ms deadline; 3. the slot frees after 60 ms.
      const first = node.app.inject({ method: 'POST', url: '/api/slow/wait' });
      while (gate.entered < 1) await new Promise((r) => setTimeout(r, 2));
      const waiting = node.app.inject({ method: 'POST', url: '/api/calc/getData', headers: { 'x-junction-timeout-ms': '20' } });
      await new Promise((r) => setTimeout(r, 60));
      gate.open();
      const res = await waiting;
      expect(res.statusCode).toBe(504);
      expect(res.json().error).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('waiting in the gateway') });
      expect((await first).statusCode).toBe(200);
      expect(handed).toEqual(['slow.wait']);
    } finally {
      gate.open();
      await node.close();
    }
  });
});
