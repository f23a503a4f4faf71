import { randomBytes } from 'node:crypto';
import { Cluster, metric, sleep, until } from './cluster.test-support';

// A request whose deadline passes while it waits is never run. One worker that runs one probe call
// at a time: its consumer prefetch (2 in config) is capped at that, so it holds only what it runs
// and everything else waits, and expires, on the broker.
jest.setTimeout(60_000);

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start({ workers: 1, prefetch: 2, probe: { maxInFlight: 1, maxQueue: 10 } });
});
afterAll(() => cluster?.stop());

it('does not run a request whose deadline passed while it was queued behind a busy worker', async () => {
  const [worker] = cluster.workers;
  const run = randomBytes(3).toString('hex');
  const late = Array.from({ length: 10 }, (_, i) => `${run}-late-${i}`);
  // 1. A 2 s call takes the worker's only slot.
  const blocker = cluster.rpc('probe.record', { token: `${run}-blocker`, ms: 2000 }, 10_000);
  await until('the blocker runs', async () => (await cluster.executions()).has(`${run}-blocker`));
  // 2. Ten calls with a 300 ms deadline queue behind it, on the broker. Each caller gets TIMEOUT
  //    at its deadline.
  const timedOut = await Promise.all(late.map((token) => cluster.rpc('probe.record', { token, ms: 0 }, 300)));
  for (const reply of timedOut) {
    expect(reply.error).toMatchObject({ code: -32001, data: { code: 'TIMEOUT' } });
    expect(reply.ms).toBeGreaterThanOrEqual(280);
    expect(reply.ms).toBeLessThan(1500);
  }
  // 3. The blocker finishes; the worker goes on to what is queued, and drops the expired ones unrun.
  await expect(blocker).resolves.toMatchObject({ result: { pid: worker.pid } });
  const after = await cluster.rpc('probe.record', { token: `${run}-after`, ms: 0 }, 5000);
  expect(after.result).toEqual({ pid: worker.pid, token: `${run}-after` });
  await sleep(100);
  // 4. Counted in PostgreSQL: the blocker and the call after it ran once each, the late ones never.
  const runs = await cluster.executions();
  expect([...runs.keys()].sort()).toEqual([`${run}-after`, `${run}-blocker`]);
  expect([...runs.values()].map((e) => e.runs)).toEqual([1, 1]);
  // The late ones never even reached the worker: the broker dropped them (per-message expiration).
  expect(await metric(worker, 'junction_queue_accepted_total')).toBe(2);
  expect(await metric(worker, 'junction_queue_expired_total')).toBe(0);
});
