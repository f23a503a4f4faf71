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
export const ThreadsConcurrencySchema = Type.Object(
  {
    type: Type.Literal('threads'),
    maxThreads: Type.Optional(PositiveInt({ description: "Threads at most; the machine's cores when absent." })),
    minThreads: Type.Integer({ minimum: 0, default: 1, description: 'Threads kept even when idle (started with the service).' }),
    idleTimeoutMs: PositiveInt({ default: 30_000, description: 'An idle thread above minThreads ends after this long.' }),
    maxQueue: Type.Integer({ minimum: 0, default: 1000, description: 'Calls waiting for a thread; one more is OVERLOADED.' }),
  },
  { additionalProperties: false },
);
export const ProcessesConcurrencySchema = Type.Object(
  {
    type: Type.Literal('processes'),
    processes: PositiveInt({ default: 2, description: 'Child processes kept running; one that exits is replaced.' }),
    maxInFlightPerProcess: PositiveInt({ default: 1, description: 'Calls one child runs at once: 1 for CPU-bound work, more for isolated I/O.' }),
    maxQueue: Type.Integer({ minimum: 0, default: 1000, description: 'Calls waiting for a child; one more is OVERLOADED.' }),
    killGraceMs: PositiveInt({ default: 1000, description: 'How long past a deadline a child may stay busy with that call before it is killed and replaced.' }),
  },
  { additionalProperties: false },
);
export const ConcurrencySchema = oneOfTypes('concurrency module', [InlineConcurrencySchema, ThreadsConcurrencySchema, ProcessesConcurrencySchema]);

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
/** `host:port`, e.g. `127.0.0.1:7001`, `worker-2.farm:7001` or `[::1]:7001`. */
const HostPort = Type.String({ pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^\\s:\\[\\]]+):[0-9]{1,5}$', description: 'host:port of the worker to call, e.g. 127.0.0.1:7001.', 'x-expected': 'host:port (e.g. 127.0.0.1:7001 or [::1]:7001)' });
/** What the two point-to-point transports (tcp, zeromq) share: one transport calls one worker address and/or serves on one port. */
const pointToPointFields = {
  /** The worker this transport calls; a gateway with two workers has two transports, balanced by the `route` proxy. */
  connect: Type.Optional(HostPort),
  /** Where a worker serving on this transport opens its port (when it serves; a gateway never does). */
  listen: Type.Optional(
    Type.Object(
      { host: Type.String({ default: '127.0.0.1', minLength: 1 }), port: Type.Integer({ minimum: 0, maximum: 65535, description: '0 takes any free port.' }) },
      { additionalProperties: false },
    ),
  ),
  maxPending: PositiveInt({ default: 10000, description: 'Calls sent and not yet answered; one more is OVERLOADED.' }),
  maxInFlight: PositiveInt({ default: 1024, description: 'Requests a serving worker hands to its services at once.' }),
  maxQueue: Type.Integer({ minimum: 0, default: 10000, description: 'Requests a serving worker holds for a slot; one more is answered OVERLOADED.' }),
  maxFrameBytes: Type.Integer({ minimum: 1024, maximum: 1_073_741_824, default: 16_777_216, description: 'Largest envelope either way; a bigger incoming one closes its connection, a bigger outgoing one is refused.' }),
  reconnectInitialMs: PositiveInt({ default: 100, description: 'Reconnection backoff after the peer goes away: first wait.' }),
  reconnectMaxMs: PositiveInt({ default: 5000, description: 'Reconnection backoff: longest wait.' }),
  heartbeatMs: Type.Integer({ minimum: 0, default: 5000, description: 'A connection idle this long is probed; one silent for 3 times this long is dropped as dead. 0: no probes.' }),
};
export const TcpTransportSchema = Type.Object(
  {
    type: Type.Literal('tcp'),
    ...pointToPointFields,
    poolSize: PositiveInt({ default: 2, maximum: 64, description: 'Connections to `connect`, each carrying many calls at once.' }),
    connectTimeoutMs: PositiveInt({ default: 5000, description: 'A connection attempt that takes longer has failed.' }),
  },
  { additionalProperties: false },
);
export const ZeromqTransportSchema = Type.Object({ type: Type.Literal('zeromq'), ...pointToPointFields }, { additionalProperties: false });
export const TransportSchema = oneOfTypes('transport', [MemoryTransportSchema, AmqpTransportSchema, TcpTransportSchema, ZeromqTransportSchema]);

