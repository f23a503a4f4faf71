import { browser, KEYS, type Platform, signIn, startPlatform } from '../testing/platform';
import { healthOf, search } from './services';

jest.setTimeout(30_000);

/** The rows of the services table as the page shows them without its script: visible or hidden, with their visible methods. */
function rows(html: string) {
  return [...html.matchAll(/<tr data-service="([^"]+)"[^>]*?( hidden)?>([\s\S]*?)<\/tr>/g)].map(([, name, hidden, cells]) => ({
    name,
    hidden: hidden !== undefined,
    methods: [...cells.matchAll(/<a class="chip"[^>]*?>([^<]+)<\/a>/g)].filter((m) => !m[0].includes(' hidden')).map((m) => m[1]),
    nodes: [...cells.matchAll(/<span class="node"[^>]*>([^<]+)<\/span>/g)].map((m) => m[1]),
    health: /class="health health-([a-z]+)"/.exec(cells)?.[1],
  }));
}

describe('the services page', () => {
  let p: Platform;
  let cookie: string;

  beforeAll(async () => {
    p = await startPlatform();
    cookie = await signIn(p.gateway, KEYS.developer);
  });
  afterAll(async () => {
    await p?.close();
  });

  it('lists every service with its version, methods, the node hosting it and its health', async () => {
    const res = await p.gateway.inject({ url: '/console/services', headers: browser(cookie) });
    expect(res.statusCode).toBe(200);
    const all = rows(res.body);
    expect(all.map((r) => r.name)).toEqual(['calc', 'dailies', 'logging', 'management', 'render', 'shots', 'system', 'tracing', 'validator1']);
    expect(all.every((r) => !r.hidden)).toBe(true);
    const shots = all.find((r) => r.name === 'shots')!;
    expect(shots.methods).toEqual(expect.arrayContaining(['create', 'list', 'setStatus']));
    expect(shots.nodes).toEqual(['console-test']);
    expect(shots.health).toBe('ok');
    expect(res.body).toMatch(/<strong>shots<\/strong><\/a> <span class="version">v\d+\.\d+\.\d+<\/span>/);
  });

  it('redirects the console root to the services', async () => {
    const res = await p.gateway.inject({ url: '/console/', headers: browser(cookie) });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/console/services');
  });

  it('filters with ?q= without a script: a service by name, or only the matching methods of others', async () => {
    const shots = rows((await p.gateway.inject({ url: '/console/services?q=shots', headers: browser(cookie) })).body).filter((r) => !r.hidden);
    // shots by its name; dailies by its description ("a client of shots").
    expect(shots.map((r) => r.name)).toEqual(expect.arrayContaining(['shots']));
    expect(shots.find((r) => r.name === 'shots')!.methods).toContain('create');
    const subtract = rows((await p.gateway.inject({ url: '/console/services?q=subtract', headers: browser(cookie) })).body).filter((r) => !r.hidden);
    expect(subtract).toEqual([expect.objectContaining({ name: 'calc', methods: ['subtract'] })]);
    const none = await p.gateway.inject({ url: '/console/services?q=zzzz', headers: browser(cookie) });
    expect(rows(none.body).every((r) => r.hidden)).toBe(true);
    expect(none.body).toContain('No service or method matches <strong data-query>zzzz</strong>.');
  });

  it('escapes the query it shows', async () => {
    const res = await p.gateway.inject({ url: `/console/services?q=${encodeURIComponent('<script>x</script>')}`, headers: browser(cookie) });
    expect(res.body).not.toContain('<script>x</script>');
    expect(res.body).toContain('&lt;script&gt;x&lt;/script&gt;');
  });
});

describe('search', () => {
  const services = [
    { name: 'calc', version: '1', description: 'Arithmetic', methods: [{ name: 'subtract', description: 'Minuend less subtrahend' }, { name: 'sum', description: 'Adds' }] },
    { name: 'shots', version: '1', description: 'Shots of a project', methods: [{ name: 'create', description: 'Creates a shot' }] },
  ] as unknown as Parameters<typeof search>[0];

  it('finds services by name or description, with all their methods', () => {
    expect(search(services, 'ARITH').map((r) => [r.service.name, r.methods.length, r.byMethod])).toEqual([['calc', 2, false]]);
  });

  it('finds methods by name, service.method or description, with only those', () => {
    expect(search(services, 'calc.sum').map((r) => [r.service.name, r.methods.map((m) => m.name)])).toEqual([['calc', ['sum']]]);
    expect(search(services, 'creates').map((r) => r.service.name)).toEqual(['shots']);
  });

  it('finds everything for an empty query', () => {
    expect(search(services, '  ')).toHaveLength(2);
  });
});

describe('healthOf', () => {
  const node = { id: 'n@h:1', name: 'n', role: 'all', host: 'h', pid: 1, version: '1', services: ['calc'], uptimeMs: 1, inFlight: 0, lastHeardMs: 0 };
  const queue = (over: object) => ({ name: 'provider queue of calc', inFlight: 0, waiting: 0, maxInFlight: 4, maxWaiting: 10, accepted: 1, rejected: 0, completed: 1, expired: 0, waitMsTotal: 0, waitMsMax: 0, ...over });
  const health = (q: object) => ({ status: 'ok', node: 'n', uptimeMs: 1, services: ['calc'], queues: [queue(q)] });

  it('tells ok, busy, refusing and unhosted apart', () => {
    expect(healthOf('calc', [node], health({})).state).toBe('ok');
    expect(healthOf('calc', [node], health({ waiting: 3 })).state).toBe('busy');
    expect(healthOf('calc', [node], health({ rejected: 2 })).state).toBe('refusing');
    expect(healthOf('shots', [node], health({})).state).toBe('unhosted');
    expect(healthOf('calc', undefined, undefined).state).toBe('unknown');
  });
});
