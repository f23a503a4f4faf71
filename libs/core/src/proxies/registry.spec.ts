import { type CallRequest } from '../envelope';
import { silentLogger } from '../logging';
import { type Handler } from './proxy';
import { compileChain } from './registry';

const req = (service: string, meta: CallRequest['meta'] = {}): CallRequest => ({ id: '1', service, method: 'm', args: {}, meta });

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
    const transports = new Map([['a', { call: async (r: CallRequest) => { seen.push(r); return { id: r.id, result: null }; } }]]);
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
});
