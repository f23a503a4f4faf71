import { PassThrough } from 'node:stream';
import { createLogger, createSqliteDb, type Db, defineFake } from '@junction/core';
import { hostServices, type TestHost } from '@junction/core/testing';
import { service as calc } from '@junction/service-calc';
import { service } from './index';
import { alice, describeShotsScenarios, refusal } from './shots.scenarios';

describe('shots on SQLite', () => {
  let host: TestHost;
  beforeAll(() => {
    host = hostServices(service, { with: [calc] });
  });
  afterAll(() => host.close());

  describeShotsScenarios(() => host);
});

describe('shots', () => {
  it('totals frames through calc.sum, passing the caller on', async () => {
    const sums: { values: unknown; caller: string }[] = [];
    const recordingCalc = defineFake(calc, {
      sum: ({ values }, ctx) => {
        sums.push({ values, caller: ctx.caller.identity });
        return (values as number[]).reduce((a, b) => a + b, 0);
      },
    });
    const host = hostServices(service, { with: [recordingCalc] });
    try {
      await host.call('shots.createProject', { code: 'calc', name: 'Calc' });
      await host.call('shots.createSequence', { project: 'calc', code: 'sq010' });
      await host.call('shots.create', { project: 'calc', sequence: 'sq010', code: 'sh0010', frameIn: 1, frameOut: 24 });
      await host.call('shots.create', { project: 'calc', sequence: 'sq010', code: 'sh0020', frameIn: 101, frameOut: 148 });
      await expect(host.call('shots.stats', { project: 'calc' }, { caller: alice })).resolves.toMatchObject({ frames: 72 });
      expect(sums).toEqual([{ values: [24, 48], caller: 'alice' }]);
    } finally {
      await host.close();
    }
  });

  it('fails stats with METHOD_NOT_FOUND naming calc when no calc is reachable', async () => {
    const host = hostServices(service);
    try {
      await host.call('shots.createProject', { code: 'alone', name: 'Alone' });
      const err = await refusal(host.call('shots.stats', { project: 'alone' }));
      expect(err).toMatchObject({ code: 'METHOD_NOT_FOUND', message: 'no service named "calc"' });
    } finally {
      await host.close();
    }
  });

  it('creates its tables once per Db, however many calls come first at once', async () => {
    const inner = createSqliteDb({ type: 'sqlite', path: ':memory:' });
    let creates = 0;
    const counting: Db = {
      kind: inner.kind,
      query: (sql, params) => inner.query(sql, params),
      exec: (sql, params) => {
        if (sql.includes('CREATE TABLE')) creates++;
        return inner.exec(sql, params);
      },
      execInBackground: (sql, params) => inner.execInBackground(sql, params),
      transaction: (fn) => inner.transaction(fn),
      close: () => inner.close(),
    };
    const host = hostServices(service, { with: [calc], db: counting });
    try {
      await Promise.all([host.call('shots.listProjects'), host.call('shots.listProjects'), host.call('shots.createProject', { code: 'once', name: 'Once' })]);
      await host.call('shots.list', { project: 'once' });
      expect(creates).toBe(1);
    } finally {
      await host.close();
      await inner.close();
    }
  });

  it('lets a database failure through as INTERNAL, not as the client\'s fault', async () => {
    const broken: Db = {
      kind: 'sqlite',
      query: async () => {
        throw new Error('disk I/O error');
      },
      exec: async () => ({ changes: 0 }),
      execInBackground: async () => ({ changes: 0 }),
      transaction: (fn) => fn(broken),
      close: async () => undefined,
    };
    const host = hostServices(service, { db: broken, debug: true });
    try {
      const err = await refusal(host.call('shots.listProjects'));
      expect(err.code).toBe('INTERNAL');
      expect(err.message).toMatch(/^internal error in shots.listProjects \(request [^)]+\); the service's log has the details$/);
      expect(err.data).toMatchObject({ message: 'disk I/O error' });
    } finally {
      await host.close();
    }
  });

  it('logs a line for each status change, naming the shot, both statuses and who', async () => {
    const out = new PassThrough();
    const lines: Record<string, unknown>[] = [];
    out.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)));
    const host = hostServices(service, { with: [calc], log: createLogger({ level: 'info', destination: out }) });
    try {
      await host.call('shots.createProject', { code: 'logs', name: 'Logs' });
      await host.call('shots.createSequence', { project: 'logs', code: 'sq010' });
      await host.call('shots.create', { project: 'logs', sequence: 'sq010', code: 'sh0010', frameIn: 1, frameOut: 2 });
      await host.call('shots.setStatus', { project: 'logs', code: 'sh0010', status: 'wip' }, { caller: alice });
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines.filter((l) => l.msg === 'shot status changed')).toEqual([
        expect.objectContaining({ service: 'shots', method: 'setStatus', project: 'logs', shot: 'sh0010', from: 'waiting', to: 'wip', by: 'alice' }),
      ]);
    } finally {
      await host.close();
    }
  });

  it('accepts the args of every documented example', async () => {
    const host = hostServices(service, { with: [calc] });
    try {
      // In declaration order the examples build on each other (project, sequence, shot, ...).
      for (const [name, m] of Object.entries(service.methods)) {
        for (const ex of m.examples) {
          const outcome = await host.call(`shots.${name}`, ex.args).then(
            () => 'ok',
            (e: { code: string }) => e.code,
          );
          expect({ method: name, outcome }).not.toEqual({ method: name, outcome: 'INVALID_PARAMS' });
        }
      }
    } finally {
      await host.close();
    }
  });

  it('flags its reads safe and idempotent, and leaves setStatus open to every caller', () => {
    for (const name of ['listProjects', 'list', 'get', 'history', 'stats'] as const) {
      expect({ name, safe: service.methods[name].safe, idempotent: service.methods[name].idempotent }).toEqual({ name, safe: true, idempotent: true });
    }
    for (const [name, m] of Object.entries(service.methods)) expect({ name, access: m.access }).toEqual({ name, access: undefined });
    expect(service.methods.setStatus.description).toContain('review -> approved | wip | omitted');
  });
});
