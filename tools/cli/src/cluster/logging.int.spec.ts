import { Cluster, type Proc, sleep, until } from './cluster.test-support';

// Issue 7: log levels set at runtime, cluster-wide. A gateway and two worker processes over the
// real RabbitMQ, every node on the run's bus (a fanout exchange on the same broker), logging at
// warn (the cluster tests' level). shots logs `listed projects` at debug; calc logs
// `update received` at debug.
jest.setTimeout(90_000);

const HEARTBEAT_MS = 500;

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start({
    workers: 2,
    configure: (config) => {
      config.node.heartbeatMs = HEARTBEAT_MS;
    },
  });
});
afterAll(() => cluster?.stop());

/** The API key of the config's key with `role`. */
function keyWith(role: string): string {
  const key = cluster.config.gateway?.apiKeys.find((k) => k.roles.includes(role));
  if (key === undefined) throw new Error(`config/cluster.yaml: gateway.apiKeys has no key with role ${role}`);
  return key.key;
}

interface Line {
  level: number;
  time: number;
  msg?: string;
  service?: string;
  method?: string;
  node?: string;
  traceId?: string;
}

/** The JSON log lines a worker has written so far, from the `from`-th character of its output. */
function lines(w: Proc, from = 0): Line[] {
  return w
    .output()
    .slice(from)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Line];
      } catch {
        return [];
      }
    });
}

const shotsDebug = (w: Proc, from = 0) => lines(w, from).filter((l) => l.level === 20 && l.service === 'shots');
const calcDebug = (w: Proc, from = 0) => lines(w, from).filter((l) => l.level === 20 && l.service === 'calc');

/** Calls shots and calc in small parallel rounds, so that both workers take some of each, until `stop()`. */
function keepCalling(): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all([0, 1, 2, 3].flatMap(() => [cluster.rpc('shots.listProjects', {}), cluster.rpc('calc.update', [1, 2])]));
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

describe('management.nodes', () => {
  it('lists the gateway and both workers, from their heartbeats over the bus', async () => {
    type Node = { name: string; role: string; pid: number; services: string[]; version: string; uptimeMs: number; inFlight: number };
    let nodes: Node[] = [];
    await until(
      'management.nodes lists three nodes',
      async () => {
        nodes = (await cluster.rpc<Node[]>('management.nodes', {})).result ?? [];
        return nodes.length === 3;
      },
      HEARTBEAT_MS * 6,
      () => `\nlast answer: ${JSON.stringify(nodes)}`,
    );
    expect(nodes.map((n) => n.role).sort()).toEqual(['gateway', 'worker', 'worker']);
    expect(nodes.filter((n) => n.role === 'worker').map((n) => n.pid).sort()).toEqual(cluster.workers.map((w) => w.pid).sort());
    expect(nodes.find((n) => n.role === 'gateway')).toMatchObject({ pid: cluster.gateway.pid, services: [] });
    for (const n of nodes.filter((x) => x.role === 'worker')) {
      expect(n.services).toEqual(expect.arrayContaining(['calc', 'shots', 'logging', 'management', 'system']));
      expect(n).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), uptimeMs: expect.any(Number), inFlight: expect.any(Number) });
    }
  });
});

describe('management.metrics', () => {
  it("adds up both workers' last minute, each worker counting the calls it answered", async () => {
    // calc.sum is called by no other test here: exactly these 40 calls, spread by the broker over both workers.
    const replies = await Promise.all(Array.from({ length: 40 }, () => cluster.rpc('calc.sum', { values: [1, 2] })));
    expect(replies.every((r) => r.result === 3)).toBe(true);
    type Metrics = { nodes: string[]; methods: { method: string; calls: number; errors: number }[] };
    let last: Metrics | undefined;
    await until(
      "management.metrics counts the 40 calls of calc.sum, from both workers",
      async () => {
        last = (await cluster.rpc<Metrics>('management.metrics', {})).result;
        return last?.nodes.length === 2 && last.methods.find((m) => m.method === 'calc.sum')?.calls === 40;
      },
      HEARTBEAT_MS * 6,
      () => `\nlast answer: ${JSON.stringify(last)}`,
    );
    expect(last!.nodes.map((id) => Number(id.split(':').pop())).sort()).toEqual(cluster.workers.map((w) => w.pid).sort());
    expect(last!.methods.find((m) => m.method === 'calc.sum')).toMatchObject({ calls: 40, errors: 0 });
    // And every node's queues, each with the node it is on: the workers' (their services'), and
    // the gateway's ("HTTP in", in front of everything it takes).
    type Listed = { node: string; queues: { name: string }[] }[];
    let listed: Listed = [];
    const pids = [cluster.gateway, ...cluster.workers].map((p) => p.pid).sort();
    await until(
      'management.queues lists the gateway and both workers',
      async () => {
        listed = (await cluster.rpc<Listed>('management.queues', {})).result ?? [];
        return JSON.stringify(listed.map((n) => Number(n.node.split(':').pop())).sort()) === JSON.stringify(pids);
      },
      HEARTBEAT_MS * 6,
      () => `\nlast answer: ${JSON.stringify(listed)}`,
    );
    const pidOf = (n: { node: string }) => Number(n.node.split(':').pop());
    for (const n of listed.filter((x) => pidOf(x) !== cluster.gateway.pid)) expect(n.queues.map((q) => q.name)).toEqual(expect.arrayContaining([expect.stringContaining('calc')]));
    expect(listed.find((x) => pidOf(x) === cluster.gateway.pid)!.queues.map((q) => q.name)).toEqual(expect.arrayContaining([expect.stringContaining('HTTP in')]));
  });
});

