import { Cluster, rabbitmqctl, type RpcOutcome, sleep, until } from './cluster.test-support';

// Stops the shared broker: it runs alone (`npm test` runs *.serial.spec.ts after the parallel suites).
jest.setTimeout(90_000);

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start({ workers: 2 });
});
afterAll(async () => {
  await rabbitmqctl('start_app').catch(() => undefined);
  await cluster?.stop();
});

it('fails calls fast with UNAVAILABLE while the broker is down, and serves again within 10 s of its return, with no process restarted', async () => {
  const pids = [cluster.gateway, ...cluster.workers].map((p) => p.pid);
  const timeoutMs = 5000;
  const results: RpcOutcome<{ pid: number; n: number }>[] = [];
  let calling = true;
  // 1. Steady calls through the gateway, one every 50 ms on each of two lanes.
  const lanes = [0, 1].map(async (lane) => {
    for (let n = lane; calling; n += 2) {
      results.push(await cluster.rpc<{ pid: number; n: number }>('probe.sleep', { ms: 0, n }, timeoutMs));
      await sleep(50);
    }
  });
  try {
    await until('calls succeed', () => results.some((r) => r.result !== undefined));
    // 2. The broker goes away.
    await rabbitmqctl('stop_app');
    const downAt = Date.now();
    await sleep(1500);
    // 3. It comes back; calls succeed again within 10 s, through the same processes.
    await rabbitmqctl('start_app');
    const backAt = Date.now();
    await until('calls succeed again', () => results.some((r) => r.at > backAt && r.result !== undefined), 10_000);
    const recoveredAt = Date.now();
    const ready = async (url: string) => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
    await until('every process is ready again', async () => (await Promise.all([cluster.gateway, ...cluster.workers].map((p) => ready(p.url)))).every(Boolean), Math.max(0, backAt + 10_000 - Date.now()));
    calling = false;
    await Promise.all(lanes);

    // While it was down, every call failed fast with UNAVAILABLE, none waiting for its deadline.
    const duringOutage = results.filter((r) => r.at >= downAt && r.at + r.ms <= backAt);
    expect(duringOutage.length).toBeGreaterThan(10);
    expect(duringOutage.filter((r) => r.error?.data?.code !== 'UNAVAILABLE')).toEqual([]);
    expect(duringOutage.filter((r) => r.error?.code !== -32005)).toEqual([]);
    // No call at all, before, during or after, waited anywhere near its deadline.
    expect(results.filter((r) => r.ms >= 1000)).toEqual([]);
    expect(results.filter((r) => r.error !== undefined && r.error.data?.code !== 'UNAVAILABLE')).toEqual([]);
    expect(recoveredAt - backAt).toBeLessThan(10_000);
    // The calls after recovery reach both workers, which are the processes started at first.
    const after = await Promise.all(Array.from({ length: 20 }, (_, n) => cluster.rpc<{ pid: number; n: number }>('probe.sleep', { ms: 50, n })));
    expect(after.filter((r) => r.error !== undefined)).toEqual([]);
    expect(new Set(after.map((r) => r.result!.pid))).toEqual(new Set(cluster.workers.map((w) => w.pid)));
    expect([cluster.gateway, ...cluster.workers].map((p) => p.pid)).toEqual(pids);
    for (const p of [cluster.gateway, ...cluster.workers]) expect(p.exited()).toBeUndefined();
  } finally {
    calling = false;
    await Promise.all(lanes);
    await rabbitmqctl('start_app').catch(() => undefined);
  }
});