// Proxies (docs/proxies.md). Terminals end a chain; links wrap what follows them.
export const LocalProxySchema = Type.Object({ type: Type.Literal('local') }, { additionalProperties: false });
export const RemoteProxySchema = Type.Object(
  { type: Type.Literal('remote'), transport: Type.String({ minLength: 1, description: 'A key of `transports`.' }) },
  { additionalProperties: false },
);
export const BalanceProxySchema = Type.Object(
  {
    type: Type.Literal('balance'),
    strategy: Type.Union([Type.Literal('round-robin'), Type.Literal('least-in-flight')], { default: 'round-robin' }),
    /** One per worker address for point-to-point transports (tcp); a broker (amqp) balances by itself. */
    targets: Type.Array(oneOfTypes('balanced terminal', [LocalProxySchema, RemoteProxySchema]), { minItems: 1 }),
    downMs: PositiveInt({ default: 1000, description: 'A target that answered UNAVAILABLE is passed over this long, while another is up.' }),
  },
  { additionalProperties: false },
);
const TerminalProxy = oneOfTypes('terminal proxy', [LocalProxySchema, RemoteProxySchema, BalanceProxySchema]);
export const RouteProxySchema = Type.Object(
  {
    type: Type.Literal('route'),
    /** `service.method`, then `service`, then `'*'`: the first key that names a call takes it. */
    routes: Type.Record(Type.String(), TerminalProxy, { minProperties: 1 }),
  },
  { additionalProperties: false },
);
const timeoutFields = {
  defaultMs: PositiveInt({ default: 30_000, description: 'The deadline given to a call that carries none.' }),
  maxMs: Type.Optional(PositiveInt({ description: 'The furthest deadline a caller may ask for.' })),
};
export const TimeoutProxySchema = Type.Object({ type: Type.Literal('timeout'), ...timeoutFields }, { additionalProperties: false });
/** The name `timeout` had before the issue named it; kept so existing configs still load. */
export const DeadlineProxySchema = Type.Object({ type: Type.Literal('deadline'), ...timeoutFields }, { additionalProperties: false });
export const RetryProxySchema = Type.Object(
  {
    type: Type.Literal('retry'),
    attempts: PositiveInt({ default: 3, maximum: 10, description: 'Tries in all, the first one included.' }),
    baseMs: PositiveInt({ default: 50, description: 'Backoff before the first retry; it doubles with each one, half of it random (jitter).' }),
    maxBackoffMs: PositiveInt({ default: 2000, description: 'The longest backoff.' }),
    attemptTimeoutMs: Type.Optional(PositiveInt({ description: "Each try's own deadline, within the call's: a try that misses it is retried while the call's deadline allows." })),
  },
  { additionalProperties: false },
);
export const CircuitBreakerProxySchema = Type.Object(
  {
    type: Type.Literal('circuit-breaker'),
    windowMs: PositiveInt({ default: 10_000, description: 'The failure ratio is measured over this sliding window.' }),
    minCalls: PositiveInt({ default: 20, description: 'Calls the window must hold before the ratio may open the circuit.' }),
    failureRatio: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.5, description: 'UNAVAILABLE, TIMEOUT and OVERLOADED replies over all replies.' }),
    openMs: PositiveInt({ default: 5000, description: 'How long an open circuit answers UNAVAILABLE before it lets a probe through.' }),
    halfOpenProbes: PositiveInt({ default: 1, description: 'Calls let through at once while half-open; as many successes close the circuit.' }),
  },
  { additionalProperties: false },
);
export const MemoryCacheBackendSchema = Type.Object(
  {
    type: Type.Literal('memory'),
    maxEntries: PositiveInt({ default: 10_000, description: 'Entries kept at most; the least recently used go first.' }),
    maxBytes: PositiveInt({ default: 64 * 1024 * 1024, description: 'UTF-8 bytes of keys and values kept at most.' }),
  },
  { additionalProperties: false },
);
export const RedisCacheBackendSchema = Type.Object(
  {
    type: Type.Literal('redis'),
    url: Type.String({ pattern: '^rediss?://', description: 'e.g. redis://127.0.0.1:6379.' }),
    keyPrefix: Type.String({ default: 'junction:cache:', description: 'Every key starts with it, so deployments can share a server.' }),
    timeoutMs: PositiveInt({ default: 250, description: 'Connect and command timeout: past it the cache steps aside for that call.' }),
  },
  { additionalProperties: false },
);
export const CacheProxySchema = Type.Object(
  { type: Type.Literal('cache'), backend: oneOfTypes('cache backend', [MemoryCacheBackendSchema, RedisCacheBackendSchema]) },
  { additionalProperties: false },
);
export const AccessProxySchema = Type.Object({ type: Type.Literal('access') }, { additionalProperties: false });
export const ProxySchema = oneOfTypes('proxy', [
  LocalProxySchema,
  RemoteProxySchema,
  BalanceProxySchema,
  RouteProxySchema,
  TimeoutProxySchema,
  DeadlineProxySchema,
  RetryProxySchema,
  CircuitBreakerProxySchema,
  CacheProxySchema,
  AccessProxySchema,
]);

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

