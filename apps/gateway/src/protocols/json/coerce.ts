import { isJunctionError, JunctionError, type MethodDescription, type ParamDescription, type ParamProblem } from '@junction/core';
import { parseJson } from '../../limits';

/** The parts of a JSON Schema that say how a query string value becomes a typed value. */
interface Schema {
  type?: string | string[];
  items?: Schema | Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  const?: unknown;
  enum?: unknown[];
}

/** A query string as fastify parses it: repeated keys are arrays. */
export type Query = Record<string, string | string[] | undefined>;

/** Turns a query string into args by name; throws INVALID_PARAMS naming every value it could not read. */
export type QueryCoercer = (query: Query) => Record<string, unknown>;

type Coerced = { ok: true; value: unknown } | { ok: false; message: string };
type Coerce = (text: string) => Coerced;

// Keys that would reach an object's prototype once assigned; refused like their JSON body twins.
const REFUSED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;

/**
 * Built once per method (when its description is fetched), not per request. Coerces each value by
 * its param's schema type: number, integer, boolean, null, JSON text for objects, arrays from
 * repeated keys (`?values=1&values=2`). Keys that are not params pass through as strings, for the
 * provider to refuse with its usual message.
 */
export function queryCoercer(full: string, params: readonly ParamDescription[], maxDepth: number): QueryCoercer {
  const byName = new Map<string, (raw: string | string[]) => Coerced>();
  for (const p of params) byName.set(p.name, paramCoercer(p.schema as Schema, Math.max(1, maxDepth - 1)));
  return (query) => {
    const args: Record<string, unknown> = {};
    const problems: ParamProblem[] = [];
    for (const key of Object.keys(query)) {
      const raw = query[key];
      if (raw === undefined) continue;
      if (REFUSED_KEYS.has(key)) {
        throw new JunctionError('INVALID_REQUEST', `the query string has the key "${key}", which is refused: it would alter object prototypes`, { refusedKey: key });
      }
      const coerce = byName.get(key);
      if (coerce === undefined) {
        args[key] = raw;
        continue;
      }
      const out = coerce(raw);
      if (out.ok) args[key] = out.value;
      else problems.push({ path: `/${key}`, message: out.message, actual: Array.isArray(raw) ? 'array' : 'string', schemaPath: `#/properties/${key}` });
    }
    if (problems.length > 0) {
      const list = problems.map((p) => `query param "${p.path.slice(1)}" ${p.message}`).join('; ');
      throw new JunctionError('INVALID_PARAMS', `${full}: ${list}`, { problems });
    }
    return args;
  };
}

/**
 * The coercer of each method, built on first use and kept while its description lives: the
 * catalog hands out the same description object until it refreshes.
 */
export function coercerCache(maxDepth: number): (service: string, m: MethodDescription) => QueryCoercer {
  const coercers = new WeakMap<MethodDescription, QueryCoercer>();
  return (service, m) => {
    let c = coercers.get(m);
    if (c === undefined) {
      c = queryCoercer(`${service}.${m.name}`, m.params, maxDepth);
      coercers.set(m, c);
    }
    return c;
  };
}

function paramCoercer(schema: Schema, maxDepth: number): (raw: string | string[]) => Coerced {
  if (typesOf(schema).has('array')) {
    const items = Array.isArray(schema.items) ? schema.items.map((s) => valueCoercer(s, maxDepth)) : undefined;
    const item = valueCoercer(Array.isArray(schema.items) ? {} : (schema.items ?? {}), maxDepth);
    return (raw) => {
      const list = Array.isArray(raw) ? raw : [raw];
      const out: unknown[] = [];
      for (let i = 0; i < list.length; i++) {
        const r = (items?.[i] ?? item)(list[i]);
        if (!r.ok) return { ok: false, message: `item ${i} ${r.message}` };
        out.push(r.value);
      }
      return { ok: true, value: out };
    };
  }
  const one = valueCoercer(schema, maxDepth);
  return (raw) => (Array.isArray(raw) ? { ok: false, message: `is given ${raw.length} times; it takes one value` } : one(raw));
}

const expected: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
  object: 'a JSON object, e.g. {"key":"value"}',
  string: 'a string',
};

function valueCoercer(schema: Schema, maxDepth: number): Coerce {
  // The order matters where a union allows several: the most specific reading wins, text last.
  const order = ['integer', 'number', 'boolean', 'null', 'object', 'string'];
  const types = typesOf(schema);
  const tries = order.filter((t) => types.has(t)).map((t) => converter(t, maxDepth));
  if (tries.length === 0) return (text) => ({ ok: true, value: text });
  const wanted = order.filter((t) => types.has(t)).map((t) => expected[t]).join(' or ');
  return (text) => {
    let detail = '';
    for (const attempt of tries) {
      const r = attempt(text);
      if (r.ok) return r;
      detail = r.message;
    }
    return { ok: false, message: `must be ${wanted}, got ${JSON.stringify(text)}${detail}` };
  };
}

const FAILED: Coerced = { ok: false, message: '' };

function converter(type: string, maxDepth: number): Coerce {
  switch (type) {
    case 'integer':
      return (t) => (INTEGER.test(t) && Number.isSafeInteger(Number(t)) ? { ok: true, value: Number(t) } : FAILED);
    case 'number':
      return (t) => (NUMBER.test(t) && Number.isFinite(Number(t)) ? { ok: true, value: Number(t) } : FAILED);
    case 'boolean':
      return (t) => (t === 'true' || t === '1' ? { ok: true, value: true } : t === 'false' || t === '0' ? { ok: true, value: false } : FAILED);
    case 'null':
      return (t) => (t === 'null' ? { ok: true, value: null } : FAILED);
    case 'object':
      return (t) => {
        try {
          const value = parseJson(t, maxDepth, 'the value');
          if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ok: true, value };
          return FAILED;
        } catch (err) {
          if (isJunctionError(err)) return { ok: false, message: ` (${err.message})` };
          throw err;
        }
      };
    default:
      return (t) => ({ ok: true, value: t });
  }
}

function typesOf(schema: Schema | undefined, out = new Set<string>()): Set<string> {
  if (typeof schema !== 'object' || schema === null) return out;
  if (typeof schema.type === 'string') out.add(schema.type);
  else if (Array.isArray(schema.type)) for (const t of schema.type) out.add(t);
  for (const member of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) typesOf(member, out);
  if ('const' in schema) out.add(jsonType(schema.const));
  for (const v of schema.enum ?? []) out.add(jsonType(v));
  return out;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
}
