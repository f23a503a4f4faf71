import { type CallRequest } from '../envelope';
import { silentLogger } from '../logging';
import { type Handler } from './proxy';
import { compileChain } from './registry';

const req = (service: string, meta: CallRequest['meta'] = {}): CallRequest => ({ id: '1', service, method: service === 'render' ? 'probe' : 'm', args: {}, meta });

function recorder(name: string, seen: string[]): { call: Handler } {
  return { call: async (r) => { seen.push(`${name}:${r.service}`); return { id: r.id, result: name }; } };
}

describe('compileChain', () => {
  const log = silentLogger();

  it('routes each service to its terminal and every other to "*"', async () => {
    const seen: string[] = [];
    const transports = new Map([['a', recorder('a', seen)], ['b', recorder('b', seen)]]);
    const chain = compileChain([{ type: 'route', routes: { render: { type: 'remote', transport: 'b' }, '*': { type: 'remote', transport: 'a' } } }], { transports, log });
    await chain(req('render'));
    await chain(req('calc'));
    expect(seen).toEqual(['b:render', 'a:calc']);
  });

  it('answers METHOD_NOT_FOUND for a service no route takes', async () => {
    const chain = compileChain([{ type: 'route', routes: { calc: { type: 'remote', transport: 'a' } } }], { transports: new Map([['a', recorder('a', [])]]), log });
    await expect(chain(req('shots'))).resolves.toMatchObject({ error: { code: 'METHOD_NOT_FOUND', message: 'no service named "shots"' } });
  });

  it('wraps the terminal in the links before it, in order', async () => {
    const seen: CallRequest[] = [];
    // system.describe (the timeout link asks for the method's own timeoutMs) answers no services, nor management.nodes.
    const transports = new Map([['a', { call: async (r: CallRequest) => { if (r.service === 'x') seen.push(r); return { id: r.id, result: r.service === 'x' ? null : [] }; } }]]);
    const chain = compileChain([{ type: 'deadline', defaultMs: 1000, maxMs: 5000 }, { type: 'remote', transport: 'a' }], { transports, log });
    const before = Date.now();
    await chain(req('x'));
    await chain(req('x', { deadline: before + 60_000 }));
    expect(seen[0].meta.deadline).toBeGreaterThanOrEqual(before + 1000);
    expect(seen[0].meta.deadline).toBeLessThan(before + 2000);
    expect(seen[1].meta.deadline).toBeLessThanOrEqual(Date.now() + 5000);
  });

  it('refuses a chain that does not end in a terminal, or has a terminal before the end', () => {
    const deps = { transports: new Map([['a', recorder('a', [])]]), log };
    expect(() => compileChain([{ type: 'deadline', defaultMs: 1 }], deps)).toThrow('proxy "deadline" is a link, not a terminal');
    expect(() => compileChain([{ type: 'remote', transport: 'a' }, { type: 'remote', transport: 'a' }], deps)).toThrow('proxy "remote" is a terminal and can only stand last in a chain (it stands at 1 of 2)');
    expect(() => compileChain([], deps)).toThrow('a proxy chain needs at least a terminal');
  });

  it('names an unknown transport and the configured ones', () => {
    expect(() => compileChain([{ type: 'remote', transport: 'rabbit' }], { transports: new Map([['mem', recorder('m', [])]]), log })).toThrow(
      'proxy "remote" names transport "rabbit", which is not configured; configured: mem',
    );
  });

  it('needs a provider for the local terminal', () => {
    expect(() => compileChain([{ type: 'local' }], { transports: new Map(), log })).toThrow('proxy "local" needs a provider in this process');
  });

  it('routes by service.method before service, and service before "*"', async () => {
    const seen: string[] = [];
    const transports = new Map([['a', recorder('a', seen)], ['b', recorder('b', seen)], ['c', recorder('c', seen)]]);
    const routes = { 'render.thumbnail': { type: 'remote' as const, transport: 'c' }, render: { type: 'remote' as const, transport: 'b' }, '*': { type: 'remote' as const, transport: 'a' } };
    const chain = compileChain([{ type: 'route', routes }], { transports, log });
    await chain({ ...req('render'), method: 'thumbnail' });
    await chain(req('render'));
    await chain(req('calc'));
    expect(seen).toEqual(['c:render', 'b:render', 'a:calc']);
  });

  it('refuses a route key that names no service', () => {
    expect(() => compileChain([{ type: 'route', routes: { 'render farm': { type: 'local' } } }], { transports: new Map(), log })).toThrow(
      'proxy "route": the route "render farm" names no service; a route is keyed by a service ("render"), a method ("render.thumbnail") or "*" for every other',
    );
  });

  it('routes to a balanced group of terminals', async () => {
    const seen: string[] = [];
    const transports = new Map([['w1', recorder('w1', seen)], ['w2', recorder('w2', seen)]]);
    const targets = [{ type: 'remote' as const, transport: 'w1' }, { type: 'remote' as const, transport: 'w2' }];
    const chain = compileChain([{ type: 'route', routes: { '*': { type: 'balance', strategy: 'round-robin', downMs: 1000, targets } } }], { transports, log });
    for (let i = 0; i < 4; i++) await chain(req('render'));
    expect(seen).toEqual(['w1:render', 'w2:render', 'w1:render', 'w2:render']);
  });
});

