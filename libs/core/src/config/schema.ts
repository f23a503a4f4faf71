import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * The one place a config key is named. Each interchangeable family is a discriminated union on
 * `type`; an unknown name fails here, at start, with the names that are known.
 */
function oneOfTypes<T extends TSchema[]>(family: string, members: [...T]) {
  // Ajv's `discriminator` reports one clear error for a bad `type` instead of one per member.
  return Type.Unsafe<Static<T[number]>>({ type: 'object', discriminator: { propertyName: 'type' }, required: ['type'], oneOf: members, 'x-family': family });
}

const PositiveInt = (opts: { default?: number; description?: string; maximum?: number } = {}) => Type.Integer({ minimum: 1, ...opts });

export const InlineConcurrencySchema = Type.Object(
  {
    type: Type.Literal('inline'),
    maxInFlight: PositiveInt({ default: 64, description: 'Handlers running at once on the event loop.' }),
    maxQueue: Type.Integer({ minimum: 0, default: 1000, description: 'Calls waiting for a slot; one more is OVERLOADED.' }),
  },
  { additionalProperties: false },
);
export const ConcurrencySchema = oneOfTypes('concurrency module', [InlineConcurrencySchema]);

export const MemoryTransportSchema = Type.Object(
  {
    type: Type.Literal('memory'),
    maxInFlight: PositiveInt({ default: 1024, description: 'Requests being served at once.' }),
    maxQueue: Type.Integer({ minimum: 0, default: 10000, description: 'Requests waiting to be served.' }),
  },
  { additionalProperties: false },
);
export const AmqpTransportSchema = Type.Object(
  {
    type: Type.Literal('amqp'),
    url: Type.String({ pattern: '^amqps?://', description: 'The broker, e.g. amqp://guest:guest@127.0.0.1:5672.' }),
    /** Unacknowledged requests a worker holds at once; size it to the services' concurrency bounds (50-200). */
    prefetch: PositiveInt({ default: 100, maximum: 65535 }),
    /** Service queues are `<queuePrefix><service>`; tests give each run its own prefix. */
    queuePrefix: Type.String({ default: 'junction.svc.', minLength: 1 }),
    /** Where undecodable requests go, with a log line. */
    deadLetterQueue: Type.String({ default: 'junction.dead', minLength: 1 }),
    /** Requests sent and not yet answered; one more is OVERLOADED. */
    maxPending: PositiveInt({ default: 10000 }),
    /** Reconnection backoff after the broker goes away: first and longest wait. */
    reconnectInitialMs: PositiveInt({ default: 100 }),
    reconnectMaxMs: PositiveInt({ default: 5000 }),
    heartbeatSeconds: Type.Integer({ minimum: 0, default: 10 }),
  },
  { additionalProperties: false },
);
export const TransportSchema = oneOfTypes('transport', [MemoryTransportSchema, AmqpTransportSchema]);

const LocalProxy = Type.Object({ type: Type.Literal('local') }, { additionalProperties: false });
const RemoteProxy = Type.Object({ type: Type.Literal('remote'), transport: Type.String({ minLength: 1 }) }, { additionalProperties: false });
const TerminalProxy = oneOfTypes('terminal proxy', [LocalProxy, RemoteProxy]);
const RouteProxy = Type.Object(
  { type: Type.Literal('route'), routes: Type.Record(Type.String(), TerminalProxy, { minProperties: 1 }) },
  { additionalProperties: false },
);
const DeadlineProxy = Type.Object(
  { type: Type.Literal('deadline'), defaultMs: PositiveInt(), maxMs: Type.Optional(PositiveInt()) },
  { additionalProperties: false },
);
export const ProxySchema = oneOfTypes('proxy', [LocalProxy, RemoteProxy, RouteProxy, DeadlineProxy]);

const SqliteDb = Type.Object({ type: Type.Literal('sqlite'), path: Type.String({ minLength: 1 }) }, { additionalProperties: false });
const PostgresDb = Type.Object(
  {
    type: Type.Literal('postgres'),
    url: Type.String({ pattern: '^postgres(ql)?://' }),
    poolSize: Type.Optional(PositiveInt({ maximum: 1000 })),
    schema: Type.Optional(
      Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$', description: 'The schema (search_path) every connection works in; it must exist.' }),
    ),
  },
  { additionalProperties: false },
);
export const DbSchema = oneOfTypes('db kind', [SqliteDb, PostgresDb]);

