import { isJunctionError } from '../errors';
import { WorkQueue } from './work-queue';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WorkQueue', () => {
  it('runs at most maxInFlight tasks at once and the rest in arrival order', async () => {
    const q = new WorkQueue('test', { maxInFlight: 2, maxWaiting: 10 });
    const gates = [deferred(), deferred(), deferred()];
    const order: number[] = [];
    const runs = gates.map((g, i) => q.run(async () => { order.push(i); await g.promise; return i; }));
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    expect(q.stats()).toMatchObject({ inFlight: 2, waiting: 1 });
    gates[0].resolve();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1, 2]);
    gates[1].resolve();
    gates[2].resolve();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2]);
  });

  it('rejects with OVERLOADED at once when the waiting line is full', async () => {
    const q = new WorkQueue('provider calc', { maxInFlight: 1, maxWaiting: 1 });
    const gate = deferred();
    const first = q.run(() => gate.promise);
    const second = q.run(async () => 2);
    const err = await q.run(async () => 3).catch((e: unknown) => e);
    expect(isJunctionError(err) && err.code).toBe('OVERLOADED');
    expect((err as Error).message).toBe('provider calc is full (1 waiting); retry later');
    gate.resolve();
    await first;
    await expect(second).resolves.toBe(2);
    expect(q.stats()).toMatchObject({ accepted: 2, rejected: 1, completed: 2 });
  });

  it('drops a waiting task whose signal aborted, without running it', async () => {
    const q = new WorkQueue('test', { maxInFlight: 1, maxWaiting: 5 });
    const gate = deferred();
    const first = q.run(() => gate.promise);
    const ctl = new AbortController();
    let ran = false;
    const second = q.run(async () => { ran = true; }, ctl.signal);
    ctl.abort(new Error('deadline passed'));
    gate.resolve();
    await first;
    await expect(second).rejects.toThrow('deadline passed');
    expect(ran).toBe(false);
    expect(q.stats().expired).toBe(1);
  });

  it('takes a deadline in epoch ms: a task still waiting when it passes is dropped as TIMEOUT, unrun', async () => {
    const q = new WorkQueue('deadline test', { maxInFlight: 1, maxWaiting: 5 });
    const gate = deferred();
    const ran: string[] = [];
    const first = q.run(async () => { ran.push('first'); await gate.promise; });
    const late = q.run(async () => { ran.push('late'); }, Date.now() + 20);
    const onTime = q.run(async () => { ran.push('on time'); }, Date.now() + 10_000);
    await new Promise((r) => setTimeout(r, 40));
    gate.resolve();
    await first;
    const err = await late.catch((e: unknown) => e);
    expect(isJunctionError(err) && err.code).toBe('TIMEOUT');
    expect((err as Error).message).toContain('deadline test');
    await onTime;
    expect(ran).toEqual(['first', 'on time']);
    expect(q.stats()).toMatchObject({ expired: 1, completed: 2 });
    await expect(q.run(async () => 'x', Date.now() - 1)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('drain() resolves when the last task finishes', async () => {
    const q = new WorkQueue('test', { maxInFlight: 1, maxWaiting: 5 });
    const gate = deferred();
    void q.run(() => gate.promise);
    void q.run(async () => undefined);
    let drained = false;
    const d = q.drain().then(() => { drained = true; });
    await Promise.resolve();
    expect(drained).toBe(false);
    gate.resolve();
    await d;
    expect(q.stats()).toMatchObject({ inFlight: 0, waiting: 0 });
  });

  it('refuses nonsense limits with a message naming the value', () => {
    expect(() => new WorkQueue('q', { maxInFlight: 0, maxWaiting: 1 })).toThrow('q: maxInFlight must be a positive integer, got 0');
  });
});
