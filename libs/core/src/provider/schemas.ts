import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { JunctionError } from '../errors';

// One Ajv for the process: validators are compiled once, when a service is registered.
const ajv = addFormats(new Ajv({ allErrors: true, useDefaults: true, strict: false }));

export function compileSchema(schema: object, where: string): ValidateFunction {
  try {
    return ajv.compile(schema);
  } catch (err) {
    throw new Error(`${where}: the schema does not compile: ${(err as Error).message}`);
  }
}

export interface ParamProblem {
  /** JSON Pointer into the args, e.g. `/minuend` or `/values/2`. */
  path: string;
  message: string;
  /** The JSON type found there (`string`, `null`, `missing`, ...). */
  actual: string;
  /** Where in the params schema the rule stands. */
  schemaPath: string;
}

export function typeOf(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export function describeProblems(errs: readonly ErrorObject[], args: unknown): ParamProblem[] {
  return errs.map((e) => {
    let path = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path = `${path}/${(e.params as { missingProperty: string }).missingProperty}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path = `${path}/${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not an accepted property';
    }
    return { path: path || '/', message, actual: typeOf(valueAt(args, path)), schemaPath: e.schemaPath };
  });
}

export function invalidParams(method: string, problems: ParamProblem[], accepted: readonly string[]): JunctionError {
  const list = problems.map((p) => `${p.path} ${p.message} (got ${p.actual})`).join('; ');
  return new JunctionError('INVALID_PARAMS', `${method}: ${list}; params are (${accepted.join(', ')})`, { problems });
}