describe('logging.setLevel', () => {
  it('is refused without the operator role', async () => {
    const anonymous = await cluster.rpc('logging.setLevel', { service: 'shots', level: 'debug' });
    expect(anonymous.error).toMatchObject({ code: -32003, data: { code: 'UNAUTHENTICATED' } });
    const artist = await cluster.rpc('logging.setLevel', { service: 'shots', level: 'debug' }, 10_000, keyWith('artist'));
    expect(artist.error).toMatchObject({ code: -32004, data: { code: 'FORBIDDEN' } });
  });

  it("makes both workers emit shots' debug lines within a second, without restart, leaves calc at its level, and reverts after ttlMs", async () => {
    const [a, b] = cluster.workers;
    // 1. At the configured level (warn), neither worker writes a debug line of shots.
    const before = keepCalling();
    await sleep(300);
    await before.stop();
    expect([...shotsDebug(a), ...shotsDebug(b)]).toEqual([]);

    // 2. An operator sets shots to debug for 4 s, through the gateway; one worker takes the call
    // and publishes it on the bus, and every worker applies it.
    const marks = [a.output().length, b.output().length];
    const calls = keepCalling();
    const set = await cluster.rpc<{ expiresAt: number; nodes: string[] }>('logging.setLevel', { service: 'shots', level: 'debug', ttlMs: 4000 }, 10_000, keyWith('operator'));
    expect(set.error).toBeUndefined();
    expect(set.result!.nodes).toHaveLength(2);
    const answeredAt = Date.now();
    await until('both workers write debug lines of shots', () => shotsDebug(a, marks[0]).length > 0 && shotsDebug(b, marks[1]).length > 0, 1000, () =>
      `\n--- worker ${a.pid} ---\n${a.output().slice(marks[0])}\n--- worker ${b.pid} ---\n${b.output().slice(marks[1])}`,
    );
    expect(Date.now() - answeredAt).toBeLessThan(1000);
    // Each line as every line is: JSON, with service, method, node and trace id.
    expect(shotsDebug(a, marks[0])[0]).toMatchObject({ msg: 'listed projects', service: 'shots', method: 'listProjects', node: expect.any(String), traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });

    // 3. Other services stay at their level; logging.getLevels says so for each worker.
    const levels = await cluster.rpc<{ nodes: { role: string; levels: Record<string, string> }[] }>('logging.getLevels', {});
    const workers = levels.result!.nodes.filter((n) => n.role === 'worker');
    expect(workers).toHaveLength(2);
    for (const w of workers) expect(w.levels).toMatchObject({ shots: 'debug', calc: 'warn', system: 'warn' });

    // 4. After ttlMs every worker is back at warn, by itself.
    await until('the ttl has passed', () => Date.now() > set.result!.expiresAt + 300, 10_000);
    const after = [a.output().length, b.output().length];
    await sleep(500);
    await calls.stop();
    expect([...shotsDebug(a, after[0]), ...shotsDebug(b, after[1])]).toEqual([]);
    expect([...calcDebug(a, marks[0]), ...calcDebug(b, marks[1])]).toEqual([]);
    const reverted = await cluster.rpc<{ nodes: { role: string; levels: Record<string, string> }[]; overrides: unknown[] }>('logging.getLevels', {});
    expect(reverted.result!.overrides).toEqual([]);
    expect([a, b].every((w) => w.exited() === undefined)).toBe(true);
  });
});
