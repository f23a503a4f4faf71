import { type CallReply, type CallRequest, type Handler, newRequestId } from '@junction/core';

/** How the suite reaches one transport: serve a handler on its server side, call through its client side. */
export interface ConformanceHarness {
  /** Serves `service` with `handler` and returns the client side's `call`. Each case uses a new service name. */
  serve(service: string, handler: Handler): Promise<Handler>;
  /** Releases everything the harness made. */
  close(): Promise<void>;
}

let n = 0;
const uniqueService = () => `conf${process.pid}x${++n}`;

function request(service: string, method: string, args: CallRequest['args'], timeoutMs = 5000): CallRequest {
  return { id: newRequestId(), service, method, args, meta: { deadline: Date.now() + timeoutMs, attempt: 1, caller: { identity: 'tester', roles: ['r'] } } };
}

const echoHandler: Handler = async (req) => ({ id: req.id, result: { method: req.method, args: req.args, caller: req.meta.caller } });

/**
 * The one suite every transport passes (memory, amqp, and every later one): the same cases, so
 * that configuration can swap transports without a service noticing.
 */
export function describeTransportConformance(name: string, makeHarness: () => Promise<ConformanceHarness>): void {
  describe(`transport conformance: ${name}`, () => {
    let harness: ConformanceHarness;
    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(() => harness.close());

    it('carries a request and its reply, with args and caller intact', async () => {
      const service = uniqueService();
      const call = await harness.serve(service, echoHandler);
      const req = request(service, 'echo', { a: 1, nested: { list: [1, 'two', null, true] } });
      const reply = await call(req);
      expect(reply).toEqual({ id: req.id, result: { method: 'echo', args: req.args, caller: { identity: 'tester', roles: ['r'] } } });
    });

    it('carries positional args as an array', async () => {
      const service = uniqueService();
      const call = await harness.serve(service, echoHandler);
      const reply = await call(request(service, 'echo', [42, 23]));
      expect((reply.result as { args: unknown }).args).toEqual([42, 23]);
    });

    it('carries an error reply as typed data', async () => {
      const service = uniqueService();
      const call = await harness.serve(service, async (req) => ({ id: req.id, error: { code: 'SERVICE_ERROR', message: 'no such shot', data: { reason: 'NOT_FOUND' }, retryable: false } }));
      const req = request(service, 'get', {});
      await expect(call(req)).resolves.toEqual({ id: req.id, error: { code: 'SERVICE_ERROR', message: 'no such shot', data: { reason: 'NOT_FOUND' }, retryable: false } });
    });

    it('answers with an error, not a crash, when a reply cannot be serialized', async () => {
      const service = uniqueService();
      const call = await harness.serve(service, async (req) => ({ id: req.id, result: { big: BigInt(1) } }));
      const reply = await call(request(service, 'm', {}));
      expect(reply.error?.code).toBe('INTERNAL');
    });

    it('answers TIMEOUT by the deadline when the server does not reply', async () => {
      const service = uniqueService();
      const call = await harness.serve(service, () => new Promise<CallReply>(() => undefined));
      const started = Date.now();
      const reply = await call(request(service, 'hang', {}, 300));
      expect(reply.error?.code).toBe('TIMEOUT');
      expect(Date.now() - started).toBeLessThan(300 + 1000);
    });

    it('carries a 1 MiB payload both ways', async () => {
      const service = uniqueService();
      const call = await harness.serve(service, async (req) => ({ id: req.id, result: (req.args as { blob: string }).blob.split('').reverse().join('') }));
      const blob = 'abcdefghijklmnop'.repeat(65536);
      const reply = await call(request(service, 'reverse', { blob }, 20_000));
      expect(reply.result).toBe(blob.split('').reverse().join(''));
    });

    it('carries unicode unchanged', async () => {
      const service = uniqueService();
      const call = await harness.serve(service, echoHandler);
      const text = 'shot «sh0010» — 日本語 🎬 עברית e\u0301 \u2028\u2029 \u0000 \ud83d\ude00';
      const reply = await call(request(service, 'echo', { text }));
      expect((reply.result as { args: { text: string } }).args.text).toBe(text);
    });

    it('keeps 1,000 calls in flight and matches every reply to its request', async () => {
      const service = uniqueService();
      const call = await harness.serve(service, async (req) => {
        await new Promise((r) => setTimeout(r, Math.random() * 20));
        return { id: req.id, result: (req.args as { i: number }).i * 2 };
      });
      const replies = await Promise.all(Array.from({ length: 1000 }, (_, i) => call(request(service, 'double', { i }, 30_000))));
      expect(replies.map((r) => r.result)).toEqual(Array.from({ length: 1000 }, (_, i) => i * 2));
    });
  });
}
