import { randomBytes } from 'node:crypto';
import { type Bus, type BusMessage, createBus, parseConfig, silentLogger } from '@junction/core';
import { connect } from 'amqplib';
import '../index';
import { createAmqpBus } from './amqp-bus';

// Against the real broker (JUNCTION_AMQP_URL): each test has an exchange of its own.
const URL = process.env.JUNCTION_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const log = silentLogger();
const opened: Bus[] = [];
const newExchange = () => `junction.test.${process.pid}.${randomBytes(3).toString('hex')}.bus`;

async function bus(exchange: string): Promise<Bus> {
  const b = createAmqpBus({ url: URL, exchange, heartbeatSeconds: 5, reconnectInitialMs: 50, reconnectMaxMs: 500, log });
  opened.push(b);
  await b.start();
  return b;
}

function collect(b: Bus, topic: string): BusMessage[] {
  const got: BusMessage[] = [];
  b.subscribe(topic, (m) => got.push(m));
  return got;
}

async function until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  for (const b of opened.splice(0)) await b.close();
});

describe('amqp bus', () => {
  it("delivers a message to every node's subscribers of its topic, the publisher's own included", async () => {
    const exchange = newExchange();
    const [a, b] = [await bus(exchange), await bus(exchange)];
    expect(a.ready() && b.ready()).toBe(true);
    const onA = collect(a, 'node.heartbeat');
    const onB = collect(b, 'node.heartbeat');
    const otherTopic = collect(b, 'logging.level');
    await a.publish('node.heartbeat', { id: 'a', n: 1 });
    await until('both nodes have the message', () => onA.length === 1 && onB.length === 1);
    expect(onB).toEqual([{ id: 'a', n: 1 }]);
    expect(otherTopic).toEqual([]);
  });

  it('keeps clusters on different exchanges apart', async () => {
    const a = await bus(newExchange());
    const b = await bus(newExchange());
    const onB = collect(b, 't');
    const onA = collect(a, 't');
    await a.publish('t', { from: 'a' });
    await until('a has its own message', () => onA.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(onB).toEqual([]);
  });

  it('leaves nothing on the broker once its last node closes', async () => {
    const exchange = newExchange();
    const a = await bus(exchange);
    await a.close();
    const conn = await connect(URL);
    try {
      const ch = await conn.createChannel();
      const gone = new Promise<Error>((resolve) => ch.on('error', resolve));
      await ch.checkExchange(exchange).catch(() => undefined);
      await expect(gone).resolves.toMatchObject({ message: expect.stringContaining('NOT_FOUND') });
    } finally {
      await conn.close().catch(() => undefined);
    }
  });

  it('refuses to publish while disconnected, naming the exchange and the broker', async () => {
    const b = createAmqpBus({ url: 'amqp://guest:guest@127.0.0.1:1', exchange: 'x.bus', heartbeatSeconds: 5, reconnectInitialMs: 50, reconnectMaxMs: 500, log });
    opened.push(b);
    await b.start();
    expect(b.ready()).toBe(false);
    await expect(b.publish('t', {})).rejects.toThrow('amqp bus x.bus is disconnected from 127.0.0.1:1 (reconnecting); "t" was not published');
  });

  it('is what `bus: { type: amqp, transport }` makes, on `<queuePrefix>bus` of that transport', async () => {
    const prefix = `junction.test.${process.pid}.${randomBytes(3).toString('hex')}.svc.`;
    const yaml = `transports:\n  rabbit: { type: amqp, url: "${URL}", queuePrefix: "${prefix}" }\nbus:\n  type: amqp\n  transport: rabbit\n`;
    const config = parseConfig(yaml, 'bus.yaml', {});
    const b = createBus({ config, configFile: 'bus.yaml', log });
    opened.push(b);
    await b.start();
    const got = collect(b, 't');
    const other = await bus(`${prefix}bus`);
    await other.publish('t', { ok: true });
    await until('the configured bus hears the other', () => got.length === 1);
  });
});
