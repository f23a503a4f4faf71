import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type CallRequest, createLogger, type Handler, type Logger, newRequestId, type TcpTransportConfig, type ZeromqTransportConfig } from '@junction/core';

// Test support for the point-to-point transports (tcp, zeromq): configs with every field set,
// requests, free ports, a logger the test can read, and a worker in a child process to SIGKILL.

export type DirectType = 'tcp' | 'zeromq';
export type DirectConfig = TcpTransportConfig | ZeromqTransportConfig;

const COMMON = {
  maxPending: 5000,
  maxInFlight: 2000,
  maxQueue: 2000,
  maxFrameBytes: 16 * 1024 * 1024,
  reconnectInitialMs: 50,
  reconnectMaxMs: 200,
  heartbeatMs: 1000,
};

/** A config with every field set (as the schema's defaults would), `overrides` on top. */
export function directConfig<T extends DirectType>(type: T, overrides: Partial<DirectConfig> = {}): Extract<DirectConfig, { type: T }> {
  const base = type === 'tcp' ? { type, ...COMMON, poolSize: 2, connectTimeoutMs: 2000 } : { type, ...COMMON };
  return { ...base, ...overrides, type } as Extract<DirectConfig, { type: T }>;
}

export function request(service: string, args: CallRequest['args'] = {}, timeoutMs = 5000, method = 'm'): CallRequest {
  return { id: newRequestId(), service, method, args, meta: { deadline: Date.now() + timeoutMs, attempt: 1 } };
}

export const echo: Handler = async (req) => ({ id: req.id, result: req.args });

/** A port nothing listens on (the OS gave it, and it was closed again). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/** A pino logger whose lines the test can read. */
export function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { log, lines };
}

/** A worker in a process of its own serving `echo` (answers at once) and `hang` (never answers) on a transport of `type`. */
export interface ChildWorker {
  readonly port: number;
  readonly process: ChildProcess;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
}

const FIXTURE = join(__dirname, '..', 'fixtures', 'serve-direct.ts');

export async function childWorker(type: DirectType, port = 0): Promise<ChildWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', '@junction/source', FIXTURE, type, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const listening = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${type} child worker did not start within 20 s: ${output}`)), 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening (\d+)/.exec(output);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`the ${type} child worker exited (${code}) before listening: ${output}`)));
  });
  return { port: listening, process: child, exited };
}
