import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isBinarySchema, isDateTimeSchema } from './wire-types';

/** Turns a value in wire form into what the handler sees: `Date`s and `Uint8Array`s where the schema says so. */
export type Reviver = (value: unknown) => unknown;

type Schema = Record<string, unknown>;

const identity: Reviver = (value) => value;

// Its own Ajv: picking a union's branch must not insert defaults (the provider's Ajv has
// useDefaults), and compiled branches stay apart from the provider's validators.
const branchAjv = addFormats(new Ajv({ strict: false, allErrors: false }));

/**
 * Compiled once per schema (at registration, or once per description at the gateway). Follows
 * properties, patternProperties, additionalProperties, items (tuples too: items as a list,
 * prefixItems, additionalItems), allOf, and the branch of an anyOf/oneOf that the value matches.
 * Strings at `format: date-time` become `Date`, at `contentEncoding: base64` `Uint8Array`. `$ref`
 * is not followed. Meant for values that passed validation: anything it does not expect is left
 * as it is. Copies the containers it changes; never mutates its input.
 *
 * A schema without such positions gets the identity function, so its calls pay no walk.
 */
export function compileReviver(schema: unknown): Reviver {
  return build(schema) ?? identity;
}

function build(schema: unknown): Reviver | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const s = schema as Schema;
  const steps: Reviver[] = [];
  if (isDateTimeSchema(s)) steps.push(reviveDate);
  else if (isBinarySchema(s)) steps.push(reviveBinary);
  for (const step of [objectReviver(s), arrayReviver(s), unionReviver(s.anyOf), unionReviver(s.oneOf)]) if (step !== undefined) steps.push(step);
  if (Array.isArray(s.allOf)) for (const member of s.allOf) pushDefined(steps, build(member));
  if (steps.length === 0) return undefined;
  if (steps.length === 1) return steps[0];
  return (value) => steps.reduce((v, step) => step(v), value);
}

function pushDefined(steps: Reviver[], step: Reviver | undefined): void {
  if (step !== undefined) steps.push(step);
}

function reviveDate(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  let ms = Date.parse(value);
  // A leap second (23:59:60) passes the date-time format but not Date.parse: it becomes the next second.
  if (Number.isNaN(ms)) ms = Date.parse(value.replace(/:60(?=[.,zZ+-])/, ':59')) + 1000;
  return Number.isNaN(ms) ? value : new Date(ms);
}

function reviveBinary(value: unknown): unknown {
  // Copied out of Buffer's shared pool, so the handler's bytes expose nothing else through .buffer.
  return typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : value;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectReviver(s: Schema): Reviver | undefined {
  const declared = isPlainObject(s.properties) ? s.properties : {};
  const props = new Map<string, Reviver>();
  for (const [key, sub] of Object.entries(declared)) {
    const r = build(sub);
    if (r !== undefined) props.set(key, r);
  }
  const patterns: [RegExp, Reviver | undefined][] = isPlainObject(s.patternProperties)
    ? Object.entries(s.patternProperties).map(([p, sub]) => [new RegExp(p, 'u'), build(sub)])
    : [];
  const extra = build(s.additionalProperties);
  if (props.size === 0 && extra === undefined && patterns.every(([, r]) => r === undefined)) return undefined;
  const names = new Set(Object.keys(declared));
  const set = (out: Record<string, unknown>, key: string, value: unknown) =>
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });

  // Only declared properties can change: look them up instead of walking every key.
  if (patterns.length === 0 && extra === undefined) {
    return (value) => {
      if (!isPlainObject(value)) return value;
      let out: Record<string, unknown> | undefined;
      for (const [key, revive] of props) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        const v = value[key];
        const w = revive(v);
        if (w !== v) set((out ??= { ...value }), key, w);
      }
      return out ?? value;
    };
  }
  return (value) => {
    if (!isPlainObject(value)) return value;
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const matching = patterns.filter(([re]) => re.test(key));
      const steps = [props.get(key), ...matching.map(([, r]) => r)];
      // additionalProperties covers the keys that neither properties nor patternProperties name.
      if (!names.has(key) && matching.length === 0) steps.push(extra);
      const v = value[key];
      let w = v;
      for (const step of steps) if (step !== undefined) w = step(w);
      if (w !== v) set((out ??= { ...value }), key, w);
    }
    return out ?? value;
  };
}

function arrayReviver(s: Schema): Reviver | undefined {
  // A tuple: draft 2020-12 `prefixItems` (+ `items` for the rest), or draft-07 `items: [...]` (+ `additionalItems`), as TypeBox writes it.
  const tuple = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
  const positions = (tuple ?? []).map(build);
  const rest = build(tuple === undefined ? s.items : Array.isArray(s.prefixItems) ? s.items : s.additionalItems);
  if (rest === undefined && positions.every((r) => r === undefined)) return undefined;
  return (value) => {
    if (!Array.isArray(value)) return value;
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const revive = i < positions.length ? positions[i] : rest;
      if (revive === undefined) continue;
      const v: unknown = value[i];
      const w = revive(v);
      if (w !== v) (out ??= value.slice())[i] = w;
    }
    return out ?? value;
  };
}

/**
 * The first branch the value matches is revived by that branch's rules, so
 * `Union([DateTime(), Type.String()])` makes a Date of an ISO string and leaves "soon" a string.
 */
function unionReviver(branches: unknown): Reviver | undefined {
  if (!Array.isArray(branches)) return undefined;
  const compiled = branches.map((b) => ({ revive: build(b), matches: matcher(b) }));
  if (compiled.every((b) => b.revive === undefined)) return undefined;
  return (value) => {
    if (typeof value !== 'string' && (typeof value !== 'object' || value === null)) return value;
    const branch = compiled.find((b) => b.matches(value));
    return branch?.revive === undefined ? value : branch.revive(value);
  };
}

function matcher(schema: unknown): (value: unknown) => boolean {
  if (typeof schema !== 'object' || schema === null) return () => schema !== false;
  let validate: ValidateFunction;
  try {
    validate = branchAjv.compile(schema);
    // The compiled function stays usable; dropping it from Ajv's cache keeps a gateway that
    // recompiles each refreshed description from holding every old one.
    branchAjv.removeSchema(schema);
  } catch {
    // A branch that does not compile alone (a $ref into its root, a duplicate $id): judged by its type.
    return (value) => hasType(schema as Schema, value);
  }
  return (value) => validate(value);
}

function hasType(s: Schema, value: unknown): boolean {
  const wanted = Array.isArray(s.type) ? s.type : s.type === undefined ? undefined : [s.type];
  if (wanted === undefined) return true;
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return wanted.includes(actual) || (actual === 'number' && wanted.includes('integer'));
}
