import { randomBytes } from 'node:crypto';
import { Cluster, metric, until } from './cluster.test-support';

// A worker process killed with SIGKILL while it holds calls: the broker gives its unacknowledged
// requests to the surviving worker. Each test kills a process, so each has a cluster of its own.
jest.setTimeout(60_000);

describe('SIGKILL of one of two workers while 200 idempotent calls are in flight', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await Cluster.start({ workers: 2 });
  });
  afterAll(() => cluster?.stop());

  it('still answers every call with its right result, redelivered to the survivor, none past its deadline', async () => {
    const [victim, survivor] = cluster.workers;
    const timeoutMs = 10_000;
    const ns = Array.from({ length: 200 }, (_, n) => n);
    // 1. 200 calls of 2 s each go out at once; the broker splits them between the two workers.
    const sentAt = Date.now();
    const calls = ns.map((n) => cluster.rpc<{ pid: number; n: number }>('probe.sleep', { ms: 2000, n }, timeoutMs));
    // 2. Every one is running, some on each worker.
    let held = 0;
    await until('all 200 calls run, on both workers', async () => {
      const [a, b] = await Promise.all([victim, survivor].map((w) => metric(w, 'junction_queue_in_flight')));
      held = a;
      return a > 0 && b > 0 && a + b === 200;
    });
    // 3. One worker dies at once: its calls are neither answered nor acknowledged.
    victim.kill('SIGKILL');
    const killedAt = Date.now();
    expect(killedAt - sentAt).toBeLessThan(2000); // so none of the victim's calls had finished
    expect(await victim.exit).toEqual({ code: null, signal: 'SIGKILL' });
    const replies = await Promise.all(calls);
    // 4. Every call has its own right result; the victim's came from the survivor, redelivered.
    expect(replies.filter((r) => r.error !== undefined)).toEqual([]);
    expect(replies.map((r) => r.result!.n)).toEqual(ns);
    expect(replies.filter((r) => r.result!.pid !== survivor.pid)).toEqual([]);
    expect(held).toBeGreaterThan(0);
    // 5. None waited past its deadline: the redelivered ones took about two runs of 2 s.
    expect(Math.max(...replies.map((r) => r.ms))).toBeLessThan(timeoutMs);
    expect(survivor.exited()).toBeUndefined();
  });
});

describe('SIGKILL of a worker running non-idempotent calls', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await Cluster.start({ workers: 2 });
  });
  afterAll(() => cluster?.stop());

  it('answers each with its result or a clear UNAVAILABLE, at once, and never runs one twice', async () => {
    const [victim, survivor] = cluster.workers;
    const run = randomBytes(3).toString('hex');
    const tokens = Array.from({ length: 20 }, (_, i) => `${run}-${i}`);
    // 1. 20 calls that record their execution in PostgreSQL, then take 3 s.
    const calls = tokens.map((token) => cluster.rpc<{ pid: number; token: string }>('probe.record', { token, ms: 3000 }, 10_000));
    // 2. All 20 have run their effect, on both workers.
    await until('all 20 calls have recorded their execution, on both workers', async () => {
      const runs = await cluster.executions();
      const pids = new Set([...runs.values()].flatMap((e) => e.pids));
      return runs.size === 20 && pids.has(victim.pid) && pids.has(survivor.pid);
    });
    // 3. One worker dies holding its calls; the broker redelivers them to the survivor, flagged.
    victim.kill('SIGKILL');
    const killedAt = Date.now();
    const replies = await Promise.all(calls);
    const runs = await cluster.executions();
    // 4. No call ran twice, whatever the caller was told.
    expect(tokens.map((t) => runs.get(t)?.runs)).toEqual(tokens.map(() => 1));
    // 5. The survivor's calls succeed; the victim's get a clear error at once, not a rerun, not a hang.
    const onVictim = tokens.filter((t) => runs.get(t)!.pids[0] === victim.pid);
    expect(onVictim.length).toBeGreaterThan(0);
    replies.forEach((reply, i) => {
      if (onVictim.includes(tokens[i])) {
        expect(reply.result).toBeUndefined();
        expect(reply.error).toMatchObject({ code: -32005, message: expect.stringContaining('not idempotent'), data: { code: 'UNAVAILABLE', details: { redelivered: true } } });
        expect(reply.at + reply.ms - killedAt).toBeLessThan(1000);
      } else {
        expect(reply.error).toBeUndefined();
        expect(reply.result).toEqual({ pid: survivor.pid, token: tokens[i] });
      }
    });
  });
});
