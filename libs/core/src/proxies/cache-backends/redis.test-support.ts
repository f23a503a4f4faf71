import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { type CallReply } from '../../envelope';
import { type Logger, silentLogger } from '../../logging';
import { createCache } from '../cache';
import { described, FakeClock, linkDeps, recorder, request } from '../proxy.test-support';

// Test support for the Redis cache tests: the real server at JUNCTION_REDIS_URL, a cache link on
// it with a key prefix of its own (so runs never see each other's entries), a counted next
// handler and a logger that keeps its warnings.

export const REDIS_URL = process.env.JUNCTION_REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = promisify(execFile);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(25);
  }
}

export async function redisAnswers(): Promise<boolean> {
  return run('redis-cli', ['-p', '6379', 'ping'], { timeout: 2000 }).then(
    ({ stdout }) => stdout.trim() === 'PONG',
    () => false,
  );
}

export async function stopRedis(): Promise<void> {
  await run('redis-cli', ['-p', '6379', 'shutdown', 'nosave'], { timeout: 10_000 }).catch(() => undefined);
  await until('redis has stopped', async () => !(await redisAnswers()));
}

/** Starts the shared server as tools/test-servers/ensure.js does, and waits until it answers. */
export async function startRedis(): Promise<void> {
  if (await redisAnswers()) return;
  mkdirSync('/var/lib/redis', { recursive: true });
  mkdirSync('/var/log/redis', { recursive: true });
  await run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log'], {
    timeout: 10_000,
  });
  await until('redis answers', redisAnswers);
}

/** A logger that keeps the messages of its warnings and infos. */
export function keepingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (objOrMsg: unknown, msg?: string) => lines.push(`${level}: ${typeof objOrMsg === 'string' ? objOrMsg : msg}`);
  return Object.assign(Object.create(silentLogger()) as Logger, { warn: keep('warn'), info: keep('info'), lines });
}

/** A cache link on the real Redis with a prefix of its own, over a next handler that counts its calls. */
export function redisCache(opts: { ttlMs?: number; timeoutMs?: number } = {}) {
  const log = keepingLogger();
  const deps = { ...linkDeps({ 'calc.divide': described('divide', { cache: { ttlMs: opts.ttlMs ?? 60_000 } }) }), log, clock: new FakeClock() };
  const next = recorder((r, n) => ({ id: r.id, result: { run: n, args: r.args } }));
  const prefix = `junction:test:${process.pid}:${randomBytes(3).toString('hex')}:`;
  const link = createCache({ type: 'cache', backend: { type: 'redis', url: REDIS_URL, keyPrefix: prefix, timeoutMs: opts.timeoutMs ?? 250 } }, deps)(next);
  return {
    call: (args: Record<string, unknown>): Promise<CallReply> => link(request('calc', 'divide', args)),
    executions: () => next.seen.length,
    status: () => {
      const status = deps.statuses[0]();
      if (status.type !== 'cache') throw new Error(`expected the status of a cache, got ${status.type}`);
      return status;
    },
    close: () => Promise.all(deps.closers.map((c) => c())),
    log,
    prefix,
  };
}
