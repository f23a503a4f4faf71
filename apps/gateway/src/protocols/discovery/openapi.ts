import { CATALOGUE, ERROR_CODES, type ErrorCode, type MethodDescription, type ServiceDescription } from '@junction/core';
import { TIMEOUT_HEADER } from '../../edge';
import { HTTP_STATUS } from '../json/errors';
import { DESCRIPTION, junctionFlags, restricted, summaryOf, versionOf, X } from './extensions';
import { type JsonSchema, plainValue, SchemaExporter } from './schema-export';

export const OPENAPI_VERSION = '3.1.0';

/** An OpenAPI document, typed as far as this module writes it. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: { url: string; description?: string }[];
  [field: string]: unknown;
}

export interface OpenApiOptions {
  /** The gateway refuses calls without an API key (gateway.requireKey): no operation is open to anonymous callers. */
  requireKey: boolean;
}

const JSON_TYPE = 'application/json';
const SCHEMAS = '#/components/schemas/';
const ERROR_SCHEMA = 'Error';

// Statuses where HTTP has a closer word than the error table: the gateway refuses a body over
// gateway.bodyLimit with 413 and one that is not JSON with 415 (see refusals.ts), both INVALID_REQUEST.
const REFUSALS: Readonly<Record<string, readonly ErrorCode[]>> = { 413: ['INVALID_REQUEST'], 415: ['INVALID_REQUEST'] };

/** The error codes answered with each HTTP status: DESIGN.md's table as the plain JSON slice maps it, plus its refusals. */
function statuses(): Map<string, ErrorCode[]> {
  const by = new Map<string, ErrorCode[]>();
  for (const code of ERROR_CODES) {
    const status = String(HTTP_STATUS[code]);
    by.set(status, [...(by.get(status) ?? []), code]);
  }
  for (const [status, codes] of Object.entries(REFUSALS)) by.set(status, [...codes]);
  return new Map([...by].sort(([a], [b]) => Number(a) - Number(b)));
}

/**
 * The OpenAPI 3.1 document of the plain JSON API, without `servers` (see `withApiServer`):
 * `POST /api/{service}/{method}` for every method (the body is the args by name), `GET` with the
 * args in the query string for methods marked safe; the result as the 200 response; every error
 * as `{"error": {code, message, details}}` at the status of DESIGN.md's table; the API key as
 * `Authorization: Bearer` or `X-Api-Key`; flags as `x-junction-*` fields.
 */
export function openApiDocument(services: readonly ServiceDescription[], { requireKey }: OpenApiOptions): OpenApiDocument {
  const schemas = new SchemaExporter({ dialect: '2020-12', refBase: SCHEMAS, reserved: [ERROR_SCHEMA] });
  const errors = statuses();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const s of services) {
    for (const m of s.methods) {
      const exported = { params: m.params.map((p) => schemas.export(p.schema)), result: schemas.export(m.result) };
      const item: Record<string, unknown> = {};
      if (m.safe) item.get = getOperation(s, m, exported, errors);
      item.post = postOperation(s, m, exported, errors);
      paths[`/api/${encodeURIComponent(s.name)}/${encodeURIComponent(m.name)}`] = item;
    }
  }
  const keyed = [{ bearerKey: [] }, { apiKey: [] }];
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Junction JSON API',
      version: versionOf(services),
      description: `${DESCRIPTION} Each method is POST /api/{service}/{method} with its args as a JSON object; methods marked safe also answer GET with the args in the query string.`,
    },
    tags: services.map((s) => ({ name: s.name, description: s.description, [`${X}version`]: s.version })),
    // Without gateway.requireKey a call without a key is anonymous: `{}` says no key is needed.
    security: requireKey ? keyed : [{}, ...keyed],
    paths,
    components: {
      schemas: { ...schemas.components(), [ERROR_SCHEMA]: errorSchema(ERROR_CODES) },
      responses: Object.fromEntries([...errors].map(([status, codes]) => [responseName(status), errorResponse(status, codes)])),
      parameters: {
        timeout: {
          name: TIMEOUT_HEADER,
          in: 'header',
          required: false,
          description: "The most the caller waits, in milliseconds; the gateway's default (gateway.defaultTimeoutMs) otherwise. Past it the call ends with TIMEOUT.",
          schema: { type: 'integer', minimum: 1 },
        },
      },
      securitySchemes: {
        bearerKey: { type: 'http', scheme: 'bearer', description: 'An API key of this gateway, sent as "Authorization: Bearer <key>".' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'An API key of this gateway, sent as "X-Api-Key: <key>".' },
      },
    },
  };
}

/** The document as served to one request: `origin` is the gateway's scheme and host, e.g. `http://127.0.0.1:8080`. */
export function withApiServer(doc: OpenApiDocument, origin: string): OpenApiDocument {
  const { openapi, info, ...rest } = doc;
  return { openapi, info, servers: [{ url: origin, description: 'This gateway.' }], ...rest };
}

interface Exported {
  params: JsonSchema[];
  result: JsonSchema;
}

function common(s: ServiceDescription, m: MethodDescription): Record<string, unknown> {
  const summary = summaryOf(m.description);
  return { tags: [s.name], ...(summary === undefined ? {} : { summary }), description: m.description };
}

