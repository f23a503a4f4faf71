import { Writable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { type CallReply, type CallRequest } from '../envelope';
import { createLogger } from '../logging';
import { ServiceError } from '../errors';
import { defineService, method } from '../service';
import { Provider } from './provider';

const echo = defineService({
  name: 'echo',
  version: '1.0.0',
  description: 'Test service.',
  methods: {
    say: method({
      description: 'Returns its text.',
      params: { text: Type.String(), times: Type.Optional(Type.Integer({ minimum: 1, default: 1 })) },
      result: Type.String(),
      handler: ({ text, times }) => text.repeat(times ?? 1),
    }),
    boom: method({ description: 'Throws a plain Error.', params: {}, result: Type.Null(), handler: () => { throw new Error('secret detail'); } }),
    refuse: method({ description: 'Throws a ServiceError.', params: {}, result: Type.Null(), handler: () => { throw new ServiceError('NOPE', 'refused on purpose', { why: 'test' }); } }),
    slow: method({
      description: 'Waits until aborted.',
      timeoutMs: 50,
      params: {},
      result: Type.String(),
      handler: (_a, ctx) => new Promise<string>((resolve) => ctx.signal.addEventListener('abort', () => resolve('too late'))),
    }),
    wrongShape: method({ description: 'Breaks its own result schema.', params: {}, result: Type.Number(), handler: () => 'not a number' as unknown as number }),
    guarded: method({ description: 'Supervisors only.', access: ['supervisor'], params: {}, result: Type.String(), handler: (_a, ctx) => ctx.caller.identity }),
    whoami: method({ description: 'Caller and trace.', params: {}, result: Type.Unknown(), handler: (_a, ctx) => ({ caller: ctx.caller, traceId: ctx.trace.traceId }) }),
    relay: method({
      description: 'Calls echo.say through ctx.call.',
      params: { text: Type.String() },
      result: Type.String(),
      handler: ({ text }, ctx) => ctx.call<string>('echo.say', { text }),
    }),
  },
});

let seq = 0;
function req(target: string, args: CallRequest['args'] = {}, meta: CallRequest['meta'] = {}): CallRequest {
  const [service, m] = target.split('.');
  return { id: `r${++seq}`, service, method: m, args, meta };
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  return { lines, log: createLogger({ destination: stream, level: 'debug' }) };
}

describe('Provider', () => {
  const { lines, log } = capture();
  const provider = new Provider({ log });
  provider.register(echo);
  provider.connect((r) => provider.handle(r));
  afterAll(() => provider.close());

  const ok = async (r: CallRequest) => {
    const reply: CallReply = await provider.handle(r);
    expect(reply.error).toBeUndefined();
    return reply.result;
  };
  const fail = async (r: CallRequest) => {
    const reply = await provider.handle(r);
    expect(reply.id).toBe(r.id);
    if (reply.error === undefined) throw new Error(`expected an error, got ${JSON.stringify(reply.result)}`);
    return reply.error;
  };

  it('answers a call by name, applying schema defaults', async () => {
    await expect(ok(req('echo.say', { text: 'ab' }))).resolves.toBe('ab');
    await expect(ok(req('echo.say', { text: 'ab', times: 3 }))).resolves.toBe('ababab');
  });

  it('maps positional args by the declared param order', async () => {
    await expect(ok(req('echo.say', ['x', 2]))).resolves.toBe('xx');
  });

  it('refuses too many positional args, naming the params', async () => {
    const err = await fail(req('echo.say', ['x', 2, 3]));
    expect(err).toMatchObject({ code: 'INVALID_PARAMS', message: 'echo.say takes 2 param(s) (text, times), got 3' });
  });

  it('reports every invalid param with its path and the type found', async () => {
    const err = await fail(req('echo.say', { times: 'two', colour: 'red' }));
    expect(err.code).toBe('INVALID_PARAMS');
    const problems = (err.data as { problems: { path: string; actual: string }[] }).problems;
    expect(problems.map((p) => [p.path, p.actual]).sort()).toEqual([['/colour', 'string'], ['/text', 'missing'], ['/times', 'string']]);
    expect(err.message).toContain('/text is required (got missing)');
    expect(err.message).toContain('params are (text, times)');
  });

  it('answers METHOD_NOT_FOUND for an unknown service or method, naming it', async () => {
    await expect(fail(req('nope.say'))).resolves.toMatchObject({ code: 'METHOD_NOT_FOUND', message: 'no service named "nope"' });
    await expect(fail(req('echo.shout'))).resolves.toMatchObject({ code: 'METHOD_NOT_FOUND', message: 'service "echo" has no method "shout"' });
  });

  it('turns an unexpected throw into INTERNAL without its message or stack, and logs the stack', async () => {
    const err = await fail(req('echo.boom'));
    expect(err.code).toBe('INTERNAL');
    expect(JSON.stringify(err)).not.toContain('secret detail');
    const logged = lines.find((l) => l.msg === 'unexpected error in handler');
    expect(JSON.stringify(logged)).toContain('secret detail');
    expect((logged?.err as { stack?: string }).stack).toContain('provider.spec.ts');
  });

  it('passes a ServiceError through with its reason and data', async () => {
    await expect(fail(req('echo.refuse'))).resolves.toEqual({ code: 'SERVICE_ERROR', message: 'refused on purpose', data: { reason: 'NOPE', why: 'test' }, retryable: false });
  });

  it("answers TIMEOUT at the method's timeoutMs and aborts ctx.signal", async () => {
    const started = Date.now();
    const err = await fail(req('echo.slow'));
    expect(err.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does not run a call whose deadline has already passed', async () => {
    const err = await fail(req('echo.say', { text: 'a' }, { deadline: Date.now() - 1 }));
    expect(err.code).toBe('TIMEOUT');
  });

  it('refuses a result that breaks its schema as INTERNAL', async () => {
    const err = await fail(req('echo.wrongShape'));
    expect(err).toMatchObject({ code: 'INTERNAL', message: 'echo.wrongShape returned a result that does not match its schema: / must be number' });
  });

  it('enforces access: UNAUTHENTICATED without a caller, FORBIDDEN without the role', async () => {
    await expect(fail(req('echo.guarded'))).resolves.toMatchObject({ code: 'UNAUTHENTICATED' });
    const forbidden = await fail(req('echo.guarded', {}, { caller: { identity: 'ann', roles: ['artist'] } }));
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN', message: 'echo.guarded needs one of the roles [supervisor]; "ann" has [artist]' });
    await expect(ok(req('echo.guarded', {}, { caller: { identity: 'sue', roles: ['supervisor'] } }))).resolves.toBe('sue');
  });

  it('gives handlers the caller and a trace continuing the incoming traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const result = await ok(req('echo.whoami', {}, { caller: { identity: 'ann', roles: ['artist'] }, traceparent: `00-${traceId}-00f067aa0ba902b7-01` }));
    expect(result).toEqual({ caller: { identity: 'ann', roles: ['artist'] }, traceId });
  });

  it('routes ctx.call through the connected chain, carrying caller, trace and deadline', async () => {
    const seen: CallRequest[] = [];
    const p = new Provider();
    p.register(echo);
    p.connect((r) => {
      seen.push(r);
      return p.handle(r);
    });
    const deadline = Date.now() + 5000;
    const r = req('echo.relay', { text: 'hi' }, { caller: { identity: 'ann', roles: [] }, deadline, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    const reply = await p.handle(r);
    expect(reply.result).toBe('hi');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ service: 'echo', method: 'say', meta: { caller: { identity: 'ann' }, deadline } });
    expect(seen[0].meta.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(seen[0].meta.traceparent).not.toContain('00f067aa0ba902b7');
    await p.close();
  });

  it('runs a redelivered request only if its method is idempotent', async () => {
    const p = new Provider();
    let runs = 0;
    const counted = defineService({
      name: 'counted', version: '1.0.0', description: 'Counts runs.',
      methods: {
        bump: method({ description: 'Not idempotent.', params: {}, result: Type.Integer(), handler: () => ++runs }),
        peek: method({ description: 'Idempotent.', idempotent: true, params: {}, result: Type.Integer(), handler: () => runs }),
      },
    });
    p.register(counted);
    const refused = await p.handle(req('counted.bump', {}, { redelivered: true }));
    expect(refused.error).toMatchObject({ code: 'UNAVAILABLE', data: { redelivered: true } });
    expect(refused.error?.message).toContain('counted.bump');
    expect(runs).toBe(0);
    await expect(p.handle(req('counted.peek', {}, { redelivered: true }))).resolves.toMatchObject({ result: 0 });
  });

  it('answers OVERLOADED at once when the service queue is full', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = defineService({
      name: 'held', version: '1.0.0', description: 'Blocks.',
      methods: { wait: method({ description: 'Waits for the gate.', params: {}, result: Type.Null(), handler: async () => { await gate; return null; } }) },
    });
    const p = new Provider();
    p.register(held, { concurrency: { type: 'inline', maxInFlight: 1, maxQueue: 1 } });
    const first = p.handle(req('held.wait'));
    const second = p.handle(req('held.wait'));
    const third = await p.handle(req('held.wait'));
    expect(third.error).toMatchObject({ code: 'OVERLOADED', retryable: true });
    release();
    expect((await first).error).toBeUndefined();
    expect((await second).error).toBeUndefined();
  });

  it('rejects a duplicate and a bad definition with every problem listed', () => {
    expect(() => provider.register(echo)).toThrow('service "echo" is already registered with this provider');
    const bad = { name: 'Bad.Name', version: '1', description: '', methods: { x: { handler: 1 } } };
    expect(() => provider.register(bad as never)).toThrow(/name must be lower camel case[\s\S]*version must be semantic[\s\S]*description must be a non-empty string[\s\S]*handler must be a function/);
  });

  it('refuses to register a service whose required infrastructure is not configured', () => {
    const needsDb = defineService({ name: 'needsDb', version: '1.0.0', description: 'x', requires: ['db'], methods: echo.methods });
    expect(() => new Provider().register(needsDb)).toThrow('it requires infrastructure "db", and none is configured (add infrastructure.db to the config)');
  });

  it('throws a clear error when a handler touches infrastructure it did not declare', async () => {
    const sneaky = defineService({
      name: 'sneaky', version: '1.0.0', description: 'x',
      methods: { peek: method({ description: 'x', params: {}, result: Type.Null(), handler: (_a, ctx) => { void ctx.infra.db; return null; } }) },
    });
    const p = new Provider({ debug: true });
    p.register(sneaky);
    const reply = await p.handle(req('sneaky.peek'));
    expect(reply.error).toMatchObject({ code: 'INTERNAL' });
    expect((reply.error?.data as { message: string }).message).toBe("service \"sneaky\" uses ctx.infra.db without declaring it: add requires: ['db'] to its definition");
  });

  it('describes services with params in declared order and no handlers', () => {
    const [d] = provider.describe();
    const say = d.methods.find((m) => m.name === 'say');
    expect(say?.params.map((p) => [p.name, p.required])).toEqual([['text', true], ['times', false]]);
    expect(JSON.stringify(d)).not.toContain('handler');
  });
});

describe('Provider.observe', () => {
  it('tells observers of each answered call after the reply, with its outcome and duration', async () => {
    const provider = new Provider();
    provider.register(
      defineService({
        name: 'obs',
        version: '1.0.0',
        description: 'observed',
        methods: { twice: method({ description: 'x2', params: { n: Type.Number() }, result: Type.Number(), handler: ({ n }) => n * 2 }) },
      }),
    );
    const seen: { outcome: unknown; durationMs: number; startedAt: number }[] = [];
    const stop = provider.observe((e) => seen.push({ outcome: e.reply.error?.code ?? e.reply.result, durationMs: e.durationMs, startedAt: e.startedAt }));
    const reply = await provider.handle({ id: 'a', service: 'obs', method: 'twice', args: { n: 21 }, meta: {} });
    expect(reply).toEqual({ id: 'a', result: 42 });
    // Not yet: observers run after the reply has been handed back.
    expect(seen).toEqual([]);
    await new Promise((r) => setImmediate(r));
    await provider.handle({ id: 'b', service: 'obs', method: 'twice', args: { n: 'x' }, meta: {} });
    await new Promise((r) => setImmediate(r));
    expect(seen.map((s) => s.outcome)).toEqual([42, 'INVALID_PARAMS']);
    expect(seen[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(seen[0].startedAt).toBeLessThanOrEqual(Date.now());
    stop();
    await provider.handle({ id: 'c', service: 'obs', method: 'twice', args: { n: 1 }, meta: {} });
    await new Promise((r) => setImmediate(r));
    expect(seen).toHaveLength(2);
  });
});
