import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { chainProblems } from '../proxies/order';
import { interpolate } from './interpolate';
import { ConfigSchema, type JunctionConfig } from './schema';

/** Every problem of a config file at once, each naming the file, the line, the path and what was expected. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(file: string, problems: string[]) {
    super(`${file}: ${problems.length} problem(s) in the configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, discriminator: true, strict: false, verbose: true });
const validate = ajv.compile(ConfigSchema);

export function loadConfig(file: string, env: Readonly<Record<string, string | undefined>> = process.env): JunctionConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  return parseConfig(text, file, env);
}

export function parseConfig(text: string, file: string, env: Readonly<Record<string, string | undefined>> = process.env): JunctionConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => `line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`));
  }
  const lineOf = (path: (string | number)[]): string => {
    const line = keyLine(doc.contents, path, lines);
    return line === undefined ? '' : `line ${line}: `;
  };
  const { value, problems } = interpolate(doc.toJS() ?? {}, env);
  const messages = problems.map((p) => `${lineOf(p.path)}${dotted(p.path)}: ${p.message}`);
  const unresolved = new Set(problems.map((p) => dotted(p.path)));
  if (!validate(value)) {
    for (const e of relevant(validate.errors ?? [])) {
      const { path, text } = describe(e, pointerToPath(e.instancePath));
      // A value left empty by a missing variable was reported once already.
      if (!unresolved.has(dotted(path))) messages.push(`${lineOf(path)}${text}`);
    }
  } else {
    // The schema checks each proxy; only the chain as a whole can say whether its terminal is last.
    for (const problem of chainProblems((value as JunctionConfig).chain.map((p) => p.type)).errors) messages.push(`${lineOf(['chain'])}${problem}`);
  }
  if (messages.length > 0) throw new ConfigError(file, messages);
  return deepFreeze(value as JunctionConfig);
}

// Under a discriminated union Ajv reports the member's errors, and a failed `anyOf` its summary:
// the summaries and the branches' own errors repeat what the one kept says.
function relevant(errs: ErrorObject[]): ErrorObject[] {
  return errs.filter((e) => e.keyword !== 'oneOf' && !/\/anyOf\/\d+\//.test(e.schemaPath));
}

function pointerToPath(pointer: string): (string | number)[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function dotted(path: (string | number)[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  const type = Array.isArray(value) ? 'array' : typeof value;
  const text = JSON.stringify(value);
  return type === 'object' || type === 'array' ? type : `${type} ${text.length > 40 ? `${text.slice(0, 40)}...` : text}`;
}

function describe(e: ErrorObject, at0: (string | number)[]): { path: (string | number)[]; text: string } {
  const r = (path: (string | number)[], text: string) => ({ path, text: `${dotted(path)}: ${text}` });
  const path = at0;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      return r([...path, String(params.additionalProperty)], `unknown key; expected one of ${known.join(', ')}`);
    }
    case 'required':
      return r([...path, String(params.missingProperty)], 'required, and missing');
    case 'discriminator': {
      const schema = e.parentSchema as { oneOf?: { properties: { type: { const: string } } }[]; 'x-family'?: string };
      const names = (schema.oneOf ?? []).map((m) => m.properties.type.const);
      const family = schema['x-family'] ?? 'type';
      const got = (e.data as { type?: unknown } | undefined)?.type;
      return got === undefined
        ? r([...path, 'type'], `required, and missing; expected one of ${names.join(', ')} (the ${family})`)
        : r([...path, 'type'], `unknown ${family} ${JSON.stringify(got)}; expected one of ${names.join(', ')}`);
    }
    case 'type':
      return r(path, `expected ${String(params.type)}, got ${shown(e.data)}`);
    case 'pattern': {
      // A schema may say in words what its pattern wants (`x-expected`): a regex is no help to a reader.
      const expected = (e.parentSchema as { 'x-expected'?: string } | undefined)?.['x-expected'];
      return r(path, `expected ${expected ?? `a string matching ${String(params.pattern)}`}, got ${shown(e.data)}`);
    }
    case 'const':
      return r(path, `expected ${JSON.stringify(params.allowedValue)}, got ${shown(e.data)}`);
    case 'anyOf':
    case 'enum': {
      const options = ((e.parentSchema as { anyOf?: { const: unknown }[] })?.anyOf ?? []).map((o) => JSON.stringify(o.const));
      return r(path, `expected one of ${options.join(', ')}, got ${shown(e.data)}`);
    }
    default:
      return r(path, `expected a value that ${e.message ?? 'is valid'}, got ${shown(e.data)}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The line of the deepest key of `path` present in the YAML: a missing key points at its parent. */
function keyLine(node: unknown, path: (string | number)[], lines: LineCounter): number | undefined {
  let line: number | undefined;
  let current = node;
  for (const segment of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) break;
      const range = (pair.key as { range?: [number, number, number] }).range;
      if (range !== undefined) line = lines.linePos(range[0]).line;
      current = pair.value;
    } else if (current !== null && typeof current === 'object' && 'items' in current && typeof segment === 'number') {
      const item = (current as { items: unknown[] }).items[segment] as { range?: [number, number, number] } | undefined;
      if (item === undefined) break;
      if (item.range !== undefined) line = lines.linePos(item.range[0]).line;
      current = item;
    } else {
      break;
    }
  }
  return line;
}
