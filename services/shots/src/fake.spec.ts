import { type Args } from '@junction/core';
import { hostServices, type TestHost } from '@junction/core/testing';
import { service as calc } from '@junction/service-calc';
import { createFake, fake, service } from './index';
import { alice, bob, describeShotsScenarios } from './shots.scenarios';

describe('the shots fake', () => {
  let host: TestHost;
  beforeAll(() => {
    // No calc: the fake totals frames itself, so its clients need nothing else hosted.
    host = hostServices(createFake());
  });
  afterAll(() => host.close());

  describeShotsScenarios(() => host);

  it('has the same name, methods and schemas as the service', () => {
    expect(fake.name).toBe(service.name);
    expect(Object.keys(fake.methods)).toEqual(Object.keys(service.methods));
    for (const [name, m] of Object.entries(fake.methods)) {
      const real = service.methods[name as keyof typeof service.methods];
      expect({ name, params: m.params, result: m.result, safe: m.safe }).toEqual({ name, params: real.params, result: real.result, safe: real.safe });
    }
  });

  it('keeps the state of each createFake() apart', async () => {
    const a = hostServices(createFake());
    const b = hostServices(createFake());
    try {
      await a.call('shots.createProject', { code: 'mine', name: 'Mine' });
      await expect(b.call('shots.listProjects')).resolves.toEqual([]);
      await expect(b.call('shots.createProject', { code: 'mine', name: 'Also mine' })).resolves.toMatchObject({ name: 'Also mine' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('answers a whole session exactly as the real service does, but for timestamps', async () => {
    // One script of calls, successes and refusals mixed, played against both.
    const session: [string, Args, typeof alice?][] = [
      ['shots.createProject', { code: 'same', name: 'Same' }],
      ['shots.createProject', { code: 'same', name: 'Again' }],
      ['shots.createSequence', { project: 'same', code: 'sq020' }],
      ['shots.createSequence', { project: 'same', code: 'sq010' }],
      ['shots.create', { project: 'same', sequence: 'sq020', code: 'sh0010', frameIn: 1001, frameOut: 1040, description: 'crane up' }, bob],
      ['shots.create', { project: 'same', sequence: 'sq010', code: 'sh0020', frameIn: 1, frameOut: 99 }],
      ['shots.create', { project: 'same', sequence: 'sq010', code: 'sh0030', frameIn: 9, frameOut: 8 }],
      ['shots.setStatus', { project: 'same', code: 'sh0010', status: 'wip' }, alice],
      ['shots.setStatus', { project: 'same', code: 'sh0010', status: 'review', note: 'v002' }, alice],
      ['shots.setStatus', { project: 'same', code: 'sh0010', status: 'final' }, bob],
      ['shots.setStatus', { project: 'same', code: 'sh0020', status: 'omitted' }, bob],
      ['shots.list', { project: 'same' }],
      ['shots.list', { project: 'same', status: 'review' }],
      ['shots.get', { project: 'same', code: 'sh0099' }],
      ['shots.history', { project: 'same', code: 'sh0010' }],
      ['shots.stats', { project: 'same' }],
      ['shots.listProjects', {}],
    ];
    const play = async (h: TestHost) => {
      const answers: unknown[] = [];
      for (const [target, args, caller] of session) {
        answers.push(await h.call(target, args, { caller }).then((result) => ({ result }), (e: { code: string; message: string; data: unknown }) => ({ error: { code: e.code, message: e.message, data: e.data } })));
      }
      return JSON.parse(JSON.stringify(answers).replace(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/g, '"<time>"')) as unknown[];
    };
    const real = hostServices(service, { with: [calc] });
    const stand = hostServices(createFake());
    try {
      const [fromReal, fromFake] = [await play(real), await play(stand)];
      expect(fromFake).toEqual(fromReal);
      expect(fromReal.filter((a) => 'error' in (a as object))).toHaveLength(4);
    } finally {
      await real.close();
      await stand.close();
    }
  });
});
