import { CATALOGUE, ERROR_CODES, type ErrorCode, type MethodDescription, type ServiceDescription } from '@junction/core';
import { JSON_RPC_CODES } from '../json-rpc/errors';
import { DESCRIPTION, junctionFlags, restricted, summaryOf, versionOf, X } from './extensions';
import { plainValue, SchemaExporter } from './schema-export';

export const OPENRPC_VERSION = '1.3.2';

/** The method by which a JSON-RPC client asks a server for its OpenRPC document (the specification's service discovery). */
export const DISCOVER = 'rpc.discover';

/** An OpenRPC document, typed as far as this module writes it. */
export interface OpenRpcDocument {
  openrpc: string;
  info: { title: string; version: string; description?: string };
  servers?: { name?: string; url: string; description?: string }[];
  methods: Record<string, unknown>[];
  components: { schemas?: Record<string, unknown>; errors: Record<string, unknown>; tags: Record<string, unknown> };
}

// What a call of any method can end with, besides FORBIDDEN for methods that need roles. The
// request-level errors (PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND) are in components only.
const CALL_ERRORS: readonly ErrorCode[] = ['INVALID_PARAMS', 'SERVICE_ERROR', 'TIMEOUT', 'OVERLOADED', 'UNAVAILABLE', 'UNAUTHENTICATED', 'INTERNAL'];

const errorRef = (code: ErrorCode) => ({ $ref: `#/components/errors/${code}` });

/**
 * The OpenRPC document of the JSON-RPC API (`POST /rpc`), without `servers`: those depend on
 * the request (see `withServer`). Params are by name or by position (`paramStructure: "either"`,
 * positions in the declared order); errors are the platform's catalogue with their JSON-RPC
 * codes; flags are `x-junction-*` fields. Methods that need roles are documented like any other:
 * the documentation is not a secret, calling them is what is guarded.
 */
export function openRpcDocument(services: readonly ServiceDescription[]): OpenRpcDocument {
  const schemas = new SchemaExporter({ dialect: 'draft-07', refBase: '#/components/schemas/' });
  // `rpc.` names are the protocol's own: a service named "rpc" could not be called over JSON-RPC.
  const callable = services.filter((s) => s.name !== 'rpc');
  const methods = callable.flatMap((s) => s.methods.map((m) => methodObject(s, m, schemas)));
  const components = schemas.components();
  return {
    openrpc: OPENRPC_VERSION,
    info: { title: 'Junction JSON-RPC API', version: versionOf(callable), description: DESCRIPTION },
    methods: [...methods, discoverMethod()],
    components: {
      ...(Object.keys(components).length === 0 ? {} : { schemas: components }),
      errors: Object.fromEntries(ERROR_CODES.map((code) => [code, { code: JSON_RPC_CODES[code], message: CATALOGUE[code].description, data: { code } }])),
      tags: Object.fromEntries(callable.map((s) => [s.name, { name: s.name, description: s.description, [`${X}version`]: s.version }])),
    },
  };
}

/** The document as served to one request: `url` is where its JSON-RPC endpoint is, e.g. `http://127.0.0.1:8080/rpc`. */
export function withServer(doc: OpenRpcDocument, url: string): OpenRpcDocument {
  const { openrpc, info, ...rest } = doc;
  return { openrpc, info, servers: [{ name: 'gateway', url, description: 'JSON-RPC 2.0 over HTTP POST; batches and notifications too.' }], ...rest };
}

function methodObject(s: ServiceDescription, m: MethodDescription, schemas: SchemaExporter): Record<string, unknown> {
  const summary = summaryOf(m.description);
  return {
    name: `${s.name}.${m.name}`,
    ...(summary === undefined ? {} : { summary }),
    description: m.description,
    tags: [{ $ref: `#/components/tags/${s.name}` }],
    paramStructure: 'either',
    params: m.params.map((p, i) => {
      const description = paramDescription(m, i);
      return {
        name: p.name,
        ...(description === undefined ? {} : { description }),
        required: p.required,
        schema: schemas.export(p.schema),
        ...(m.sensitiveParams.includes(p.name) ? { [`${X}sensitive`]: true } : {}),
      };
    }),
    result: { name: 'result', schema: schemas.export(m.result) },
    errors: [...CALL_ERRORS, ...(restricted(m) ? (['FORBIDDEN'] as const) : [])].map(errorRef),
    examples: m.examples.map((e, i) => ({
      name: e.title || `example ${i + 1}`,
      // In the declared order, so that a client may send them by position as well.
      params: m.params.filter((p) => Object.hasOwn(e.args, p.name)).map((p) => ({ name: p.name, value: plainValue(e.args[p.name]) ?? null })),
      ...(e.result === undefined ? {} : { result: { name: 'result', value: plainValue(e.result) ?? null } }),
    })),
    ...junctionFlags(m),
  };
}

function paramDescription(m: MethodDescription, i: number): string | undefined {
  const own = m.params[i].description;
  if (!m.variadic || i !== m.params.length - 1) return own;
  const note = 'By position, this param collects the remaining args (variadic).';
  return own === undefined ? note : `${own} ${note}`;
}

function discoverMethod(): Record<string, unknown> {
  return {
    name: DISCOVER,
    summary: 'This document.',
    description: 'The OpenRPC document of this JSON-RPC API (the OpenRPC service discovery method); also served at GET /openrpc.json.',
    paramStructure: 'either',
    params: [],
    result: {
      name: 'OpenRPC document',
      description: 'An OpenRPC 1.3 document: https://spec.open-rpc.org',
      schema: { type: 'object', required: ['openrpc', 'info', 'methods'], properties: { openrpc: { type: 'string' }, info: { type: 'object' }, methods: { type: 'array' } } },
    },
    [`${X}idempotent`]: true,
    [`${X}safe`]: true,
    [`${X}sensitive`]: false,
  };
}
