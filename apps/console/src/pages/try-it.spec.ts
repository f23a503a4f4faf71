import { browser, KEYS, type Platform, signIn, startPlatform } from '../testing/platform';
import { newTraceparent } from './try-it';

jest.setTimeout(30_000);

describe('try it: POST /console/try/:service/:method', () => {
  let p: Platform;
  let cookie: string;

  const tryIt = (target: string, args: unknown) => {
    const [service, method] = target.split('.');
    return p.gateway.inject({ method: 'POST', url: `/console/try/${service}/${method}`, headers: { cookie, accept: 'application/json' }, payload: args as object });
  };

  /** A JSON-RPC call straight to the gateway, as the developer. */
  const rpc = async (method: string, params: object) => (await p.gateway.inject({ method: 'POST', url: '/rpc', headers: { authorization: `Bearer ${KEYS.developer}` }, payload: { jsonrpc: '2.0', method, params, id: 1 } })).json();

  beforeAll(async () => {
    p = await startPlatform();
    cookie = await signIn(p.gateway, KEYS.developer);
  });
  afterAll(async () => {
    await p?.close();
  });

  it('calls the method as the signed-in user and answers the result, the duration and the trace id', async () => {
    await rpc('shots.createProject', { code: 'dune', name: 'Dune' });
    await rpc('shots.createSequence', { project: 'dune', code: 'sq010' });
    const res = await tryIt('shots.create', { project: 'dune', sequence: 'sq010', code: 'sh0010', frameIn: 1001, frameOut: 1096 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ ok: true, result: expect.objectContaining({ code: 'sh0010', status: 'waiting' }), durationMs: expect.any(Number), traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(body.durationMs).toBeGreaterThan(0);
    // The shot's history says who created it: the signed-in user, not the console.
    const history = await rpc('shots.history', { project: 'dune', code: 'sh0010' });
    expect(history.result[0]).toMatchObject({ from: null, to: 'waiting', changedBy: 'dora' });
  });

  it('answers INVALID_PARAMS with the details of what was wrong where', async () => {
    const body = (await tryIt('calc.subtract', { minuend: 'forty-two' })).json();
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('INVALID_PARAMS');
    expect(body.error.message).toContain('/minuend must be number');
    expect(body.error.details.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/minuend', actual: 'string' }),
        expect.objectContaining({ path: '/subtrahend', message: 'is required' }),
      ]),
    );
    expect(body.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("answers the platform's errors with their codes and details", async () => {
    expect((await tryIt('calc.nope', {})).json()).toMatchObject({ ok: false, error: { code: 'METHOD_NOT_FOUND' } });
    // Division by zero is the service's own error: SERVICE_ERROR with its reason.
    expect((await tryIt('calc.divide', { dividend: 1, divisor: 0 })).json()).toMatchObject({ ok: false, error: { code: 'SERVICE_ERROR', details: { reason: 'DIVISION_BY_ZERO' } } });
  });

  it('starts a trace that tracing.get then finds, with the call in it', async () => {
    const { traceId } = (await tryIt('calc.subtract', { minuend: 42, subtrahend: 23 })).json();
    let found: { roots: { service: string; method: string }[] } | undefined;
    for (let i = 0; i < 50 && found === undefined; i++) {
      const reply = await rpc('tracing.get', { traceId });
      if (reply.result !== undefined && JSON.stringify(reply.result).includes('"subtract"')) found = reply.result;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toBeDefined();
    expect(JSON.stringify(found)).toContain('"service":"calc"');
  });

  it('refuses args that are not an object', async () => {
    const res = await tryIt('calc.subtract', [42, 23]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_REQUEST');
  });

  it('shows the form on the method page, with the params schema for the browser', async () => {
    const page = await p.gateway.inject({ url: '/console/services/shots/create', headers: browser(cookie) });
    expect(page.body).toContain('data-action="/console/try/shots/create"');
    expect(page.body).toContain('data-traces="/console/traces/"');
    const schema = JSON.parse(/<script type="application\/json" id="params-schema">([\s\S]*?)<\/script>/.exec(page.body)![1]);
    expect(schema.required).toEqual(['project', 'sequence', 'code', 'frameIn', 'frameOut']);
    expect(page.body).toContain('<input id="arg-frameIn" name="frameIn" type="number" step="1" min="0" max="9999999" value="1001">');
  });
});

describe('newTraceparent', () => {
  it('makes a sampled W3C traceparent and gives its trace id', () => {
    const { traceparent, traceId } = newTraceparent();
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(traceparent.split('-')[1]).toBe(traceId);
    expect(newTraceparent().traceId).not.toBe(traceId);
  });
});