// The bus (docs/logging.md): broadcast between the nodes, for log levels and heartbeats.
export const MemoryBusSchema = Type.Object({ type: Type.Literal('memory') }, { additionalProperties: false });
export const AmqpBusSchema = Type.Object(
  {
    type: Type.Literal('amqp'),
    url: Type.Optional(Type.String({ pattern: '^amqps?://', description: 'The broker; or name `transport` to share that of an amqp transport.' })),
    transport: Type.Optional(Type.String({ minLength: 1, description: 'An amqp transport of `transports` whose broker (and queue prefix) the bus shares.' })),
    exchange: Type.Optional(Type.String({ minLength: 1, description: "The fanout exchange; `<the transport's queuePrefix>bus`, or `junction.bus`, when absent." })),
  },
  { additionalProperties: false },
);
export const BusSchema = oneOfTypes('bus', [MemoryBusSchema, AmqpBusSchema]);

// Tracing (docs/tracing.md): spans of every call, kept by the `tracing` system service.
const SampleRate = Type.Number({ minimum: 0, maximum: 1, description: 'Share of traces kept, decided where a trace starts (the sampled flag of traceparent): 1 keeps all, 0 none.' });
export const TracingSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'Record spans in this node and ship them to the tracing service.' }),
    sampleRate: Type.Number({ minimum: 0, maximum: 1, default: 1, description: 'Share of traces kept, decided where a trace starts: 1 keeps all, 0 none.' }),
    /** Per service, for traces that start with a call to it: `services: { render: { sampleRate: 0.1 } }`. */
    services: Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9]*$' }), Type.Object({ sampleRate: SampleRate }, { additionalProperties: false }), { default: {} }),
    bufferSize: PositiveInt({ default: 10_000, description: "Records a node holds before shipping them (a span each, a provider's with its handler's); one more is dropped and counted." }),
    flushIntervalMs: PositiveInt({ default: 1000, description: 'How often a node ships its spans.' }),
    batchSize: PositiveInt({ default: 500, description: 'Records in one shipped batch: one stored block, or one tracing.record call.' }),
    ringSize: PositiveInt({ default: 50_000, description: 'Without a db (or store: false): spans the tracing service keeps in memory, in the batches they came in; the oldest batch goes first. With one, the table keeps them.' }),
    store: Type.Boolean({ default: true, description: "Also store spans in the node's `db`, when it has one (table junction_span_blocks)." }),
    retentionHours: Type.Number({ exclusiveMinimum: 0, default: 72, description: 'Stored spans older than this are deleted (checked once a minute by each node that stores).' }),
    otlp: Type.Optional(
      Type.Object(
        {
          url: Type.String({ pattern: '^https?://', description: 'An OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces.' }),
          headers: Type.Record(Type.String(), Type.String(), { default: {} }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, default: {} },
);

export const ApiKeySchema = Type.Object(
  {
    key: Type.String({ minLength: 8, description: 'Sent as `Authorization: Bearer <key>` or `X-Api-Key`.' }),
    identity: Type.String({ minLength: 1 }),
    roles: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
  },
  { additionalProperties: false },
);

// Browsers on other origins (a web app, the SDK in a page, Swagger UI): which may call the
// gateway, and what they may send and read. No CORS headers at all when absent.
export const CorsSchema = Type.Object(
  {
    origins: Type.Array(Type.String({ pattern: '^(\\*|https?://[^/\\s]+)$', description: 'e.g. `https://pipeline.studio.example` or `http://localhost:3000`; `*` for any origin.' }), {
      minItems: 1,
      description: 'Origins allowed to call the gateway from a browser: scheme, host and port, no path.',
    }),
    maxAgeSeconds: Type.Integer({ minimum: 0, default: 600, description: 'How long a browser may keep a preflight answer.' }),
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
    cors: Type.Optional(CorsSchema),
  },
  { additionalProperties: false },
);

// The developer console (docs/console.md): mounted in this node's gateway, or on its own (`junction console`).
export const ConsoleSchema = Type.Object(
  {
    mount: Type.Boolean({ default: true, description: "Serve the console in this node's gateway, under `path`." }),
    path: Type.String({ pattern: '^(/[A-Za-z0-9._~-]+)+$', default: '/console', description: 'Where the mounted console is, e.g. /console.', 'x-expected': 'a path like /console' }),
    gatewayUrl: Type.Optional(Type.String({ pattern: '^https?://', description: "A console on its own (`junction console`): the gateway it calls; the gateway section's host and port when absent." })),
    host: Type.String({ default: '127.0.0.1', description: 'A console on its own: where it listens.' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8090, description: 'A console on its own: its port.' }),
    auth: Type.Optional(Type.Boolean({ description: 'Users sign in with an API key that has `requireRole`; on when absent if gateway.apiKeys lists any key.' })),
    requireRole: Type.String({ minLength: 1, default: 'developer', description: "The role a user's API key must have." }),
    sessionTtlMs: PositiveInt({ default: 43_200_000, description: 'How long a sign-in lasts (12 h).' }),
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
        /** How often the node announces itself on the bus (management.nodes, logging.getLevels). */
        heartbeatMs: PositiveInt({ default: 5000, description: 'Between two heartbeats; a node not heard for 3 of them is gone.' }),
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
    /** Broadcast between the nodes (log levels, heartbeats); `memory` (this process only) when absent. */
    bus: Type.Optional(BusSchema),
    transports: Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_-]*$' }), TransportSchema, { default: {} }),
    infrastructure: Type.Object({ db: Type.Optional(DbSchema) }, { additionalProperties: false, default: {} }),
    services: Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9]*$' }), ServiceConfigSchema, { default: {} }),
    /** Spans of every call (docs/tracing.md); off when absent. */
    tracing: TracingSchema,
    /** The developer console (docs/console.md); none when absent. */
    console: Type.Optional(ConsoleSchema),
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
export type TcpTransportConfig = Static<typeof TcpTransportSchema>;
export type ZeromqTransportConfig = Static<typeof ZeromqTransportSchema>;
export type ProxyConfigEntry = Static<typeof ProxySchema>;
export type LocalProxyConfig = Static<typeof LocalProxySchema>;
export type RemoteProxyConfig = Static<typeof RemoteProxySchema>;
export type BalanceProxyConfig = Static<typeof BalanceProxySchema>;
export type TerminalProxyConfig = LocalProxyConfig | RemoteProxyConfig | BalanceProxyConfig;
export type RouteProxyConfig = Static<typeof RouteProxySchema>;
export type TimeoutProxyConfig = Static<typeof TimeoutProxySchema> | Static<typeof DeadlineProxySchema>;
export type RetryProxyConfig = Static<typeof RetryProxySchema>;
export type CircuitBreakerProxyConfig = Static<typeof CircuitBreakerProxySchema>;
export type CacheProxyConfig = Static<typeof CacheProxySchema>;
export type CacheBackendConfig = CacheProxyConfig['backend'];
export type AccessProxyConfig = Static<typeof AccessProxySchema>;
export type ApiKeyConfig = Static<typeof ApiKeySchema>;
export type BusConfig = Static<typeof BusSchema>;
export type AmqpBusConfig = Static<typeof AmqpBusSchema>;
export type TracingConfig = Static<typeof TracingSchema>;
export type ConsoleConfig = Static<typeof ConsoleSchema>;
