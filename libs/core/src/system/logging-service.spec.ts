import { Writable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { type Bus, createMemoryBus } from '../bus';
import { type Caller, newRequestId } from '../envelope';
import { fromWire, type JunctionError } from '../errors';
import { createLogger } from '../logging';
import { Provider } from '../provider/provider';
import { defineService, method } from '../service';
import { createLoggingService } from './logging-service';
import { createManagementService } from './management-service';
import { Membership, parseHeartbeat } from './membership';
import { silentLogger } from '../logging';
import { CallWindow } from '../metrics';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OPERATOR: Caller = { identity: 'ops', roles: ['operator'] };
const HEARTBEAT_MS = 100;

/** A service whose one method logs a debug and an info line, as a real one would. */
function chatty(name: string) {
  return defineService({
    name,
    version: '1.0.0',
    description: `Logs at debug and info (${name}).`,
    methods: {
      work: method({
        description: 'Logs one debug and one info line.',
        params: {},
        result: Type.Null(),
        handler: (_args, ctx) => {
          ctx.log.debug(`${name} debug`);
          ctx.log.info(`${name} info`);
          return null;
        },
      }),
    },
  });
}

interface TestNode {
  name: string;
  provider: Provider;
  membership: Membership;
  lines: Record<string, unknown>[];
  call<T = unknown>(target: string, args?: Record<string, unknown>, caller?: Caller): Promise<T>;
}

const started: Membership[] = [];
afterEach(async () => {
  for (const m of started.splice(0)) await m.stop();
});

async function node(bus: Bus, name: string, services: string[], window?: CallWindow): Promise<TestNode> {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const log = createLogger({ destination, level: 'info', name });
  const provider = new Provider({ log, node: name });
  for (const s of services) provider.register(chatty(s));
  const membership = new Membership({ bus, node: name, role: 'worker', version: '9.9.9', heartbeatMs: HEARTBEAT_MS, log, provider, queues: () => provider.queues(), ...(window === undefined ? {} : { metrics: () => window.digest() }) });
  provider.register(createLoggingService(membership)).register(createManagementService(membership));
  await membership.start();
  started.push(membership);
  const call = async <T>(target: string, args: Record<string, unknown> = {}, caller?: Caller): Promise<T> => {
    const [service, m] = target.split('.');
    const reply = await provider.handle({ id: newRequestId(), service, method: m, args, meta: { deadline: Date.now() + 5000, caller } });
    if (reply.error !== undefined) throw fromWire(reply.error);
    return reply.result as T;
  };
  return { name, provider, membership, lines, call };
}

const messages = (n: TestNode, level: number) => n.lines.filter((l) => l.level === level).map((l) => l.msg);

describe('logging service', () => {
  it("sets a service's level on every node that hosts it, leaves the others alone, and reverts it after ttlMs", async () => {
    const bus = createMemoryBus();
    const a = await node(bus, 'a', ['shots', 'calc']);
    const b = await node(bus, 'b', ['shots']);
    await sleep(HEARTBEAT_MS * 2); // each has heard the other

    const set = await a.call<{ nodes: string[]; expiresAt: number }>('logging.setLevel', { service: 'shots', level: 'debug', ttlMs: 300 }, OPERATOR);
    expect(set.nodes.sort()).toEqual([a.membership.id, b.membership.id].sort());
    await sleep(20);
    expect(a.provider.logLevels()).toMatchObject({ shots: 'debug', calc: 'info' });
    expect(b.provider.logLevels()).toMatchObject({ shots: 'debug' });
    for (const n of [a, b]) await n.call('shots.work');
    await a.call('calc.work');
    expect(messages(a, 20)).toEqual(['shots debug']);
    expect(messages(b, 20)).toEqual(['shots debug']);

    const levels = await b.call<{ nodes: { id: string; levels: Record<string, string> }[]; overrides: unknown[] }>('logging.getLevels');
    expect(levels.nodes.find((n) => n.id === a.membership.id)?.levels).toMatchObject({ shots: 'debug', calc: 'info' });
    expect(levels.overrides).toEqual([expect.objectContaining({ service: 'shots', level: 'debug', expiresAt: set.expiresAt })]);

    await sleep(350);
    expect(a.provider.logLevels().shots).toBe('info');
    expect(b.provider.logLevels().shots).toBe('info');
    await b.call('shots.work');
    expect(messages(b, 20)).toEqual(['shots debug']);
  });

  it('refuses setLevel to a caller without the operator role, and to an anonymous one', async () => {
    const a = await node(createMemoryBus(), 'a', ['shots']);
    const forbidden = await a.call('logging.setLevel', { service: 'shots', level: 'debug' }, { identity: 'artist', roles: ['artist'] }).catch((e: JunctionError) => e);
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN' });
    const anonymous = await a.call('logging.setLevel', { service: 'shots', level: 'debug' }).catch((e: JunctionError) => e);
    expect(anonymous).toMatchObject({ code: 'UNAUTHENTICATED' });
    await sleep(20);
    expect(a.provider.logLevels().shots).toBe('info');
  });

  it('refuses a service no node hosts, naming those they do, and a level pino does not have', async () => {
    const a = await node(createMemoryBus(), 'a', ['shots']);
    await expect(a.call('logging.setLevel', { service: 'shot', level: 'debug' }, OPERATOR)).rejects.toMatchObject({
      code: 'METHOD_NOT_FOUND',
      message: expect.stringContaining('no node hosts a service named "shot"; the nodes heard from host: logging, management, shots'),
    });
    await expect(a.call('logging.setLevel', { service: 'shots', level: 'verbose' }, OPERATOR)).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
  });

  it('gives a node that starts later the overrides in force, from the heartbeats of the others', async () => {
    const bus = createMemoryBus();
    const a = await node(bus, 'a', ['shots']);
    await a.call('logging.setLevel', { service: 'shots', level: 'trace' }, OPERATOR);
    await sleep(20);
    const late = await node(bus, 'late', ['shots']);
    expect(late.provider.logLevels().shots).toBe('info');
    await sleep(HEARTBEAT_MS * 2);
    expect(late.provider.logLevels().shots).toBe('trace');
  });
});

describe('membership', () => {
  it('answers a node it hears for the first time at once: a newcomer learns the others without waiting an interval', async () => {
    const bus = createMemoryBus();
    const make = (name: string) => new Membership({ bus, node: name, role: 'worker', version: '1', heartbeatMs: 60_000, log: silentLogger() });
    const [first, late] = [make('first'), make('late')];
    started.push(first, late);
    await first.start();
    await sleep(20); // first's own heartbeat has gone by, unheard by late
    await late.start();
    await sleep(20);
    expect(late.nodes().map((n) => n.name)).toEqual(['first', 'late']);
    expect(first.nodes().map((n) => n.name)).toEqual(['first', 'late']);
  });
});

describe('management service', () => {
  it('lists the nodes heard from within three heartbeats, with what they announce', async () => {
    const bus = createMemoryBus();
    const a = await node(bus, 'a', ['shots', 'calc']);
    const b = await node(bus, 'b', ['shots']);
    await sleep(HEARTBEAT_MS * 2);
    type Listed = { id: string; name: string; role: string; version: string; services: string[]; pid: number; uptimeMs: number; inFlight: number };
    const listed = await a.call<Listed[]>('management.nodes');
    expect(listed.map((n) => n.name)).toEqual(['a', 'b']);
    expect(listed[1]).toMatchObject({ id: b.membership.id, role: 'worker', version: '9.9.9', services: ['shots', 'logging', 'management'], pid: process.pid, inFlight: 0 });
    expect(listed[0].inFlight).toBe(1); // the management.nodes call itself

    await b.membership.stop();
    await sleep(HEARTBEAT_MS * 4);
    expect((await a.call<Listed[]>('management.nodes')).map((n) => n.name)).toEqual(['a']);
  });

  it("adds up the last minute of every node's calls from their heartbeats", async () => {
    const bus = createMemoryBus();
    const [wa, wb] = [new CallWindow(), new CallWindow()];
    const a = await node(bus, 'a', ['shots'], wa);
    const b = await node(bus, 'b', ['shots'], wb);
    // A node that sends no figures (a gateway) is listed by management.nodes, not counted here.
    await node(bus, 'gw', []);
    for (let i = 0; i < 30; i++) wa.record('shots', 'work', 2, false);
    for (let i = 0; i < 10; i++) wb.record('shots', 'work', 200, i < 4);
    await sleep(HEARTBEAT_MS * 2);
    type Metrics = { nodes: string[]; seconds: number; methods: { method: string; calls: number; errors: number; perSecond: number; p50Ms: number; p99Ms: number }[] };
    const m = await a.call<Metrics>('management.metrics');
    expect(m.nodes.sort()).toEqual([a.membership.id, b.membership.id].sort());
    expect(m.methods).toEqual([expect.objectContaining({ method: 'shots.work', calls: 40, errors: 4 })]);
    expect(m.methods[0].p50Ms).toBeLessThan(3);
    expect(m.methods[0].p99Ms).toBeGreaterThan(150);
    // b's node answers the same sums.
    expect((await b.call<Metrics>('management.metrics')).methods[0]).toMatchObject({ calls: 40, errors: 4 });
  });

  it("lists every node's queues, as of its last heartbeat", async () => {
    const bus = createMemoryBus();
    const a = await node(bus, 'a', ['shots']);
    const b = await node(bus, 'b', ['shots', 'calc']);
    await b.call('calc.work');
    await sleep(HEARTBEAT_MS * 2);
    type Listed = { node: string; uptimeMs: number; queues: { name: string; accepted: number; maxInFlight: number }[] };
    const listed = await a.call<Listed[]>('management.queues');
    expect(listed.map((n) => n.node).sort()).toEqual([a.membership.id, b.membership.id].sort());
    const ofB = listed.find((n) => n.node === b.membership.id)!;
    expect(ofB.queues.map((q) => q.name)).toEqual(b.provider.queues().map((q) => q.name));
    expect(ofB.queues.find((q) => q.name.includes('calc'))).toMatchObject({ accepted: 1, maxInFlight: expect.any(Number) });
  });
});

describe('parseHeartbeat', () => {
  it("keeps a node whose figures or queues another version cannot read, without them", async () => {
    const a = await node(createMemoryBus(), 'a', ['shots'], new CallWindow());
    // management.nodes lists a node without its figures; its heartbeat carries them.
    expect(a.membership.self()).not.toHaveProperty('metrics');
    const beat = JSON.parse(JSON.stringify(a.membership.self(true))) as Record<string, unknown>;
    expect(parseHeartbeat(beat)).toMatchObject({ name: 'a', queues: expect.any(Array), metrics: expect.any(Object) });
    const odd = parseHeartbeat({ ...beat, queues: [{ name: 'q', inFlight: 'many' }], metrics: { seconds: 'sixty' } });
    expect(odd).toMatchObject({ name: 'a' });
    expect(odd).not.toHaveProperty('queues');
    expect(odd).not.toHaveProperty('metrics');
  });
});
