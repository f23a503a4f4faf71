import { Writable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { parseConfig } from '../config';
import { type CallReply, type CallRequest, newRequestId, newSpanId, newTraceId } from '../envelope';
import { createLogger, silentLogger } from '../logging';
import { Provider } from '../provider/provider';
import { compileChain } from '../proxies';
import { ServiceError } from '../errors';
import { defineService, method } from '../service';
import { connectTracer } from './connect';
import { type Span } from './span';
import { SpanStore, type SpanNode } from './store';
import { createTracingService } from './tracing-service';
import { createSystemService } from '../system';
import { Tracer } from './tracer';

const config = (extra = '') => parseConfig(`tracing:\n  enabled: true\n  flushIntervalMs: 60000\n${extra}`, 'test.yaml').tracing;

const back = defineService({
  name: 'back',
  version: '1.0.0',
  description: 'Called by front.',
  methods: {
    echo: method({ description: 'Its text.', idempotent: true, cache: { ttlMs: 60_000 }, params: { text: Type.String() }, result: Type.String(), handler: ({ text }) => text }),
  },
});

const front = defineService({
  name: 'front',
  version: '1.0.0',
  description: 'Calls back.',
  methods: {
    login: method({
      description: 'Logs its args, then calls back.echo twice (the second a cache hit).',
      sensitive: ['pin'],
      params: { user: Type.String(), pin: Type.String(), password: Type.Optional(Type.String()) },
      result: Type.String(),
      handler: async (args, ctx) => {
        ctx.log.info({ args }, 'logging in');
        await ctx.call('back.echo', { text: args.user });
        return ctx.call<string>('back.echo', { text: args.user });
      },
    }),
    secret: method({ description: 'Every param sensitive.', sensitive: true, params: { key: Type.String() }, result: Type.Null(), handler: () => null }),
    unlock: method({
      description: 'Refuses, quoting its sensitive pin (a nested one too) in the error message.',
      sensitive: ['pin'],
      params: { user: Type.String(), pin: Type.Object({ code: Type.String() }) },
      result: Type.Null(),
      handler: ({ user, pin }) => {
        throw new ServiceError('BAD_PIN', `pin ${pin.code} is wrong for ${user}`);
      },
    }),
    crash: method({
      description: 'Fails unexpectedly, quoting the always-redacted password.',
      params: { user: Type.String(), password: Type.String() },
      result: Type.Null(),
      handler: ({ user, password }) => {
        throw new Error(`cannot log ${user} in with ${password}`);
      },
    }),
  },
});

/** A node of one process; `own`: its tracer hands spans straight to its store, as a worker hosting `tracing` does. */
function host(tracingYaml = '', own = false) {
  const lines: string[] = [];
  const log = createLogger({ level: 'info', destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }) });
  const provider = new Provider({ log });
  const store = new SpanStore({ ringSize: 1000, log });
  const tracer = new Tracer(config(tracingYaml), { node: 'n1', log: silentLogger() });
  provider.register(back).register(front).register(createTracingService(store, tracer)).register(createSystemService({ node: 'n1', provider }));
  provider.observe(tracer.observer, { trace: true });
  const chain = compileChain([{ type: 'cache', backend: { type: 'memory', maxEntries: 100, maxBytes: 100_000 } }, { type: 'route', routes: { '*': { type: 'local' } } }], { provider, transports: new Map(), log: silentLogger(), tracer });
  provider.connect(chain);
  const stop = connectTracer(tracer, { chain, config: config(tracingYaml), node: 'n1', ...(own ? { local: store } : {}) });
  const call = (service: string, m: string, args: CallRequest['args'], traceparent?: string): Promise<CallReply> =>
    chain({ id: newRequestId(), service, method: m, args, meta: { traceparent, deadline: Date.now() + 5000, attempt: 1 } });
  // Observers run after the reply (setImmediate): wait for them, then ship.
  const flush = async () => {
    await new Promise((r) => setImmediate(r));
    await tracer.flush();
  };
  return { provider, tracer, store, call, flush, lines, stop };
}

