import { type TSchema } from '@sinclair/typebox';
import { type CallReply, type CallRequest } from '../envelope';
import { type ErrorCode } from '../errors';
import { silentLogger } from '../logging';
import { type MethodDescription } from '../provider/describe';
import { type Clock, type Handler, type LinkDeps, type ProxyStatus } from './proxy';

// Test support for the proxies' unit tests: a clock that moves only when told (sleeping moves it),
// a next handler that answers from a script and records what it got, and LinkDeps built from a
// table of method flags instead of system.describe.

export class FakeClock implements Clock {
  at = 1_000_000;
  readonly slept: number[] = [];

  now(): number {
    return this.at;
  }

  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.at += ms;
  }

  advance(ms: number): void {
    this.at += ms;
  }
}

export const request = (service: string, method: string, args: CallRequest['args'] = {}, meta: CallRequest['meta'] = {}): CallRequest => ({
  id: 'req-1',
  service,
  method,
  args,
  meta,
});

export const ok = (req: CallRequest, result: unknown): CallReply => ({ id: req.id, result });
export const fail = (req: CallRequest, code: ErrorCode, message = `failed with ${code}`): CallReply => ({ id: req.id, error: { code, message } });

/** A next handler: answers each request with `answer(req, n)` (n counts from 1) and keeps what it got. */
export function recorder(answer: (req: CallRequest, n: number) => CallReply | Promise<CallReply>): Handler & { seen: CallRequest[] } {
  const seen: CallRequest[] = [];
  const handler = async (req: CallRequest) => {
    seen.push(req);
    return answer(req, seen.length);
  };
  return Object.assign(handler, { seen });
}

/** A required param of a described method (its schema does not matter to the proxies). */
export const param = (name: string): MethodDescription['params'][number] => ({ name, schema: {} as TSchema, required: true });

/** A method description with defaults, as system.describe would give it. */
export function described(name: string, flags: Partial<MethodDescription> = {}): MethodDescription {
  return { name, description: name, params: [], result: {}, examples: [], idempotent: false, safe: false, sensitive: false, variadic: false, ...flags } as MethodDescription;
}

export interface FakeDeps extends LinkDeps {
  clock: FakeClock;
  statuses: (() => ProxyStatus)[];
  closers: (() => Promise<void>)[];
}

/** LinkDeps whose method flags come from `methods` (`'svc.m'` to a description; absent means unknown). */
export function linkDeps(methods: Record<string, MethodDescription> = {}, target = 'remote:t'): FakeDeps {
  const statuses: (() => ProxyStatus)[] = [];
  const closers: (() => Promise<void>)[] = [];
  return {
    transports: new Map(),
    log: silentLogger(),
    clock: new FakeClock(),
    random: () => 0.5,
    methods: async (req) => methods[`${req.service}.${req.method}`],
    target: () => target,
    onClose: (c) => closers.push(c),
    observe: (s) => statuses.push(s),
    statuses,
    closers,
  };
}
