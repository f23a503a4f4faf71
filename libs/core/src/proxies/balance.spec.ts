import { type CallReply } from '../envelope';
import { createBalance } from './balance';
import { type Terminal } from './proxy';
import { FakeClock, fail, ok, request } from './proxy.test-support';

describe('balance terminal', () => {
  const clock = new FakeClock();
  let answers: Record<string, (n: number) => CallReply | Promise<CallReply>>;
  let got: string[];
  const terminal = (t: { type: 'local' } | { type: 'remote'; transport: string }): Terminal => {
    const name = t.type === 'local' ? 'local' : t.transport;
    let n = 0;
    return { call: async (r) => (got.push(name), (answers[name] ?? (() => ok(r, name)))(++n)), target: () => name };
  };
  const balance = (strategy: 'round-robin' | 'least-in-flight') =>
    createBalance({ type: 'balance', strategy, downMs: 1000, targets: ['w1', 'w2', 'w3'].map((transport) => ({ type: 'remote' as const, transport })) }, { clock }, terminal);

  beforeEach(() => {
    answers = {};
    got = [];
  });

  it('takes each target in turn, round-robin', async () => {
    const b = balance('round-robin');
    for (let i = 0; i < 6; i++) await b.call(request('render', 'probe'));
    expect(got).toEqual(['w1', 'w2', 'w3', 'w1', 'w2', 'w3']);
    expect(b.target(request('render', 'probe'))).toBe('balance(remote:w1,remote:w2,remote:w3)');
  });

  it('sends to the target with the fewest calls in flight, least-in-flight', async () => {
    const held: (() => void)[] = [];
    answers.w1 = () => new Promise<CallReply>((resolve) => held.push(() => resolve(ok(request('', ''), 'w1'))));
    answers.w2 = () => new Promise<CallReply>((resolve) => held.push(() => resolve(ok(request('', ''), 'w2'))));
    const b = balance('least-in-flight');
    const calls = [b.call(request('render', 'probe')), b.call(request('render', 'probe'))];
    // w1 and w2 each hold one; w3 has none, and takes the next two (it answers at once).
    await b.call(request('render', 'probe'));
    await b.call(request('render', 'probe'));
    expect(got).toEqual(['w1', 'w2', 'w3', 'w3']);
    held.forEach((release) => release());
    await Promise.all(calls);
  });

  it('passes over a target that answered UNAVAILABLE for downMs, then tries it again', async () => {
    answers.w2 = (n) => (n === 1 ? fail(request('', ''), 'UNAVAILABLE') : ok(request('', ''), 'w2'));
    const b = balance('round-robin');
    for (let i = 0; i < 5; i++) await b.call(request('render', 'probe'));
    expect(got).toEqual(['w1', 'w2', 'w3', 'w1', 'w3']);
    clock.advance(1000);
    got = [];
    for (let i = 0; i < 3; i++) await b.call(request('render', 'probe'));
    expect(got.sort()).toEqual(['w1', 'w2', 'w3']);
  });

  it('still tries the targets in turn when every one is down', async () => {
    answers = { w1: () => fail(request('', ''), 'UNAVAILABLE'), w2: () => fail(request('', ''), 'UNAVAILABLE'), w3: () => fail(request('', ''), 'UNAVAILABLE') };
    const b = balance('least-in-flight');
    for (let i = 0; i < 6; i++) await expect(b.call(request('render', 'probe'))).resolves.toMatchObject({ error: { code: 'UNAVAILABLE' } });
    expect(new Set(got)).toEqual(new Set(['w1', 'w2', 'w3']));
  });
});
