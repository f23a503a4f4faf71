import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { type AmqpTransportConfig, type CallRequest, createLogger, type Handler, jsonCodec, type Logger, newRequestId, silentLogger } from '@junction/core';
import { type Channel, connect } from 'amqplib';
import { type AmqpTransport, type AmqpTransportOptions, createAmqpTransport } from './amqp';

// Test support for the integration tests against the real broker (JUNCTION_AMQP_URL). Every queue of this run carries a
// prefix of its own, so runs never see each other's messages, and is deleted at the end.
export const URL = process.env.JUNCTION_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const RUN = `junction.test.${process.pid}.${randomBytes(3).toString('hex')}`;
export const CONFIG: AmqpTransportConfig = {
  type: 'amqp',
  url: URL,
  prefetch: 100,
  queuePrefix: `${RUN}.svc.`,
  deadLetterQueue: `${RUN}.dead`,
  maxPending: 5000,
  reconnectInitialMs: 50,
  reconnectMaxMs: 1000,
  heartbeatSeconds: 5,
};

export const created = new Set<string>([CONFIG.deadLetterQueue]);
export const opened: AmqpTransport[] = [];
let services = 0;

export function newService(): string {
  const service = `s${++services}x${randomBytes(2).toString('hex')}`;
  created.add(CONFIG.queuePrefix + service);
  return service;
}

export function deadLetterQueue(tag: string): string {
  const name = `${RUN}.dead.${tag}`;
  created.add(name);
  return name;
}

export async function started(name: string, config: Partial<AmqpTransportConfig> = {}, opts: { log?: Logger; options?: AmqpTransportOptions } = {}): Promise<AmqpTransport> {
  const t = createAmqpTransport({ ...CONFIG, ...config }, { name, log: opts.log ?? silentLogger() }, jsonCodec, opts.options);
  opened.push(t);
  await t.start();
  expect(t.ready()).toBe(true);
  return t;
}

export function request(service: string, args: CallRequest['args'] = {}, timeoutMs = 5000): CallRequest {
  return { id: newRequestId(), service, method: 'm', args, meta: { deadline: Date.now() + timeoutMs, attempt: 1 } };
}

export const echo: Handler = async (req) => ({ id: req.id, result: req.args });

/** Runs `fn` on a channel of a connection of its own (a failed operation closes its channel). */
export async function withChannel<T>(fn: (ch: Channel) => Promise<T>, confirm = false): Promise<T> {
  const conn = await connect(URL);
  conn.on('error', () => undefined);
  try {
    const ch = confirm ? await conn.createConfirmChannel() : await conn.createChannel();
    ch.on('error', () => undefined);
    return await fn(ch);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

export const consumerCount = (queue: string) => withChannel(async (ch) => (await ch.checkQueue(queue)).consumerCount);

export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/** A pino logger whose lines the test can read. */
export function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { log, lines };
}

export const rabbitmqctl = (...args: string[]) => promisify(execFile)('rabbitmqctl', args, { timeout: 60_000 });

/** Leaves the broker running and removes every queue this run made; call from afterAll. */
export async function cleanUp(): Promise<void> {
  await rabbitmqctl('start_app').catch(() => undefined);
  await Promise.all(opened.map((t) => t.kill()));
  await withChannel(async (ch) => {
    for (const q of created) await ch.deleteQueue(q).catch(() => undefined);
  });
}
