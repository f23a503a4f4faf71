// The scenarios every implementation of the shots service must pass: the real one on SQLite
// (shots.spec.ts) and on PostgreSQL (shots.int.spec.ts), and its fake (fake.spec.ts). Test
// support only: excluded from the build. Each scenario works in a project of its own, so they
// can share one database.
import { type Caller, isJunctionError } from '@junction/core';
import { type TestHost } from '@junction/core/testing';
import { type HistoryEntry, type Project, type Sequence, type Shot, type Stats } from './model';
import { STATUSES, TRANSITIONS, type Status } from './transitions';

export const alice: Caller = Object.freeze({ identity: 'alice', roles: ['artist'] });
export const bob: Caller = Object.freeze({ identity: 'bob', roles: ['supervisor'] });

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The refusal a call ended in, flattened for assertions; fails the test if the call succeeded. */
export async function refusal(call: Promise<unknown>): Promise<{ code: string; reason: unknown; message: string; data: Record<string, unknown> }> {
  const err = await call.then(
    (value) => {
      throw new Error(`expected the call to be refused, and it answered ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  if (!isJunctionError(err)) throw err;
  const data = (err.data ?? {}) as Record<string, unknown>;
  return { code: err.code, reason: data.reason, message: err.message, data };
}

/** The shortest way from waiting to `target` through the transition table. */
export function pathTo(target: Status): Status[] {
  const paths = new Map<Status, Status[]>([['waiting', []]]);
  const queue: Status[] = ['waiting'];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const to of TRANSITIONS[from]) {
      if (paths.has(to)) continue;
      paths.set(to, [...paths.get(from)!, to]);
      queue.push(to);
    }
  }
  const path = paths.get(target);
  if (path === undefined) throw new Error(`status ${target} cannot be reached from waiting`);
  return path;
}

export function describeShotsScenarios(getHost: () => TestHost): void {
  const call = <T>(target: string, args: Record<string, unknown>, caller?: Caller) => getHost().call<T>(`shots.${target}`, args, { caller });

  async function setUpProject(project: string, sequences: string[] = ['sq010']) {
    await call('createProject', { code: project, name: `Project ${project}` });
    for (const code of sequences) await call('createSequence', { project, code });
  }
  const shot = (project: string, code: string, extra: Record<string, unknown> = {}) =>
    call<Shot>('create', { project, sequence: 'sq010', code, frameIn: 1001, frameOut: 1100, ...extra });
  async function moveTo(project: string, code: string, target: Status) {
    for (const status of pathTo(target)) await call('setStatus', { project, code, status });
  }

  describe('projects and sequences', () => {
    it('creates projects and lists them by code', async () => {
      const created = await call<Project>('createProject', { code: 'zulu', name: 'Zulu' });
      expect(created).toEqual({ code: 'zulu', name: 'Zulu', createdAt: expect.stringMatching(ISO) });
      await call('createProject', { code: 'alpha', name: 'Alpha — ünïcødé 🎬' });
      const all = await call<Project[]>('listProjects', {});
      const mine = all.filter((p) => p.code === 'alpha' || p.code === 'zulu');
      expect(mine).toEqual([
        { code: 'alpha', name: 'Alpha — ünïcødé 🎬', createdAt: expect.stringMatching(ISO) },
        { code: 'zulu', name: 'Zulu', createdAt: created.createdAt },
      ]);
      expect(all.map((p) => p.code)).toEqual([...all.map((p) => p.code)].sort());
    });

    it('refuses a project code already in use with ALREADY_EXISTS', async () => {
      await call('createProject', { code: 'twice', name: 'Twice' });
      const err = await refusal(call('createProject', { code: 'twice', name: 'Again' }));
      expect(err).toMatchObject({ code: 'SERVICE_ERROR', reason: 'ALREADY_EXISTS', message: 'project twice already exists' });
    });

    it('creates sequences in a project, refusing an unknown project and a duplicate', async () => {
      await call('createProject', { code: 'seqs', name: 'Sequences' });
      await expect(call<Sequence>('createSequence', { project: 'seqs', code: 'sq010' })).resolves.toEqual({
        project: 'seqs',
        code: 'sq010',
        createdAt: expect.stringMatching(ISO),
      });
      expect(await refusal(call('createSequence', { project: 'seqs', code: 'sq010' }))).toMatchObject({
        reason: 'ALREADY_EXISTS',
        message: 'sequence sq010 already exists in project seqs',
      });
      expect(await refusal(call('createSequence', { project: 'nosuch', code: 'sq010' }))).toMatchObject({
        code: 'SERVICE_ERROR',
        reason: 'NOT_FOUND',
        message: 'no project nosuch; create it with shots.createProject',
        data: { reason: 'NOT_FOUND', project: 'nosuch' },
      });
    });
  });

  describe('shots', () => {
    it('creates a shot waiting, with its inclusive frame count, and gets it back', async () => {
      await setUpProject('mk');
      const created = await shot('mk', 'sh0010', { description: 'Worm breach, wide' });
      expect(created).toEqual({
        project: 'mk',
        sequence: 'sq010',
        code: 'sh0010',
        frameIn: 1001,
        frameOut: 1100,
        frames: 100,
        description: 'Worm breach, wide',
        status: 'waiting',
        createdAt: expect.stringMatching(ISO),
        updatedAt: created.createdAt,
      });
      await expect(call('get', { project: 'mk', code: 'sh0010' })).resolves.toEqual(created);
      // No description: the key is absent, not null. One frame: frameIn equals frameOut.
      const single = await shot('mk', 'sh0020', { frameIn: 7, frameOut: 7 });
      expect(single).not.toHaveProperty('description');
      expect(single.frames).toBe(1);
    });

    it('refuses a frameOut before frameIn with INVALID_FRAME_RANGE', async () => {
      await setUpProject('frames');
      const err = await refusal(shot('frames', 'sh0010', { frameIn: 1001, frameOut: 1000 }));
      expect(err).toEqual({
        code: 'SERVICE_ERROR',
        reason: 'INVALID_FRAME_RANGE',
        message: 'shot sh0010 of project frames: frameOut 1000 is before frameIn 1001; frameOut must be at least frameIn',
        data: { reason: 'INVALID_FRAME_RANGE', project: 'frames', code: 'sh0010', frameIn: 1001, frameOut: 1000 },
      });
      await expect(call('list', { project: 'frames' })).resolves.toEqual([]);
    });

    it('refuses a shot in an unknown project or sequence, and a duplicate code', async () => {
      await setUpProject('dup');
      await shot('dup', 'sh0010');
      expect(await refusal(shot('dup', 'sh0010', { frameIn: 1, frameOut: 2 }))).toMatchObject({
        reason: 'ALREADY_EXISTS',
        message: 'shot sh0010 already exists in project dup',
      });
      expect(await refusal(shot('dup', 'sh0020', { sequence: 'sq999' }))).toMatchObject({
        reason: 'NOT_FOUND',
        message: 'no sequence sq999 in project dup; create it with shots.createSequence',
      });
      expect(await refusal(shot('nope', 'sh0010'))).toMatchObject({ reason: 'NOT_FOUND', message: 'no project nope; create it with shots.createProject' });
      // The refused duplicate changed nothing.
      await expect(call('get', { project: 'dup', code: 'sh0010' })).resolves.toMatchObject({ frameIn: 1001, frameOut: 1100 });
    });

    it('refuses codes that do not follow the naming pattern, naming the param', async () => {
      const err = await refusal(shot('pat', 'SH10'));
      expect(err.code).toBe('INVALID_PARAMS');
      expect(err.message).toContain('shots.create: /code must match pattern "^sh[0-9]{4}$" (got string)');
      const bad = await refusal(call('setStatus', { project: 'pat', code: 'sh0010', status: 'done' }));
      expect(bad.code).toBe('INVALID_PARAMS');
      expect(bad.message).toContain('/status must be equal to one of the allowed values (got string)');
    });

    it('answers NOT_FOUND naming the shot for an unknown one', async () => {
      await setUpProject('lost');
      const err = await refusal(call('get', { project: 'lost', code: 'sh9999' }));
      expect(err).toEqual({
        code: 'SERVICE_ERROR',
        reason: 'NOT_FOUND',
        message: 'no shot sh9999 in project lost',
        data: { reason: 'NOT_FOUND', project: 'lost', code: 'sh9999' },
      });
      expect(await refusal(call('history', { project: 'lost', code: 'sh9999' }))).toMatchObject({ message: 'no shot sh9999 in project lost' });
      expect(await refusal(call('setStatus', { project: 'lost', code: 'sh9999', status: 'wip' }))).toMatchObject({ message: 'no shot sh9999 in project lost' });
    });

    it('lists shots by sequence then code, filtered by sequence and by status', async () => {
      await setUpProject('lst', ['sq020', 'sq010']);
      await shot('lst', 'sh0030', { sequence: 'sq020' });
      await shot('lst', 'sh0020');
      await shot('lst', 'sh0010', { sequence: 'sq020' });
      await shot('lst', 'sh0040');
      await moveTo('lst', 'sh0040', 'review');
      await moveTo('lst', 'sh0010', 'review');
      const codes = async (args: Record<string, unknown>) => (await call<Shot[]>('list', { project: 'lst', ...args })).map((s) => `${s.sequence}/${s.code}`);
      await expect(codes({})).resolves.toEqual(['sq010/sh0020', 'sq010/sh0040', 'sq020/sh0010', 'sq020/sh0030']);
      await expect(codes({ sequence: 'sq020' })).resolves.toEqual(['sq020/sh0010', 'sq020/sh0030']);
      await expect(codes({ status: 'review' })).resolves.toEqual(['sq010/sh0040', 'sq020/sh0010']);
      await expect(codes({ sequence: 'sq010', status: 'waiting' })).resolves.toEqual(['sq010/sh0020']);
      await expect(codes({ status: 'final' })).resolves.toEqual([]);
      expect(await refusal(call('list', { project: 'lst', sequence: 'sq500' }))).toMatchObject({
        reason: 'NOT_FOUND',
        message: 'no sequence sq500 in project lst; create it with shots.createSequence',
      });
      expect(await refusal(call('list', { project: 'ghost' }))).toMatchObject({ reason: 'NOT_FOUND', message: 'no project ghost; create it with shots.createProject' });
    });
  });

  describe('status', () => {
    it.each(STATUSES)('from %s, allows exactly the statuses of the transition table', async (from) => {
      const project = `tr${from}`;
      await setUpProject(project);
      const outcome: Record<string, string> = {};
      for (const [i, to] of STATUSES.entries()) {
        const code = `sh${String(i + 1).padStart(4, '0')}`;
        await shot(project, code);
        await moveTo(project, code, from);
        outcome[to] = await call<Shot>('setStatus', { project, code, status: to }).then(
          (s) => `moved to ${s.status}`,
          (e: { data?: { reason?: string } }) => String(e.data?.reason),
        );
      }
      expect(outcome).toEqual(Object.fromEntries(STATUSES.map((to) => [to, TRANSITIONS[from].includes(to) ? `moved to ${to}` : 'FORBIDDEN_TRANSITION'])));
    });

    it('refuses a forbidden transition naming the shot, both statuses and the allowed next ones', async () => {
      await setUpProject('fbd');
      await shot('fbd', 'sh0010');
      await moveTo('fbd', 'sh0010', 'final');
      const err = await refusal(call('setStatus', { project: 'fbd', code: 'sh0010', status: 'wip' }));
      expect(err).toEqual({
        code: 'SERVICE_ERROR',
        reason: 'FORBIDDEN_TRANSITION',
        message: 'shot sh0010 of project fbd cannot go from final to wip; from final it can go to omitted',
        data: { reason: 'FORBIDDEN_TRANSITION', project: 'fbd', code: 'sh0010', from: 'final', to: 'wip', allowed: ['omitted'] },
      });
      const again = await refusal(call('setStatus', { project: 'fbd', code: 'sh0010', status: 'final' }));
      expect(again.message).toBe('shot sh0010 of project fbd cannot go from final to final; from final it can go to omitted');
      await expect(call('get', { project: 'fbd', code: 'sh0010' })).resolves.toMatchObject({ status: 'final' });
    });

    it('records who changed the status, with the note, oldest first', async () => {
      await setUpProject('hist');
      const created = await call<Shot>('create', { project: 'hist', sequence: 'sq010', code: 'sh0010', frameIn: 1, frameOut: 48 }, bob);
      const moved = await call<Shot>('setStatus', { project: 'hist', code: 'sh0010', status: 'wip', note: 'layout locked' }, alice);
      expect(moved).toMatchObject({ status: 'wip' });
      expect(moved.updatedAt >= created.updatedAt).toBe(true);
      await call('setStatus', { project: 'hist', code: 'sh0010', status: 'review' });
      const entries = await call<HistoryEntry[]>('history', { project: 'hist', code: 'sh0010' });
      expect(entries).toEqual([
        { from: null, to: 'waiting', changedBy: 'bob', changedAt: created.createdAt },
        { from: 'waiting', to: 'wip', note: 'layout locked', changedBy: 'alice', changedAt: moved.updatedAt },
        { from: 'wip', to: 'review', changedBy: 'anonymous', changedAt: expect.stringMatching(ISO) },
      ]);
    });

    it('lets only one of several concurrent identical changes through', async () => {
      await setUpProject('race');
      await shot('race', 'sh0010');
      const results = await Promise.allSettled([alice, bob, alice, bob, alice].map((who) => call('setStatus', { project: 'race', code: 'sh0010', status: 'wip' }, who)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
        expect(r.reason).toMatchObject({ message: 'shot sh0010 of project race cannot go from wip to wip; from wip it can go to review, omitted' });
      }
      await expect(call<HistoryEntry[]>('history', { project: 'race', code: 'sh0010' })).resolves.toHaveLength(2);
    });
  });

  describe('stats', () => {
    it('counts shots per status and totals the frames of those not omitted', async () => {
      await setUpProject('stat', ['sq010', 'sq020']);
      await shot('stat', 'sh0010', { frameIn: 1001, frameOut: 1100 });
      await shot('stat', 'sh0020', { frameIn: 1001, frameOut: 1050 });
      await moveTo('stat', 'sh0020', 'wip');
      await shot('stat', 'sh0030', { frameIn: 1, frameOut: 10 });
      await moveTo('stat', 'sh0030', 'omitted');
      await shot('stat', 'sh0040', { sequence: 'sq020', frameIn: 1001, frameOut: 1001 });
      await moveTo('stat', 'sh0040', 'review');
      await expect(call<Stats>('stats', { project: 'stat' })).resolves.toEqual({
        project: 'stat',
        shots: 4,
        byStatus: { waiting: 1, wip: 1, review: 1, approved: 0, final: 0, omitted: 1 },
        frames: 151,
      });
    });

    it('answers zeros for a project without shots, and NOT_FOUND for an unknown one', async () => {
      await setUpProject('empty');
      await expect(call<Stats>('stats', { project: 'empty' })).resolves.toEqual({
        project: 'empty',
        shots: 0,
        byStatus: { waiting: 0, wip: 0, review: 0, approved: 0, final: 0, omitted: 0 },
        frames: 0,
      });
      expect(await refusal(call('stats', { project: 'void' }))).toMatchObject({ reason: 'NOT_FOUND', message: 'no project void; create it with shots.createProject' });
    });
  });
}
