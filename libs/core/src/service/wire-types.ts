import { types } from 'node:util';
import { Kind, type SchemaOptions, type TUnsafe, Type } from '@sinclair/typebox';

/**
 * A point in time. The handler receives and may return a `Date`; on the wire (JSON, the envelope,
 * `system.describe`) it is an ISO 8601 string with a zone, and XML-RPC carries it as
 * `<dateTime.iso8601>`.
 *
 * @example
 * params: { since: DateTime({ description: 'Changes after this moment.' }) },
 * handler: ({ since }) => since.getTime(), // since is a Date
 */
export function DateTime(options: SchemaOptions = {}): TUnsafe<Date> {
  return Type.Unsafe<Date>({ ...options, type: 'string', format: 'date-time' });
}

/**
 * Bytes. The handler receives a `Uint8Array` and may return one (a `Buffer` too); on the wire it
 * is base64 text (`format: byte` makes the validator check it is base64), and XML-RPC carries it
 * as `<base64>`.
 *
 * @example
 * params: { thumbnail: Binary({ maxLength: 1_000_000 }) }, // maxLength counts base64 characters
 * handler: ({ thumbnail }) => thumbnail.byteLength,
 */
export function Binary(options: SchemaOptions = {}): TUnsafe<Uint8Array> {
  return Type.Unsafe<Uint8Array>({ ...options, type: 'string', contentEncoding: 'base64', format: 'byte' });
}

interface Keywords {
  format?: unknown;
  contentEncoding?: unknown;
  [Kind]?: unknown;
}

/** A schema position whose string is a `Date` for the handler. */
export function isDateTimeSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as Keywords).format === 'date-time';
}

/** A schema position whose string is a `Uint8Array` for the handler. */
export function isBinarySchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as Keywords).contentEncoding === 'base64';
}

/**
 * A value as it travels: every `Date` an ISO 8601 string, every `Uint8Array` (and `Buffer`)
 * base64 text, inside arrays and plain objects too. Returns the very same value, allocating
 * nothing, when there is nothing to convert; copies only the containers on the way to a change.
 * Checks with `util.types`, not `instanceof`, so values made in another realm convert as well.
 */
export function toWireValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (types.isDate(value)) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (types.isUint8Array(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const w = toWireValue(v);
      if (w !== v) (out ??= value.slice())[i] = w;
    }
    return out ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  // Only plain objects are walked (their prototype is some realm's Object.prototype, or none);
  // class instances keep their own JSON form (toJSON).
  if (proto !== null && Object.getPrototypeOf(proto) !== null) return value;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    const w = toWireValue(v);
    if (w === v) continue;
    out ??= { ...(value as Record<string, unknown>) };
    // defineProperty: a key named "__proto__" stays a key instead of replacing the prototype.
    Object.defineProperty(out, key, { value: w, enumerable: true, writable: true, configurable: true });
  }
  return out ?? value;
}

/**
 * Params declared with a plain `Type.String({ format: 'date-time' })` or
 * `Type.String({ contentEncoding: 'base64' })`: the provider hands such a param to the handler as
 * a `Date` / `Uint8Array`, so a handler typed `string` would be wrong at run time. Results are
 * not checked: a handler that returns the string its type says is sent as it is.
 */
export function checkWireTypes(where: string, params: unknown): string[] {
  const problems: string[] = [];
  const props = (params as { properties?: Record<string, unknown> } | null)?.properties ?? {};
  for (const [name, schema] of Object.entries(props)) {
    visit(schema, '', (s, path) => {
      if ((s as Keywords)[Kind] !== 'String') return;
      const at = `${where}: param "${name}"${path === '' ? '' : ` at ${path}`}`;
      if (isDateTimeSchema(s)) problems.push(`${at} is Type.String({ format: 'date-time' }), typed string while its handler receives a Date; declare it with DateTime() from @junction/core`);
      if (isBinarySchema(s)) problems.push(`${at} is Type.String({ contentEncoding: 'base64' }), typed string while its handler receives a Uint8Array; declare it with Binary() from @junction/core`);
    });
  }
  return problems;
}

const ONE_SCHEMA = ['items', 'additionalItems', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'] as const;
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
const SCHEMA_MAPS = ['properties', 'patternProperties'] as const;

/** Every subschema, with its JSON Pointer below the start (`/properties/at`). */
function visit(schema: unknown, path: string, see: (schema: object, path: string) => void): void {
  if (typeof schema !== 'object' || schema === null) return;
  see(schema, path);
  const s = schema as Record<string, unknown>;
  for (const key of ONE_SCHEMA) {
    const sub = s[key];
    if (Array.isArray(sub)) sub.forEach((x, i) => visit(x, `${path}/${key}/${i}`, see));
    else visit(sub, `${path}/${key}`, see);
  }
  for (const key of SCHEMA_LISTS) {
    const list = s[key];
    if (Array.isArray(list)) list.forEach((x, i) => visit(x, `${path}/${key}/${i}`, see));
  }
  for (const key of SCHEMA_MAPS) {
    const map = s[key];
    if (typeof map === 'object' && map !== null) for (const [k, x] of Object.entries(map)) visit(x, `${path}/${key}/${k}`, see);
  }
}