function postOperation(s: ServiceDescription, m: MethodDescription, exported: Exported, errors: Map<string, ErrorCode[]>): Record<string, unknown> {
  const required = m.params.filter((p) => p.required).map((p) => p.name);
  const body: Record<string, unknown> = {
    type: 'object',
    properties: Object.fromEntries(m.params.map((p, i) => [p.name, exported.params[i]])),
    ...(required.length === 0 ? {} : { required }),
    // Unknown names are refused (INVALID_PARAMS): a typo must not become a missing optional param.
    additionalProperties: false,
  };
  const examples = namedExamples(m, (e) => e.args);
  return {
    operationId: `${s.name}.${m.name}`,
    ...common(s, m),
    parameters: [{ $ref: '#/components/parameters/timeout' }],
    requestBody: {
      description: 'The args by name. Without a body the method is called with no args.',
      required: required.length > 0,
      content: { [JSON_TYPE]: { schema: body, ...(examples === undefined ? {} : { examples }) } },
    },
    responses: responses(m, exported, errors, true),
    ...securityOf(m),
    ...junctionFlags(m),
  };
}

function getOperation(s: ServiceDescription, m: MethodDescription, exported: Exported, errors: Map<string, ErrorCode[]>): Record<string, unknown> {
  return {
    operationId: `${s.name}.${m.name}.get`,
    ...common(s, m),
    parameters: [...m.params.map((p, i) => queryParam(p.name, p.required, p.description, exported.params[i])), { $ref: '#/components/parameters/timeout' }],
    responses: responses(m, exported, errors, false),
    ...securityOf(m),
    ...junctionFlags(m),
  };
}

/**
 * A param in the query string, read as the gateway reads it (json/coerce.ts): numbers, booleans
 * and null from their text, arrays from repeated keys (`?values=1&values=2`), objects as JSON text.
 */
function queryParam(name: string, required: boolean, description: string | undefined, schema: JsonSchema): Record<string, unknown> {
  const param = { name, in: 'query', required, ...(description === undefined ? {} : { description }) };
  const types = typesOf(schema);
  if (types.has('array')) return { ...param, schema, style: 'form', explode: true };
  if (types.has('object') || types.has('$ref')) return { ...param, content: { [JSON_TYPE]: { schema } } };
  return { ...param, schema };
}

function typesOf(schema: JsonSchema, out = new Set<string>()): Set<string> {
  if (typeof schema !== 'object') return out;
  if (typeof schema.$ref === 'string') out.add('$ref');
  if (typeof schema.type === 'string') out.add(schema.type);
  if (Array.isArray(schema.type)) for (const t of schema.type) out.add(String(t));
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const list = schema[key];
    if (Array.isArray(list)) for (const member of list) typesOf(member as JsonSchema, out);
  }
  return out;
}

function responses(m: MethodDescription, exported: Exported, errors: Map<string, ErrorCode[]>, post: boolean): Record<string, unknown> {
  const examples = namedExamples(m, (e) => e.result);
  const ok: Record<string, unknown> = {
    description: 'The result.',
    content: {
      [JSON_TYPE]: { schema: exported.result, ...(examples === undefined ? {} : { examples }) },
      // A browser's GET (Accept: text/html) gets the method's page instead.
      ...(post ? {} : { 'text/html': { schema: { type: 'string' } } }),
    },
  };
  const out: Record<string, unknown> = { 200: ok };
  for (const status of errors.keys()) {
    if (!post && (status === '413' || status === '415')) continue;
    if (status === '403' && !restricted(m)) continue;
    out[status] = { $ref: `#/components/responses/${responseName(status)}` };
  }
  return out;
}

function securityOf(m: MethodDescription): Record<string, unknown> {
  // Roles need an identity: this method is never open to anonymous callers.
  return restricted(m) ? { security: [{ bearerKey: [] }, { apiKey: [] }] } : {};
}

function namedExamples(m: MethodDescription, pick: (e: MethodDescription['examples'][number]) => unknown): Record<string, unknown> | undefined {
  const entries = m.examples
    .map((e, i) => ({ key: e.title || `example ${i + 1}`, value: plainValue(pick(e)) }))
    .filter((e) => e.value !== undefined)
    .map((e) => [e.key, { summary: e.key, value: e.value }] as const);
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

const responseName = (status: string) => `error${status}`;

function errorSchema(codes: readonly ErrorCode[]): Record<string, unknown> {
  return {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: [...codes], description: "The platform's error code; the HTTP status follows from it." },
          message: { type: 'string', description: 'What was wrong, for people.' },
          details: { description: 'What was wrong where: for INVALID_PARAMS the problems with their schema paths; for SERVICE_ERROR the reason and data of the service.' },
        },
      },
    },
  };
}

function errorResponse(status: string, codes: readonly ErrorCode[]): Record<string, unknown> {
  const why = codes.map((c) => `${c}: ${CATALOGUE[c].description}`).join(' ');
  const headers: Record<string, unknown> = {};
  if (codes.includes('OVERLOADED')) headers['Retry-After'] = { description: 'Seconds to wait before trying again (OVERLOADED).', schema: { type: 'integer' } };
  if (status === '401') headers['WWW-Authenticate'] = { description: 'The scheme to authenticate with: Bearer.', schema: { type: 'string' } };
  const note = status === '413' ? 'The body is larger than gateway.bodyLimit. ' : status === '415' ? 'The body is not sent as JSON. ' : '';
  return {
    description: `${note}${why}`,
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    content: {
      [JSON_TYPE]: {
        // The codes this status answers; components.schemas.Error has them all.
        schema: errorSchema(codes),
      },
    },
  };
}