describe('a compiled chain of links', () => {
  const log = silentLogger();
  const idempotent = { name: 'probe', description: '', params: [], result: {}, examples: [], idempotent: true, safe: false, sensitive: false, variadic: false, cache: { ttlMs: 60_000 } };
  const services = [{ name: 'render', version: '1.0.0', description: '', methods: [idempotent] }];

  function cluster() {
    const seen: CallRequest[] = [];
    let failures = 2;
    const call = async (r: CallRequest) => {
      seen.push(r);
      if (r.service === 'system') return { id: r.id, result: services };
      if (r.service === 'management') return { id: r.id, result: [{ name: 'w1', services: ['render'] }] };
      if (failures-- > 0) return { id: r.id, error: { code: 'UNAVAILABLE' as const, message: 'no worker' } };
      return { id: r.id, result: { attempt: r.meta.attempt } };
    };
    return { seen, transports: new Map([['rabbit', { call }]]) };
  }

  const chainConfig = [
    { type: 'timeout' as const, defaultMs: 10_000 },
    { type: 'retry' as const, attempts: 3, baseMs: 1, maxBackoffMs: 1 },
    { type: 'circuit-breaker' as const, windowMs: 10_000, minCalls: 20, failureRatio: 0.5, openMs: 1000, halfOpenProbes: 1 },
    { type: 'cache' as const, backend: { type: 'memory' as const, maxEntries: 10, maxBytes: 10_000 } },
    { type: 'route' as const, routes: { '*': { type: 'remote' as const, transport: 'rabbit' } } },
  ];

  it('learns flags through its terminal alone: describe is neither retried, cached nor counted by the breaker', async () => {
    const { seen, transports } = cluster();
    const chain = compileChain(chainConfig, { transports, log });
    await expect(chain(req('render', {}))).resolves.toEqual({ id: '1', result: { attempt: 3 } });
    await expect(chain(req('render', {}))).resolves.toEqual({ id: '1', result: { attempt: 3 } });
    expect(seen.map((r) => `${r.service}.${r.method}#${r.meta.attempt}`)).toEqual(['system.describe#1', 'management.nodes#1', 'render.probe#1', 'render.probe#2', 'render.probe#3']);
    // In this order (the issue's) each try passes the cache, and the hit passes the breaker: the
    // built-in order (cache before retry) would count one miss and three breaker calls.
    expect(chain.status()).toEqual([
      { type: 'cache', backend: 'memory', available: true, hits: 1, misses: 3, shared: 0, entries: 1, bytes: expect.any(Number) },
      { type: 'circuit-breaker', circuits: [{ key: 'render@remote:rabbit', state: 'closed', calls: 4, failures: 2 }] },
    ]);
    await chain.close();
  });

  it('calls system.* without asking describe about them', async () => {
    const { seen, transports } = cluster();
    const chain = compileChain(chainConfig, { transports, log });
    await chain({ ...req('system'), method: 'health' });
    expect(seen.map((r) => `${r.service}.${r.method}`)).toEqual(['system.health']);
  });

  it('warns, once at compile time, about links out of the built-in order', () => {
    const warnings: string[] = [];
    const spy = Object.assign(Object.create(log) as typeof log, { warn: (msg: string) => warnings.push(msg) });
    compileChain(chainConfig, { transports: cluster().transports, log: spy });
    expect(warnings).toEqual([expect.stringMatching(/^chain\[3\]: "cache" stands after "retry", "circuit-breaker"; the built-in order is access, timeout, cache, retry, circuit-breaker, route/)]);
  });

  it('names an unknown proxy and the known ones', () => {
    expect(() => compileChain([{ type: 'nope' } as never, { type: 'local' }], { transports: new Map(), log })).toThrow('unknown proxy "nope"; known: local, remote, balance, route, timeout, deadline, retry, circuit-breaker, cache, access');
  });
});
