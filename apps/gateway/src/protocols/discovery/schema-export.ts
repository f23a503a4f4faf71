import { toWireValue } from '@junction/core';

/** A JSON Schema as a document holds it: plain JSON, no symbols, no JavaScript-only values. */
export type JsonSchema = { [keyword: string]: unknown } | boolean;

/**
 * Which JSON Schema a document speaks. OpenRPC 1.3 holds draft-07 schemas (its meta-schema's
 * `JSONSchema`); OpenAPI 3.1 holds 2020-12 schemas. They differ where TypeBox writes tuples
 * (`items: [...]` in draft-07, `prefixItems` in 2020-12) and in the `unevaluated*` keywords,
 * which draft-07 does not have.
 */
export type Dialect = 'draft-07' | '2020-12';

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

// TypeBox's types for JavaScript values (Type.Date, Type.Uint8Array, ...) write `type` names no
// JSON Schema knows. On the wire those values travel as Junction's wire types do (core's
// DateTime and Binary): a Date as ISO 8601 text, bytes as base64, nothing as null.
const WIRE_FORMS: Readonly<Record<string, { [keyword: string]: unknown }>> = {
  Date: { type: 'string', format: 'date-time' },
  Uint8Array: { type: 'string', contentEncoding: 'base64', format: 'byte' },
  undefined: { type: 'null' },
  void: { type: 'null' },
  bigint: { type: 'integer' },
};

/** Kept from a schema whose type is replaced: what documents it, not what constrains a JavaScript value. */
const ANNOTATIONS = ['title', 'description', 'default', 'examples', '$comment', 'deprecated', 'readOnly', 'writeOnly'];

