import { randomBytes } from 'node:crypto';
import { Cluster, metric, type RpcOutcome, sleep, until } from './cluster.test-support';

// SIGTERM is how a deployment stops a worker: it stops taking calls, finishes and acknowledges the
// ones it holds, and exits 0 within worker.drainGraceMs, while the other worker takes the load.
// The tests run in order on one cluster: the second starts a worker to replace the one the first stopped.
jest.setTimeout(60_000);

const GRACE_MS = 1500;

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start({ workers: 2, drainGraceMs: GRACE_MS });
});
afterAll(() => cluster?.stop());

it('loses no call, runs none twice, and exits 0 when a worker gets SIGTERM under load', async () => {
  const [draining, other] = cluster.workers;
  const run = randomBytes(3).toString('hex');
  const replies: (RpcOutcome<{ pid: number; token: string }> & { token: string })[] = [];
  let seq = 0;
  let loading = true;
  // 1. Sixteen callers send non-idempotent 300 ms calls back to back.
  const lanes = Array.from({ length: 16 }, async () => {
    while (loading) {
      const token = `${run}-${seq++}`;
      replies.push({ token, ...(await cluster.rpc<{ pid: number; token: string }>('probe.record', { token, ms: 300 }, 10_000)) });
    }
  });
  try {
    await until('both workers are running calls', async () => (await metric(draining, 'junction_queue_in_flight')) > 0 && (await metric(other, 'junction_queue_in_flight')) > 0);
    // 2. SIGTERM while the worker holds calls.
    draining.kill('SIGTERM');
    const termAt = Date.now();
    // 3. It finishes them (300 ms each) and exits 0 within its grace period; the load goes on meanwhile.
    const exit = await draining.exit;
    const exitedAt = Date.now();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAt - termAt).toBeLessThan(GRACE_MS);
    await sleep(500);
    loading = false;
    await Promise.all(lanes);
    // 4. No call lost: every caller got its result.
    expect(replies.filter((r) => r.error !== undefined)).toEqual([]);
    expect(replies.every((r) => r.result!.token === r.token)).toBe(true);
    // 5. The draining worker finished calls after the SIGTERM; the other took everything after it left.
    expect(replies.some((r) => r.result!.pid === draining.pid && r.at + r.ms > termAt)).toBe(true);
    expect(replies.filter((r) => r.at > exitedAt).every((r) => r.result!.pid === other.pid)).toBe(true);
    // 6. None ran twice: one execution per call, counted in PostgreSQL.
    const runs = await cluster.executions();
    expect(runs.size).toBe(replies.length);
    expect(replies.filter((r) => runs.get(r.token)?.runs !== 1)).toEqual([]);
    expect(replies.every((r) => runs.get(r.token)!.pids[0] === r.result!.pid)).toBe(true);
  } finally {
    loading = false;
    await Promise.all(lanes);
  }
});

it('exits 1 at the end of its grace period when calls outlast it, and the other worker runs them again', async () => {
  const leaving = await cluster.startWorker();
  const staying = cluster.workers.filter((w) => w !== leaving && w.exited() === undefined);
  const ns = Array.from({ length: 20 }, (_, n) => n);
  // 1. Twenty idempotent calls of 4 s each, some on each worker.
  const calls = ns.map((n) => cluster.rpc<{ pid: number; n: number }>('probe.sleep', { ms: 4000, n }, 20_000));
  await until('all 20 calls run, on both workers', async () => {
    const [a, ...others] = await Promise.all([leaving, ...staying].map((w) => metric(w, 'junction_queue_in_flight')));
    return a > 0 && a < 20 && others.reduce((x, y) => x + y, a) === 20;
  });
  // 2. SIGTERM: it stops consuming, and waits for its calls only as long as its grace period.
  leaving.kill('SIGTERM');
  const termAt = Date.now();
  expect(await leaving.exit).toEqual({ code: 1, signal: null });
  const waited = Date.now() - termAt;
  expect(waited).toBeGreaterThanOrEqual(GRACE_MS - 100);
  expect(waited).toBeLessThan(GRACE_MS + 1500);
  expect(leaving.output()).toContain('drain grace period ran out');
  // 3. The calls it gave up on went back to the queue at once: the other worker ran them again
  //    (they are idempotent), and every caller got its result before its deadline.
  const replies = await Promise.all(calls);
  expect(replies.filter((r) => r.error !== undefined)).toEqual([]);
  expect(replies.map((r) => r.result!.n)).toEqual(ns);
  expect(replies.filter((r) => !staying.some((w) => w.pid === r.result!.pid))).toEqual([]);
  expect(Math.max(...replies.map((r) => r.ms))).toBeLessThan(4000 + GRACE_MS + 4000);
});
