import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Embedded, startEmbedded } from '@junction/gateway/testing/embedded';
import { Gate, testServices } from '@junction/gateway/testing/services';
import { type service as calcService } from '@junction/service-calc';
import { createClient, type JunctionClient } from './index';
import { failure } from './failure.test-support';

const KEY = 'artist-key-0123';

describe('the client against an embedded gateway over HTTP', () => {
  let node: Embedded;
  let client: JunctionClient;
  let url: string;
  const { slow, echo, gate } = testServices(new Gate());

  beforeAll(async () => {
    node = await startEmbedded({ services: [slow, echo], gateway: { apiKeys: [{ key: KEY, identity: 'alice', roles: ['artist'] }] } });
    url = `http://127.0.0.1:${await node.listen()}`;
    client = createClient({ url });
  });
  afterAll(async () => {
    gate.open();
    await node.close();
  });

  it('calls calc by name and by position', async () => {
    await expect(client.call<number>('calc.subtract', { minuend: 42, subtrahend: 23 })).resolves.toBe(19);
    await expect(client.call('calc.subtract', [23, 42])).resolves.toBe(-19);
    await expect(client.call('calc.sum', [1, 2, 4])).resolves.toBe(7);
  });

  it('calls through a proxy typed from the service definition', async () => {
    const calc = client.service<typeof calcService>('calc');
    const difference: number = await calc.subtract({ minuend: 1, subtrahend: 2 });
    expect(difference).toBe(-1);
    const data: [string, number] = await calc.getData();
    expect(data).toEqual(['hello', 5]);
    // Compile-time checks, run by the typecheck target:
    // @ts-expect-error minuend is a number
    void calc.subtract({ minuend: '1', subtrahend: 2 }).catch(() => undefined);
    // @ts-expect-error subtrahend is required
    void calc.subtract({ minuend: 1 }).catch(() => undefined);
    // @ts-expect-error calc has no method "multiply"
    void calc.multiply;
    // @ts-expect-error the result is a number
    const wrong: string = await calc.divide({ dividend: 1, divisor: 4 });
    expect(wrong).toBe(0.25);
  });

  it('answers args that break the schema with INVALID_PARAMS and the problems as details', async () => {
    const err = await failure(client.call('calc.subtract', { minuend: 'a', subtrahend: 1 }));
    expect(err).toMatchObject({ code: 'INVALID_PARAMS', rpcCode: -32602, httpStatus: 200, target: 'calc.subtract' });
    expect(err.details).toEqual({ problems: [expect.objectContaining({ path: '/minuend', actual: 'string' })] });
    expect(err.message).toContain('/minuend');
  });

  it("answers a handler's refusal with SERVICE_ERROR and its reason", async () => {
    const err = await failure(client.service<typeof calcService>('calc').divide({ dividend: 1, divisor: 0 }));
    expect(err).toMatchObject({ code: 'SERVICE_ERROR', message: 'cannot divide 1 by zero', details: { reason: 'DIVISION_BY_ZERO' } });
  });

  it('answers a missed deadline with TIMEOUT', async () => {
    const err = await failure(client.call('slow.wait', {}, { timeoutMs: 50 }));
    expect(err).toMatchObject({ code: 'TIMEOUT', rpcCode: -32001, retryable: true });
  });

  it('runs a batch and fails only its failing call', async () => {
    const outcomes = await client.batch([
      { target: 'calc.subtract', args: [42, 23] },
      { target: 'calc.divide', args: { dividend: 1, divisor: 0 } },
      { target: 'calc.getData' },
    ]);
    expect(outcomes).toEqual([
      { ok: true, result: 19 },
      { ok: false, error: expect.objectContaining({ code: 'SERVICE_ERROR', target: 'calc.divide' }) },
      { ok: true, result: ['hello', 5] },
    ]);
  });

  it('sends a notification, which the gateway hands on without answering', async () => {
    await expect(client.notify('calc.update', [1, 2])).resolves.toBeUndefined();
  });

  it('calls with a known key as its owner and refuses an unknown key with UNAUTHENTICATED', async () => {
    await expect(createClient({ url, key: KEY }).call('echo.caller')).resolves.toEqual({ identity: 'alice', roles: ['artist'] });
    const err = await failure(createClient({ url, key: 'not-a-key' }).call('calc.getData'));
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', rpcCode: -32003 });
    expect(err.message).toContain('is not known to this gateway');
  });

  it('names an unknown method', async () => {
    expect(await failure(client.call('calc.nope'))).toMatchObject({ code: 'METHOD_NOT_FOUND', message: 'service "calc" has no method "nope"' });
  });

  it('names the HTTP status when the URL is not a gateway', async () => {
    const err = await failure(createClient({ url: `${url}/nowhere` }).call('calc.getData'));
    expect(err).toMatchObject({ code: 'INTERNAL', httpStatus: 404 });
    expect(err.message).toContain(`POST ${url}/nowhere/rpc answered calc.getData with HTTP 404`);
  });

  it('works over a fetch built on fastify.inject, as the console mounted in a gateway uses it', async () => {
    const injected: typeof fetch = async (input, init) => {
      const res = await node.app.inject({ method: 'POST', url: new URL(String(input)).pathname, headers: init?.headers as Record<string, string>, payload: init?.body as string });
      return new Response(res.statusCode === 204 ? null : res.body, { status: res.statusCode, headers: res.headers as Record<string, string> });
    };
    const inProcess = createClient({ url: 'http://gateway.internal', fetch: injected });
    await expect(inProcess.service<typeof calcService>('calc').subtract({ minuend: 5, subtrahend: 3 })).resolves.toBe(2);
    await expect(inProcess.notify('calc.update', [1])).resolves.toBeUndefined();
  });
});

describe('the client without a gateway', () => {
  it('fails with UNAVAILABLE naming the URL and the cause', async () => {
    // A port that was free a moment ago (port 9 will not do: fetch refuses it as a "bad port" without connecting).
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const err = await failure(createClient({ url: `http://127.0.0.1:${port}` }).call('calc.getData'));
    expect(err).toMatchObject({ code: 'UNAVAILABLE', httpStatus: undefined });
    expect(err.message).toMatch(new RegExp(`^cannot reach the gateway at http://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port};`));
  });
});