export const ApiKeySchema = Type.Object(
  {
    key: Type.String({ minLength: 8, description: 'Sent as `Authorization: Bearer <key>` or `X-Api-Key`.' }),
    identity: Type.String({ minLength: 1 }),
    roles: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
  },
  { additionalProperties: false },
);

export const GatewaySchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    bodyLimit: PositiveInt({ default: 1_048_576, description: 'Largest request body in bytes.' }),
    maxBatch: PositiveInt({ default: 100, description: 'Most calls in one JSON-RPC batch.' }),
    maxDepth: PositiveInt({ default: 64, description: 'Deepest nesting of arrays and objects in a body.' }),
    maxInFlight: PositiveInt({ default: 4096, description: 'Calls the gateway has handed on and not yet answered.' }),
    maxQueue: Type.Integer({ minimum: 0, default: 0, description: 'Calls waiting for a gateway slot.' }),
    defaultTimeoutMs: PositiveInt({ default: 30_000, description: 'Deadline of a call whose client sets none.' }),
    /** Refuse calls without a valid key (UNAUTHENTICATED) instead of treating them as anonymous. */
    requireKey: Type.Boolean({ default: false }),
    apiKeys: Type.Array(ApiKeySchema, { default: [] }),
  },
  { additionalProperties: false },
);

export const ServiceConfigSchema = Type.Object(
  {
    /** The npm package exporting the service (as `service`), e.g. `@junction/service-calc`. */
    package: Type.String({ minLength: 1 }),
    concurrency: Type.Optional(ConcurrencySchema),
    timeoutMs: Type.Optional(PositiveInt()),
    settings: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  },
  { additionalProperties: false },
);

export const WorkerSchema = Type.Object(
  {
    /** Which of `services` this node hosts; all of them when absent. */
    services: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
    /** The transports it serves them on. */
    serve: Type.Array(Type.String(), { minItems: 1 }),
    /** A small HTTP port for /healthz, /readyz and /metrics; none when absent. */
    http: Type.Optional(
      Type.Object(
        { host: Type.String({ default: '127.0.0.1' }), port: Type.Integer({ minimum: 0, maximum: 65535 }) },
        { additionalProperties: false },
      ),
    ),
    /** On SIGTERM: how long to wait for calls in flight before giving up on them. */
    drainGraceMs: PositiveInt({ default: 30_000 }),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    node: Type.Object(
      {
        name: Type.String({ default: 'junction', minLength: 1 }),
        /** Put error messages and stacks into INTERNAL errors' data. Never in production. */
        debug: Type.Boolean({ default: false }),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          [Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')],
          { default: 'info' },
        ),
        /** `auto`: pretty when stdout is a terminal, JSON lines otherwise. */
        format: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], { default: 'auto' }),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * The node's proxy chain: links, then a terminal. Every call this node makes goes through it,
     * from the gateway and from handlers' `ctx.call`.
     */
    chain: Type.Array(ProxySchema, { minItems: 1, default: [{ type: 'route', routes: { '*': { type: 'local' } } }] }),
    gateway: Type.Optional(GatewaySchema),
    worker: Type.Optional(WorkerSchema),
    transports: Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_-]*$' }), TransportSchema, { default: {} }),
    infrastructure: Type.Object({ db: Type.Optional(DbSchema) }, { additionalProperties: false, default: {} }),
    services: Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9]*$' }), ServiceConfigSchema, { default: {} }),
  },
  { additionalProperties: false },
);

export type JunctionConfig = Static<typeof ConfigSchema>;
export type GatewayConfig = Static<typeof GatewaySchema>;
export type WorkerConfig = Static<typeof WorkerSchema>;
export type ServiceConfig = Static<typeof ServiceConfigSchema>;
export type TransportConfig = Static<typeof TransportSchema>;
export type MemoryTransportConfig = Static<typeof MemoryTransportSchema>;
export type AmqpTransportConfig = Static<typeof AmqpTransportSchema>;
export type ProxyConfigEntry = Static<typeof ProxySchema>;
export type ApiKeyConfig = Static<typeof ApiKeySchema>;
