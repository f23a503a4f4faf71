import { type Caller } from '@junction/core';
import { hostServices, type TestHost } from '@junction/core/testing';
import { createFake as createShotsFake } from '@junction/service-shots';
import { fake, service } from './index';

// Dailies tested as a client: against the shots *fake*, with no database and no real shots.
const supervisor: Caller = { identity: 'sam', roles: ['supervisor'] };

describe('dailies against the shots fake', () => {
  let host: TestHost;

  beforeEach(async () => {
    host = hostServices(service, { with: [createShotsFake()] });
    // The fixture goes in through the fake's own methods, checked by the real schemas.
    await host.call('shots.createProject', { code: 'dune', name: 'Dune' });
    for (const code of ['sq020', 'sq010']) await host.call('shots.createSequence', { project: 'dune', code });
    const shots: [string, string, number, number, string[], string?][] = [
      ['sq020', 'sh0040', 1001, 1048, ['wip', 'review']],
      ['sq010', 'sh0030', 1001, 1100, ['wip', 'review'], 'worm breach'],
      ['sq010', 'sh0020', 1, 24, ['wip']],
      ['sq010', 'sh0010', 101, 110, ['wip', 'review']],
    ];
    for (const [sequence, code, frameIn, frameOut, path, description] of shots) {
      await host.call('shots.create', { project: 'dune', sequence, code, frameIn, frameOut, ...(description ? { description } : {}) });
      for (const status of path) await host.call('shots.setStatus', { project: 'dune', code, status });
    }
  });
  afterEach(() => host.close());

  it('lists the shots in review in screening order, with frame ranges and the total length', async () => {
    await expect(host.call('dailies.playlist', { project: 'dune' })).resolves.toEqual({
      project: 'dune',
      frames: 158,
      shots: [
        { sequence: 'sq010', code: 'sh0010', frameIn: 101, frameOut: 110, frames: 10 },
        { sequence: 'sq010', code: 'sh0030', frameIn: 1001, frameOut: 1100, frames: 100, description: 'worm breach' },
        { sequence: 'sq020', code: 'sh0040', frameIn: 1001, frameOut: 1048, frames: 48 },
      ],
    });
  });

  it('approves a shot, recording the supervisor who called dailies in the shot\'s history', async () => {
    await expect(host.call('dailies.approve', { project: 'dune', code: 'sh0030', note: 'lovely' }, { caller: supervisor })).resolves.toEqual({
      project: 'dune',
      code: 'sh0030',
      status: 'approved',
    });
    const history = await host.call<{ to: string; changedBy: string; note?: string }[]>('shots.history', { project: 'dune', code: 'sh0030' });
    expect(history.at(-1)).toMatchObject({ from: 'review', to: 'approved', changedBy: 'sam', note: 'lovely' });
    // Approved shots leave the playlist.
    const { shots } = await host.call<{ shots: { code: string }[] }>('dailies.playlist', { project: 'dune' });
    expect(shots.map((s) => s.code)).toEqual(['sh0010', 'sh0040']);
  });

  it('passes on the refusal of shots for a shot that is not in review', async () => {
    await expect(host.call('dailies.approve', { project: 'dune', code: 'sh0020' })).rejects.toMatchObject({
      code: 'SERVICE_ERROR',
      message: 'shot sh0020 of project dune cannot go from wip to approved; from wip it can go to review, omitted',
      data: { reason: 'FORBIDDEN_TRANSITION', from: 'wip', to: 'approved', allowed: ['review', 'omitted'] },
    });
  });

  it('passes on NOT_FOUND for an unknown project or shot, and INVALID_PARAMS for a malformed code', async () => {
    await expect(host.call('dailies.playlist', { project: 'nope' })).rejects.toMatchObject({
      data: { reason: 'NOT_FOUND' },
      message: 'no project nope; create it with shots.createProject',
    });
    await expect(host.call('dailies.approve', { project: 'dune', code: 'sh0999' })).rejects.toMatchObject({
      data: { reason: 'NOT_FOUND' },
      message: 'no shot sh0999 in project dune',
    });
    // Dailies does not re-check the code's pattern: the shots schema does, even in the fake.
    const err = (await host.call('dailies.approve', { project: 'dune', code: 'SH30' }).catch((e: unknown) => e)) as { code: string; message: string };
    expect(err).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(err.message).toContain('shots.setStatus: /code must match pattern "^sh[0-9]{4}$" (got string)');
  });

  it('answers an empty playlist when nothing is in review', async () => {
    await host.call('shots.createProject', { code: 'quiet', name: 'Quiet' });
    await expect(host.call('dailies.playlist', { project: 'quiet' })).resolves.toEqual({ project: 'quiet', frames: 0, shots: [] });
  });
});

describe('dailies without shots', () => {
  it('fails with METHOD_NOT_FOUND naming shots when it is not reachable', async () => {
    const host = hostServices(service);
    try {
      await expect(host.call('dailies.playlist', { project: 'dune' })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND', message: 'no service named "shots"' });
    } finally {
      await host.close();
    }
  });

  it('has a fake of its own with the same methods', async () => {
    expect(Object.keys(fake.methods)).toEqual(Object.keys(service.methods));
    const host = hostServices(fake);
    try {
      await expect(host.call('dailies.approve', { project: 'dune', code: 'sh0010' })).resolves.toEqual({ project: 'dune', code: 'sh0010', status: 'approved' });
    } finally {
      await host.close();
    }
  });
});
