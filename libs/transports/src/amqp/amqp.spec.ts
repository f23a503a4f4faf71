import { createServer } from 'node:net';
import { type AmqpTransportConfig, createLogger, newRequestId } from '@junction/core';
import { createTransport } from '../registry';
import { createAmqpTransport } from './amqp';
import { backoffMs } from '../backoff';
import { brokerAddress, serviceQueueOptions, urlWithHeartbeat } from './naming';

// What needs no broker: backoff, naming, and a transport whose broker cannot be reached.

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const config = (url: string): AmqpTransportConfig => ({
  type: 'amqp',
  url,
  prefetch: 10,
  queuePrefix: 'junction.unit.svc.',
  deadLetterQueue: 'junction.unit.dead',
  maxPending: 10,
  reconnectInitialMs: 20,
  reconnectMaxMs: 100,
  heartbeatSeconds: 0,
});

describe('amqp transport without a broker', () => {
  it('backs off exponentially from the first wait to the longest, with jitter', () => {
    const steps = [1, 2, 3, 4, 5, 6, 40].map((n) => [backoffMs(n, 100, 1000, () => 0), backoffMs(n, 100, 1000, () => 1)]);
    expect(steps).toEqual([[50, 100], [100, 200], [200, 400], [400, 800], [500, 1000], [500, 1000], [500, 1000]]);
  });

  it('names the broker by host and port only, never by its credentials', () => {
    expect(brokerAddress('amqp://user:sekret@rabbit.example:5673/vhost')).toBe('rabbit.example:5673');
    expect(brokerAddress('amqps://user:sekret@rabbit.example')).toBe('rabbit.example:5671');
    expect(urlWithHeartbeat('amqp://u:p@h:5672/v', 10)).toBe('amqp://u:p@h:5672/v?heartbeat=10');
    expect(urlWithHeartbeat('amqp://u:p@h:5672/v?heartbeat=3', 10)).toBe('amqp://u:p@h:5672/v?heartbeat=3');
  });

  it('declares service queues durable, without broker dead-lettering (expired requests must not crowd out poison)', () => {
    expect(serviceQueueOptions).toEqual({ durable: true });
  });

  it('is registered as "amqp" with its capabilities', () => {
    const t = createTransport(config('amqp://127.0.0.1:1'), { name: 'rabbit', log: createLogger({ level: 'silent' }) });
    expect(t.type).toBe('amqp');
    expect(t.capabilities).toEqual({ durable: true, ack: true, balancing: 'broker', serializes: true });
  });

  it('starts without a broker: logs why, is not ready, answers UNAVAILABLE at once, keeps retrying', async () => {
    const lines: { level: number; msg: string }[] = [];
    const log = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
    const port = await closedPort();
    const t = createAmqpTransport(config(`amqp://junction:sekret@127.0.0.1:${port}`), { name: 'rabbit', log });
    await expect(t.start()).resolves.toBeUndefined();
    expect(t.ready()).toBe(false);
    const t0 = Date.now();
    const reply = await t.call({ id: newRequestId(), service: 'calc', method: 'add', args: {}, meta: { deadline: Date.now() + 5000 } });
    expect(Date.now() - t0).toBeLessThan(50);
    expect(reply.error).toMatchObject({ code: 'UNAVAILABLE', message: `amqp transport "rabbit" is disconnected from 127.0.0.1:${port} (reconnecting)` });
    await new Promise((r) => setTimeout(r, 300));
    await t.close();
    expect(lines[0]).toMatchObject({ level: 50, msg: expect.stringContaining(`amqp transport "rabbit" cannot reach the broker at 127.0.0.1:${port} (connect ECONNREFUSED`) });
    // Several attempts in 300 ms, but one log line: the next is due only seconds later.
    expect(lines.filter((l) => l.level >= 40)).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain('sekret');
  });
});