const flat = (nodes: SpanNode[]): SpanNode[] => nodes.flatMap((n) => [n, ...flat(n.children)]);

describe('tracing in one process', () => {
  it('records provider, handler and cache spans of nested calls as one tree, with args and durations', async () => {
    const h = host();
    const traceId = newTraceId();
    const client = newSpanId();
    const reply = await h.call('front', 'login', ['ada', '1234'], `00-${traceId}-${client}-01`);
    expect(reply.result).toBe('ada');
    await h.flush();
    const got = await h.call('tracing', 'get', { traceId });
    const tree = got.result as { spans: number; roots: SpanNode[] };
    // 1. The root is front.login's provider span, child of the client's span. (Beside it: the
    // cache's first system.describe lookup, made for this call, under the same parent.)
    expect(tree.roots.map((r) => r.name).sort()).toEqual(['front.login', 'system.describe']);
    const root = tree.roots.find((r) => r.name === 'front.login')!;
    expect(root).toMatchObject({ kind: 'provider', name: 'front.login', parentSpanId: client, node: 'n1', args: { user: 'ada', pin: '[redacted]' } });
    // 2. Its handler span holds both ctx.calls: a cache miss that reached back.echo, then a hit.
    const [handler] = root.children;
    expect(handler).toMatchObject({ kind: 'handler', name: 'front.login' });
    expect(handler.children.map((c) => c.name)).toEqual(['cache miss', 'cache hit']);
    expect(handler.children[0].children[0]).toMatchObject({ kind: 'provider', name: 'back.echo', args: { text: 'ada' } });
    expect(handler.children[1].children).toEqual([]);
    for (const s of flat(tree.roots)) {
      expect(s.traceId).toBe(traceId);
      expect(s.durationMs).toBeGreaterThanOrEqual(0);
      expect(s.start).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(root.durationMs).toBeGreaterThanOrEqual(handler.durationMs);
    await h.stop();
  });

  it('stores the same trace whether its spans go through tracing.record or straight into its own store', async () => {
    const shape = async (own: boolean) => {
      const h = host('', own);
      const traceId = newTraceId();
      await h.call('front', 'login', ['ada', '1234'], `00-${traceId}-${newSpanId()}-01`);
      await h.call('front', 'unlock', { user: 'ada', pin: { code: '98765' } }, `00-${traceId}-${newSpanId()}-01`);
      await h.flush();
      const spans = await h.store.trace(traceId);
      const byId = new Map(spans.map((s) => [s.spanId, `${s.kind} ${s.name}`]));
      await h.stop();
      // Ids differ from run to run; what each span is, and which is whose parent, may not.
      return spans
        .map((s) => ({ kind: s.kind, name: s.name, error: s.error, args: s.args, attrs: s.attrs, parent: s.parentSpanId === undefined ? undefined : (byId.get(s.parentSpanId) ?? 'outside') }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    };
    const own = await shape(true);
    expect(own.filter((s) => s.kind === 'handler').map((s) => s.name)).toEqual(expect.arrayContaining(['front.login', 'back.echo', 'front.unlock']));
    expect(own).toContainEqual(expect.objectContaining({ kind: 'provider', name: 'front.unlock', error: 'SERVICE_ERROR', args: { user: 'ada', pin: '[redacted]' } }));
    expect(JSON.stringify(own)).not.toContain('98765');
    expect(own).toEqual(await shape(false));
  });

  it('never stores or logs a sensitive param, named or positional, nor the always-redacted ones', async () => {
    const h = host();
    const traceId = newTraceId();
    await h.call('front', 'login', { user: 'bob', pin: '9876-SECRET', password: 'hunter2-SECRET' }, `00-${traceId}-${newSpanId()}-01`);
    await h.call('front', 'secret', ['KEY-SECRET'], `00-${traceId}-${newSpanId()}-01`);
    // A handler that quotes a sensitive param in its error: the caller gets the message (it sent
    // the value), the span and the log line do not.
    const refused = await h.call('front', 'unlock', { user: 'bob', pin: { code: '5555-SECRET' } }, `00-${traceId}-${newSpanId()}-01`);
    expect(refused.error?.message).toBe('pin 5555-SECRET is wrong for bob');
    const crashed = await h.call('front', 'crash', ['bob', 'pw-SECRET'], `00-${traceId}-${newSpanId()}-01`);
    expect(crashed.error?.code).toBe('INTERNAL');
    await h.flush();
    const stored = JSON.stringify((await h.call('tracing', 'get', { traceId })).result);
    expect(stored).toContain('bob');
    expect(stored).toContain('pin [redacted] is wrong for bob');
    expect(stored).not.toContain('SECRET');
    const logged = h.lines.join('');
    expect(logged).toContain('logging in');
    expect(logged).toContain('bob');
    expect(logged).toContain('cannot log bob in with [redacted]');
    expect(logged).not.toContain('SECRET');
    await h.stop();
  });

  it('answers recent and slowest with provider spans, filtered', async () => {
    const h = host();
    for (const user of ['a', 'b', 'c']) await h.call('front', 'login', [user, '0'], `00-${newTraceId()}-${newSpanId()}-01`);
    await h.call('back', 'echo', {}, `00-${newTraceId()}-${newSpanId()}-01`); // INVALID_PARAMS
    await h.flush();
    const recent = (await h.call('tracing', 'recent', { service: 'front' })).result as Span[];
    expect(recent.map((s) => s.args)).toEqual([{ user: 'c', pin: '[redacted]' }, { user: 'b', pin: '[redacted]' }, { user: 'a', pin: '[redacted]' }]);
    const failed = (await h.call('tracing', 'recent', { error: true })).result as Span[];
    expect(failed.map((s) => [s.name, s.error])).toEqual([['back.echo', 'INVALID_PARAMS']]);
    const slowest = (await h.call('tracing', 'slowest', { limit: 2 })).result as Span[];
    expect(slowest).toHaveLength(2);
    expect(slowest[0].durationMs).toBeGreaterThanOrEqual(slowest[1].durationMs);
    await h.stop();
  });

  it('records nothing for a trace whose root was not sampled, nor for calls to the tracing service', async () => {
    const h = host();
    const traceId = newTraceId();
    await h.call('front', 'login', ['x', '0'], `00-${traceId}-${newSpanId()}-00`);
    await h.call('tracing', 'recent', {}, `00-${traceId}-${newSpanId()}-01`);
    await h.flush();
    expect(h.tracer.stats()).toMatchObject({ buffered: 0, shipped: 0 });
    expect((await h.call('tracing', 'get', { traceId })).result).toMatchObject({ spans: 0 });
    await h.stop();
  });

  it('samples new traces at the configured rate, per service', () => {
    const t = new Tracer(config('  sampleRate: 0\n  services:\n    render: { sampleRate: 1 }\n'), { node: 'n', log: silentLogger() });
    expect(t.rootTraceparent('calc')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(t.rootTraceparent('render')).toMatch(/-01$/);
    const half = new Tracer(config('  sampleRate: 0.5\n'), { node: 'n', log: silentLogger(), random: () => 0.7 });
    expect(half.sampleRoot('calc')).toBe(false);
  });

  it('drops and counts spans past its buffer, and refuses tracing.record from anyone but a node', async () => {
    const h = host('  bufferSize: 2\n');
    await h.call('front', 'login', ['x', '0'], `00-${newTraceId()}-${newSpanId()}-01`);
    await new Promise((r) => setImmediate(r));
    expect(h.tracer.stats()).toMatchObject({ buffered: 2 });
    expect(h.tracer.stats().dropped).toBeGreaterThan(0);
    await h.flush();
    const status = (await h.call('tracing', 'status', {})).result as { ring: { spans: number } };
    expect(status.ring.spans).toBe(2);
    const forged = await h.call('tracing', 'record', { spans: [] });
    expect(forged.error?.code).toBe('UNAUTHENTICATED');
    await h.stop();
  });
});