const ONE_SCHEMA = new Set(['additionalProperties', 'additionalItems', 'contains', 'not', 'if', 'then', 'else', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const NUMBERS = new Set([
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minContains', 'maxContains',
]);
// A schema embedded in a document speaks the document's dialect; its own `$schema` would say otherwise.
const DROPPED = new Set(['$schema']);

// No real schema nests this deep; a JavaScript object that refers to itself would otherwise never end.
const MAX_DEPTH = 64;

/**
 * A value as JSON carries it: Dates as ISO 8601 text, bytes as base64 (as the wire does),
 * bigints as numbers, and nothing JSON cannot say (functions, symbols, undefined, symbol keys,
 * NaN and the infinities become absent or null, as `JSON.stringify` has them).
 */
export function plainValue(value: unknown): unknown {
  const text = JSON.stringify(toWireValue(value), (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  return text === undefined ? undefined : JSON.parse(text);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Turns the schemas of service definitions (TypeBox's, as `system.describe` gives them, or
 * straight from a definition) into schemas a document may hold:
 * - only JSON: symbol keys, functions and other JavaScript-only values are dropped;
 * - TypeBox's JavaScript types become their wire forms (`Type.Date()` is a `date-time` string,
 *   `Type.Uint8Array()` base64 bytes), as core's DateTime() and Binary() already are;
 * - written in the document's dialect;
 * - a schema with an `$id` (TypeBox's `Type.Recursive` and `Type.Ref` targets) becomes a named
 *   component, referred to as `<refBase><name>`: an `$id` inside an embedded schema would clash
 *   with the same `$id` elsewhere in the document, and its relative `$ref`s would resolve against
 *   the document instead of the schema.
 *
 * One exporter per document: it collects the components its schemas refer to.
 */
export class SchemaExporter {
  readonly #dialect: Dialect;
  readonly #refBase: string;
  readonly #reserved: ReadonlySet<string>;
  /** The component name of each `$id` met or referred to, the first one of that `$id`. */
  readonly #names = new Map<string, string>();
  /** The component of each schema by its `$id` and source text: the same schema met again is referred to, not copied. */
  readonly #bySource = new Map<string, string>();
  readonly #defined = new Set<string>();
  readonly #components = new Map<string, JsonSchema>();

  constructor(opts: { dialect: Dialect; refBase: string; reserved?: Iterable<string> }) {
    this.#dialect = opts.dialect;
    this.#refBase = opts.refBase;
    this.#reserved = new Set(opts.reserved ?? []);
  }

  /** `schema` as a document holds it; anything that is not a schema documents any value (`{}`). */
  export(schema: unknown): JsonSchema {
    return this.#schema(schema, new Map(), 0);
  }

  /**
   * The components the exported schemas refer to, by name. A `$ref` to an `$id` never seen (a
   * `Type.Ref` whose target no method declares) gets a component that allows any value and says so.
   */
  components(): Record<string, JsonSchema> {
    const out: Record<string, JsonSchema> = {};
    for (const [id, name] of this.#names) {
      out[name] = this.#components.get(name) ?? { description: `The schema "${id}", which the service's schemas refer to but do not define.` };
    }
    for (const [name, schema] of this.#components) out[name] ??= schema;
    return out;
  }

  #schema(schema: unknown, scope: ReadonlyMap<string, string>, depth: number): JsonSchema {
    if (typeof schema === 'boolean') return schema;
    if (!isObject(schema) || depth > MAX_DEPTH) return {};
    if (typeof schema.$id === 'string' && schema.$id !== '') return this.#component(schema, schema.$id, scope, depth);
    return this.#body(schema, scope, depth);
  }

  #component(schema: Record<string, unknown>, id: string, scope: ReadonlyMap<string, string>, depth: number): JsonSchema {
    const source = `${id}\u0000${JSON.stringify(plainValue(schema))}`;
    const seen = this.#bySource.get(source);
    if (seen !== undefined) return { $ref: `${this.#refBase}${seen}` };
    let name = this.#names.get(id);
    if (name === undefined || this.#defined.has(name)) {
      // Another schema under an `$id` already taken (two workers' TypeBox both count from T0): a name of its own.
      name = this.#free(id);
      if (!this.#names.has(id)) this.#names.set(id, name);
    }
    // The name is taken before its body is read: the body's `$ref`s to this `$id` (recursion) resolve to it.
    this.#bySource.set(source, name);
    this.#defined.add(name);
    const inner = new Map(scope).set(id, name).set('#', name);
    const { $id: _id, ...body } = schema;
    this.#components.set(name, this.#body(body, inner, depth + 1));
    return { $ref: `${this.#refBase}${name}` };
  }

  #free(wanted: string): string {
    const base = wanted.replace(/[^A-Za-z0-9._-]/g, '_') || 'schema';
    let name = base;
    for (let i = 2; this.#reserved.has(name) || this.#defined.has(name) || [...this.#names.values()].includes(name); i++) name = `${base}_${i}`;
    return name;
  }

  #ref(ref: string, scope: ReadonlyMap<string, string>): JsonSchema {
    const local = scope.get(ref);
    if (local !== undefined) return { $ref: `${this.#refBase}${local}` };
    if (ref.startsWith('#')) {
      // A JSON pointer into the schema's own resource: that resource is now a component.
      const current = scope.get('#');
      return current === undefined ? {} : { $ref: `${this.#refBase}${current}${ref.slice(1)}` };
    }
    let name = this.#names.get(ref);
    if (name === undefined) {
      name = this.#free(ref);
      this.#names.set(ref, name);
    }
    return { $ref: `${this.#refBase}${name}` };
  }

  #body(schema: Record<string, unknown>, scope: ReadonlyMap<string, string>, depth: number): JsonSchema {
    if (typeof schema.$ref === 'string') return this.#ref(schema.$ref, scope);
    const replaced = this.#replaced(schema, scope, depth);
    if (replaced !== undefined) return replaced;
    const out: Record<string, unknown> = {};
    const sub = (s: unknown) => this.#schema(s, scope, depth + 1);
    for (const key of Object.keys(schema)) {
      const value = schema[key];
      if (DROPPED.has(key) || value === undefined) continue;
      if (key === 'type') {
        const type = jsonTypes(value);
        if (type !== undefined) out.type = type;
      } else if (key === 'items') {
        out.items = Array.isArray(value) ? value.map(sub) : sub(value);
      } else if (ONE_SCHEMA.has(key)) {
        out[key] = sub(value);
      } else if (SCHEMA_LISTS.has(key)) {
        if (Array.isArray(value)) out[key] = value.map(sub);
      } else if (SCHEMA_MAPS.has(key)) {
        if (isObject(value)) out[key] = Object.fromEntries(Object.keys(value).map((k) => [k, sub(value[k])]));
      } else if (key === 'dependencies') {
        if (isObject(value)) out[key] = Object.fromEntries(Object.keys(value).map((k) => [k, Array.isArray(value[k]) ? plainValue(value[k]) : sub(value[k])]));
      } else if (NUMBERS.has(key)) {
        const n = typeof value === 'bigint' ? Number(value) : value;
        if (typeof n === 'number' && Number.isFinite(n)) out[key] = n;
      } else if (key === 'required') {
        if (Array.isArray(value)) out.required = value.filter((r) => typeof r === 'string');
      } else {
        const plain = plainValue(value);
        if (plain !== undefined) out[key] = plain;
      }
    }
    return this.#dialect === '2020-12' ? to202012(out) : toDraft07(out);
  }

  /** The wire form of a TypeBox JavaScript type (Date, Uint8Array, ...), or undefined for a JSON one. */
  #replaced(schema: Record<string, unknown>, scope: ReadonlyMap<string, string>, depth: number): JsonSchema | undefined {
    const type = schema.type;
    if (typeof type !== 'string' || JSON_TYPES.has(type)) return undefined;
    // A promise's value is what arrives; a RegExp is text that must match it.
    if (type === 'Promise') return this.#schema(schema.item, scope, depth + 1);
    const base = type === 'RegExp' && typeof schema.source === 'string' ? { type: 'string', pattern: schema.source } : (WIRE_FORMS[type] ?? {});
    const out: Record<string, unknown> = { ...base };
    for (const key of ANNOTATIONS) {
      const plain = key in schema ? plainValue(schema[key]) : undefined;
      if (plain !== undefined) out[key] = plain;
    }
    return out;
  }
}

/** `type` with TypeBox's JavaScript type names turned into the JSON types they travel as; undefined when none is left. */
function jsonTypes(value: unknown): string | string[] | undefined {
  const names = (Array.isArray(value) ? value : [value]).filter((t): t is string => typeof t === 'string');
  const types = [...new Set(names.map((t) => (JSON_TYPES.has(t) ? t : (WIRE_FORMS[t]?.type as string | undefined))).filter((t) => t !== undefined))];
  if (types.length === 0) return undefined;
  return Array.isArray(value) ? types : types[0];
}

function to202012(s: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(s.items)) {
    // Draft-07 tuple: `items` lists the positions, `additionalItems` says what may follow.
    const { items, additionalItems, ...rest } = s;
    return { ...rest, prefixItems: items, ...(additionalItems === undefined ? {} : { items: additionalItems }) };
  }
  if ('additionalItems' in s) {
    // Meaningless beside a single `items` schema, and gone from 2020-12.
    const { additionalItems: _ignored, ...rest } = s;
    return rest;
  }
  return s;
}

function toDraft07(s: Record<string, unknown>): Record<string, unknown> {
  const { prefixItems, unevaluatedProperties: _p, unevaluatedItems: _i, dependentRequired, dependentSchemas, ...rest } = s;
  const out: Record<string, unknown> = rest;
  if (Array.isArray(prefixItems)) {
    const { items, ...others } = out;
    Object.assign(others, { items: prefixItems }, items === undefined ? {} : { additionalItems: items });
    return withDependencies(others, dependentRequired, dependentSchemas);
  }
  return withDependencies(out, dependentRequired, dependentSchemas);
}

function withDependencies(s: Record<string, unknown>, required: unknown, schemas: unknown): Record<string, unknown> {
  if (!isObject(required) && !isObject(schemas)) return s;
  const dependencies = { ...(isObject(s.dependencies) ? s.dependencies : {}), ...(isObject(required) ? required : {}), ...(isObject(schemas) ? schemas : {}) };
  return { ...s, dependencies };
}
