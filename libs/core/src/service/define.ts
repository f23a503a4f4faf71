import { type Static, type TObject, type TProperties, type TSchema, Type } from '@sinclair/typebox';
import { type Context } from '../context/context';

/** The flags of a method (DESIGN.md, "method"): how the platform may treat its calls. */
export interface MethodFlags {
  /** Calling it twice with the same args has the effect of calling it once: safe to redeliver or retry. */
  idempotent?: boolean;
  /** Reads only: callable by `GET /api/...` and `/view/...`. Implies idempotent. */
  safe?: boolean;
  /** Results may be cached for this long (a later proxy honours it). */
  cache?: { ttlMs: number };
  /** Roles of which the caller needs one; `'*'` admits any authenticated caller. Empty or absent: everyone. */
  access?: readonly string[];
  /**
   * The nunjucks template its result renders through for browsers (`GET /view/...`): a `.njk` file
   * in the service's `views` folder, e.g. `'shot-list.njk'`. Needs `safe`. Without one, the
   * gateway renders a generic view (a table, a definition list or JSON).
   */
  template?: string;
  /** The most this method may take, whatever deadline the caller sent. */
  timeoutMs?: number;
  /**
   * Params never logged or traced (passwords, tokens): `true` for all of them, or their names,
   * e.g. `sensitive: ['password']`. Spans and the platform's log lines show `[redacted]` instead.
   */
  sensitive?: boolean | readonly string[];
  /** The last param collects the remaining positional args, like `...rest` (JSON-RPC `sum(1, 2, 4)`). */
  variadic?: boolean;
}

export interface MethodExample<Args, Result> {
  title?: string;
  args: Args;
  /** The expected result; an example without one documents an error or a side effect. */
  result?: Result;
}

export type ParamsOf<P extends TProperties> = Static<TObject<P>>;

export interface MethodSpec<P extends TProperties, R extends TSchema> extends MethodFlags {
  description: string;
  /** Each param's JSON Schema (TypeBox); the order of the keys is the positional order. */
  params: P;
  result: R;
  examples?: MethodExample<ParamsOf<P>, Static<R>>[];
  handler: (args: ParamsOf<P>, ctx: Context) => Static<R> | Promise<Static<R>>;
}

/** A method as the provider sees it: schemas built, types erased. */
export interface MethodDefinition extends MethodFlags {
  readonly description: string;
  readonly params: TObject;
  readonly result: TSchema;
  readonly examples: readonly MethodExample<Record<string, unknown>, unknown>[];
  readonly handler: (args: Record<string, unknown>, ctx: Context) => unknown;
}

/**
 * What `method()` returns: a MethodDefinition that still knows its args and result types, so that
 * typed clients (`@junction/client-sdk`'s `client.service<typeof service>('calc')`) infer them
 * from the schemas. The `~types` member exists in types only; no value ever has it.
 */
export interface TypedMethod<Args, Result> extends MethodDefinition {
  readonly '~types'?: { readonly args: Args; readonly result: Result };
}

/**
 * Declares a method. The handler's `args` type is inferred from `params`, so each shape is
 * written once.
 *
 * @example
 * const subtract = method({
 *   description: 'minuend - subtrahend',
 *   params: { minuend: Type.Number(), subtrahend: Type.Number() },
 *   result: Type.Number(),
 *   handler: ({ minuend, subtrahend }) => minuend - subtrahend,
 * });
 */
export function method<P extends TProperties, R extends TSchema>(spec: MethodSpec<P, R>): TypedMethod<ParamsOf<P>, Static<R>> {
  const { params, examples, handler, ...rest } = spec;
  return Object.freeze({
    ...rest,
    // Unknown param names are refused: a typo must not silently become a missing optional param.
    params: Type.Object(params, { additionalProperties: false }) as TObject,
    examples: Object.freeze([...(examples ?? [])]) as MethodDefinition['examples'],
    handler: handler as MethodDefinition['handler'],
  });
}

/** Infrastructure a service can ask for in `requires`; the node's config says which kind backs each. */
export type InfrastructureName = 'db' | 'config';

export interface ServiceSpec<M extends Record<string, MethodDefinition>> {
  /** Lower camel case, no dots: it is the first half of `service.method`. */
  name: string;
  /** Semantic version of the service's interface. */
  version: string;
  description: string;
  requires?: readonly InfrastructureName[];
  /**
   * The folder of the service's nunjucks templates, absolute: `path.join(__dirname, '..', 'views')`
   * finds `<package>/views` from both `src/` and `dist/`. Its `.njk` files are read once, when a
   * provider registers the service, and served to gateways by `system.views`.
   */
  views?: string;
  methods: M;
}

export interface ServiceDefinition<M extends Record<string, MethodDefinition> = Record<string, MethodDefinition>> {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly requires: readonly InfrastructureName[];
  readonly views?: string;
  readonly methods: Readonly<M>;
}

/**
 * Declares a service: a named set of methods. It knows nothing of transports, processes or
 * HTTP; a provider hosts it wherever config says.
 *
 * @example
 * export const service = defineService({
 *   name: 'hello', version: '1.0.0', description: 'Greets people.',
 *   methods: {
 *     greet: method({
 *       description: 'Says hello.',
 *       params: { name: Type.String() },
 *       result: Type.String(),
 *       handler: ({ name }) => `hello, ${name}`,
 *     }),
 *   },
 * });
 */
export function defineService<M extends Record<string, MethodDefinition>>(spec: ServiceSpec<M>): ServiceDefinition<M> {
  return Object.freeze({
    name: spec.name,
    version: spec.version,
    description: spec.description,
    requires: Object.freeze([...(spec.requires ?? [])]),
    ...(spec.views === undefined ? {} : { views: spec.views }),
    methods: Object.freeze({ ...spec.methods }),
  });
}
