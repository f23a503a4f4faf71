/**
 * JSON Schema as documentation: a table row for every value a caller sends or receives, nested
 * objects and arrays of objects included, each with a dotted path (`shots[].frameIn`).
 */

/** The part of JSON Schema the console reads (TypeBox writes plain JSON Schema). */
export interface Schema {
  type?: string | string[];
  description?: string;
  title?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  contentEncoding?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  items?: Schema | Schema[];
  prefixItems?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
}

export interface SchemaRow {
  /** Dotted path from the top: `project`, `shots[].code`, `byStatus.<key>`. */
  path: string;
  /** How deep the row sits (0 for a param), for indenting. */
  depth: number;
  type: string;
  required: boolean;
  /** The default as JSON text, when the schema has one. */
  default?: string;
  description: string;
  constraints: string[];
}

// Deeper than this, a schema is shown as its type only: real params are never this deep, and a
// self-referencing schema must not loop.
const MAX_DEPTH = 8;

const isObject = (s: Schema): boolean => s.type === 'object' || s.properties !== undefined;
const alternatives = (s: Schema): Schema[] | undefined => s.anyOf ?? s.oneOf;
const literal = (v: unknown): string => JSON.stringify(v);

/** A short type label: `string`, `integer`, `DateTime`, `"a" | "b"`, `array of object`, `[string, number]`. */
export function typeLabel(s: Schema | undefined): string {
  if (s === undefined || (typeof s === 'object' && Object.keys(s).length === 0)) return 'any';
  if (s.const !== undefined) return literal(s.const);
  if (s.enum !== undefined) return s.enum.map(literal).join(' | ');
  if (s.format === 'date-time') return 'DateTime';
  if (s.contentEncoding === 'base64') return 'Binary';
  const alt = alternatives(s);
  if (alt !== undefined) return [...new Set(alt.map(typeLabel))].join(' | ');
  if (s.allOf !== undefined) return s.allOf.map(typeLabel).join(' & ');
  const tuple = s.prefixItems ?? (Array.isArray(s.items) ? s.items : undefined);
  if (tuple !== undefined) return `[${tuple.map(typeLabel).join(', ')}]`;
  if (s.type === 'array' || s.items !== undefined) return `array of ${typeLabel(s.items as Schema | undefined)}`;
  if (s.patternProperties !== undefined || (typeof s.additionalProperties === 'object' && s.properties === undefined)) {
    const values = s.patternProperties === undefined ? (s.additionalProperties as Schema) : Object.values(s.patternProperties)[0];
    return `map of ${typeLabel(values)}`;
  }
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return s.type ?? (s.properties !== undefined ? 'object' : 'any');
}

/** What the schema allows beyond its type, in words a caller reads: `>= 1`, `length <= 200`, `pattern ^[a-z]+$`. */
export function constraintsOf(s: Schema): string[] {
  const out: string[] = [];
  if (s.minimum !== undefined) out.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) out.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) out.push(`<= ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) out.push(`< ${s.exclusiveMaximum}`);
  if (s.multipleOf !== undefined) out.push(`multiple of ${s.multipleOf}`);
  if (s.minLength !== undefined) out.push(`length >= ${s.minLength}`);
  if (s.maxLength !== undefined) out.push(`length <= ${s.maxLength}`);
  if (s.pattern !== undefined) out.push(`pattern ${s.pattern}`);
  if (s.format !== undefined && s.format !== 'date-time' && s.format !== 'byte') out.push(`format ${s.format}`);
  if (s.format === 'date-time') out.push('ISO 8601 with a zone');
  if (s.contentEncoding === 'base64') out.push('base64');
  if (s.minItems !== undefined) out.push(`items >= ${s.minItems}`);
  if (s.maxItems !== undefined) out.push(`items <= ${s.maxItems}`);
  if (s.uniqueItems === true) out.push('unique items');
  if (s.minProperties !== undefined) out.push(`keys >= ${s.minProperties}`);
  if (s.maxProperties !== undefined) out.push(`keys <= ${s.maxProperties}`);
  if (isObject(s) && s.additionalProperties === false) out.push('no other keys');
  if (s.patternProperties !== undefined) out.push(...Object.keys(s.patternProperties).map((p) => `keys match ${p}`));
  return out;
}

/** The object schemas whose fields a value of `s` has, with the path suffix that leads into them. */
function inner(s: Schema): { suffix: string; schema: Schema }[] {
  if (s.properties !== undefined) return [{ suffix: '', schema: s }];
  if (s.type === 'array' || s.items !== undefined) {
    if (Array.isArray(s.items) || s.prefixItems !== undefined) {
      return (s.prefixItems ?? (s.items as Schema[])).flatMap((item, i) => inner(item).map((x) => ({ suffix: `[${i}]${x.suffix}`, schema: x.schema })));
    }
    if (s.items !== undefined) return inner(s.items).map((x) => ({ suffix: `[]${x.suffix}`, schema: x.schema }));
  }
  if (s.patternProperties !== undefined || typeof s.additionalProperties === 'object') {
    const values = s.patternProperties === undefined ? (s.additionalProperties as Schema) : Object.values(s.patternProperties)[0];
    return inner(values).map((x) => ({ suffix: `.<key>${x.suffix}`, schema: x.schema }));
  }
  const alt = alternatives(s);
  // A union with one object member (e.g. `object | null`) shows that member's fields.
  if (alt !== undefined) {
    const objects = alt.filter((a) => inner(a).length > 0);
    if (objects.length === 1) return inner(objects[0]);
  }
  return [];
}

function rowsOf(path: string, s: Schema, required: boolean, depth: number, out: SchemaRow[]): void {
  out.push({
    path,
    depth,
    type: typeLabel(s),
    required,
    default: s.default === undefined ? undefined : literal(s.default),
    description: s.description ?? s.title ?? '',
    constraints: constraintsOf(s),
  });
  if (depth >= MAX_DEPTH) return;
  for (const { suffix, schema } of inner(s)) {
    const req = new Set(schema.required ?? []);
    for (const [name, child] of Object.entries(schema.properties ?? {})) rowsOf(`${path}${suffix}.${name}`, child, req.has(name), depth + 1, out);
  }
}

/** The rows of a method's params, in their declared order. */
export function paramRows(params: readonly { name: string; schema: Schema; required: boolean; description?: string }[]): SchemaRow[] {
  const out: SchemaRow[] = [];
  for (const p of params) rowsOf(p.name, { ...p.schema, description: p.schema.description ?? p.description }, p.required, 0, out);
  return out;
}

/**
 * The rows of a result: an object's fields at the top (`code`, `frameIn`), an array of objects'
 * as `[].code`; any other result is one row named `result`.
 */
export function resultRows(schema: Schema): SchemaRow[] {
  const out: SchemaRow[] = [];
  rowsOf('result', schema, true, 0, out);
  if (out.length === 1) return out;
  // Lifts the fields one level: `result.code` reads better as `code` when the result is one object.
  return out.map((r) => ({ ...r, path: r.path === 'result' ? 'result' : r.path.replace(/^result\.?/, '') }));
}
