import { type TSchema } from '@sinclair/typebox';
import { type MethodDefinition, type MethodExample, type ServiceDefinition, toWireValue } from '../service';

export interface ParamDescription {
  name: string;
  schema: TSchema;
  required: boolean;
  description?: string;
}

/** A method as documentation sees it: everything but the handler, as plain JSON. */
export interface MethodDescription {
  name: string;
  description: string;
  params: ParamDescription[];
  result: TSchema;
  examples: readonly MethodExample<Record<string, unknown>, unknown>[];
  idempotent: boolean;
  safe: boolean;
  /** True when any param is sensitive (`sensitiveParams` names them). */
  sensitive: boolean;
  sensitiveParams: string[];
  variadic: boolean;
  access?: readonly string[];
  cache?: { ttlMs: number };
  template?: string;
  timeoutMs?: number;
}

export interface ServiceDescription {
  name: string;
  version: string;
  description: string;
  methods: MethodDescription[];
}

// Round-trips through JSON so that TypeBox's symbol keys and any non-JSON detail are dropped.
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function describeMethod(name: string, m: MethodDefinition): MethodDescription {
  const required = new Set(m.params.required ?? []);
  return plain({
    name,
    description: m.description,
    params: Object.entries(m.params.properties).map(([p, schema]) => ({
      name: p,
      schema,
      required: required.has(p),
      description: (schema as { description?: string }).description,
    })),
    result: m.result,
    // In wire form, as a client sends and receives them: a Uint8Array would otherwise become {"0": ...}.
    examples: toWireValue(m.examples) as MethodDescription['examples'],
    idempotent: m.idempotent === true || m.safe === true,
    safe: m.safe === true,
    sensitive: m.sensitive === true || (Array.isArray(m.sensitive) && m.sensitive.length > 0),
    sensitiveParams: m.sensitive === true ? Object.keys(m.params.properties) : Array.isArray(m.sensitive) ? [...(m.sensitive as readonly string[])] : [],
    variadic: m.variadic === true,
    access: m.access,
    cache: m.cache,
    template: m.template,
    timeoutMs: m.timeoutMs,
  });
}

export function describeService(def: ServiceDefinition): ServiceDescription {
  return {
    name: def.name,
    version: def.version,
    description: def.description,
    methods: Object.entries(def.methods).map(([name, m]) => describeMethod(name, m)),
  };
}
