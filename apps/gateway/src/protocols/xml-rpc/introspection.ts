import { type CallMeta, errors, fromWire, JunctionError, type MethodDescription, type ServiceDescription } from '@junction/core';
import { type Invoke } from '../../edge';

/** The methods this slice answers itself; every other `system.*` goes to the system service. */
export const INTROSPECTION = ['system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall'] as const;

interface Entry {
  readonly expires: number;
  readonly services: Promise<readonly ServiceDescription[]>;
}

/**
 * Every service's description, learnt by calling `system.describe` through the same chain as every
 * call (as the JSON catalog does), and kept for `ttlMs` (30 s). Concurrent lookups share one
 * describe call; a failed describe is not kept.
 */
export class Descriptions {
  readonly #invoke: Invoke;
  readonly #ttlMs: number;
  #entry: Entry | undefined;

  constructor(invoke: Invoke, ttlMs = 30_000) {
    this.#invoke = invoke;
    this.#ttlMs = ttlMs;
  }

  services(meta: CallMeta): Promise<readonly ServiceDescription[]> {
    const now = Date.now();
    if (this.#entry === undefined || this.#entry.expires <= now) {
      const fresh: Entry = { expires: now + this.#ttlMs, services: this.#load(meta) };
      fresh.services.catch(() => {
        if (this.#entry === fresh) this.#entry = undefined;
      });
      this.#entry = fresh;
    }
    return this.#entry.services;
  }

  /** Throws METHOD_NOT_FOUND naming what is unknown. */
  async method(full: string, meta: CallMeta): Promise<MethodDescription> {
    const dot = full.indexOf('.');
    const service = full.slice(0, dot);
    const name = full.slice(dot + 1);
    if (dot <= 0) throw new JunctionError('METHOD_NOT_FOUND', `no method "${full}": methods are named "service.method", e.g. "calc.subtract"`, { method: full });
    const s = (await this.services(meta)).find((d) => d.name === service);
    if (s === undefined) throw errors.methodNotFound(service);
    const m = s.methods.find((x) => x.name === name);
    if (m === undefined) throw errors.methodNotFound(service, name);
    return m;
  }

  async #load(meta: CallMeta): Promise<readonly ServiceDescription[]> {
    const reply = await this.#invoke('system', 'describe', {}, meta);
    if (reply.error !== undefined) throw fromWire(reply.error);
    return Array.isArray(reply.result) ? (reply.result as ServiceDescription[]) : [];
  }
}

interface Schema {
  type?: unknown;
  format?: unknown;
  contentEncoding?: unknown;
  items?: unknown;
}

/**
 * A JSON schema's XML-RPC type name; 'undef' where no one type fits (unions, unknown), as the
 * introspection convention says.
 */
export function xmlRpcType(schema: unknown): string {
  const s = (schema ?? {}) as Schema;
  switch (s.type) {
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'string':
      if (s.format === 'date-time') return 'dateTime.iso8601';
      if (s.contentEncoding === 'base64') return 'base64';
      return 'string';
    case 'array':
      return 'array';
    case 'object':
      return 'struct';
    case 'null':
      return 'nil';
    default:
      return 'undef';
  }
}

/**
 * `system.methodSignature`'s answer: one signature, `[result, ...params]` in declared order. A
 * variadic method's last param (the rest) is shown as the type of its items, as it is sent by
 * position (`calc.sum(1, 2, 4)`).
 */
export function signatureOf(m: MethodDescription): string[][] {
  const params = m.params.map((p, i) => {
    const rest = m.variadic && i === m.params.length - 1;
    return xmlRpcType(rest ? (p.schema as Schema).items : p.schema);
  });
  return [[xmlRpcType(m.result), ...params]];
}
