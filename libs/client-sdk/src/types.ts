import type { MethodDefinition, ServiceDefinition } from '@junction/core';
import type { JunctionCallError } from './errors';

/** Per-call settings; each overrides the client's. */
export interface CallOptions {
  /** API key of this call, sent as `Authorization: Bearer <key>`. */
  key?: string;
  /** This call's deadline in milliseconds, sent as `x-junction-timeout-ms`. */
  timeoutMs?: number;
  /** A W3C trace context to join (`00-<trace id>-<span id>-01`). */
  traceparent?: string;
  /** Aborts the HTTP request; the promise then rejects with the signal's reason, as `fetch` does. */
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** Params by name (an object) or by position (an array, in the schema's declared order). */
export type Args = Record<string, unknown> | readonly unknown[];

export interface BatchCall {
  target: string;
  args?: Args;
}

export type BatchOutcome<T = unknown> = { ok: true; result: T } | { ok: false; error: JunctionCallError };

/**
 * What a value may be when sent: JSON, where a `Date` may also be given as ISO 8601 text and a
 * `Uint8Array` as base64 text (the SDK encodes a `Uint8Array` itself).
 */
export type Sent<T> = T extends Date
  ? Date | string
  : T extends Uint8Array
    ? Uint8Array | string
    : T extends readonly unknown[]
      ? { readonly [K in keyof T]: Sent<T[K]> }
      : T extends object
        ? { [K in keyof T]: Sent<T[K]> }
        : T;

/** What a value is when received: JSON, so a `Date` arrives as ISO 8601 text and a `Uint8Array` as base64 text. */
export type Received<T> = T extends Date
  ? string
  : T extends Uint8Array
    ? string
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Received<T[K]> }
      : T extends object
        ? { [K in keyof T]: Received<T[K]> }
        : T;

// `method()` of @junction/core returns a TypedMethod whose type-only `~types` member carries the
// args and result inferred from its schemas; a plain MethodDefinition has none (unknown).
type TypesOf<M> = M extends { readonly '~types'?: infer T } ? NonNullable<T> : never;
type ArgsOfMethod<M> = TypesOf<M> extends { readonly args: infer A } ? (unknown extends A ? Args : A) : Args;
type ResultOfMethod<M> = TypesOf<M> extends { readonly result: infer R } ? R : unknown;

/** A method of a typed service proxy: the args may be left out when every param is optional. */
export type MethodCaller<M> = {} extends ArgsOfMethod<M>
  ? (args?: Sent<ArgsOfMethod<M>>, opts?: CallOptions) => Promise<Received<ResultOfMethod<M>>>
  : (args: Sent<ArgsOfMethod<M>>, opts?: CallOptions) => Promise<Received<ResultOfMethod<M>>>;

/** Anything shaped like a service definition: what `client.service<typeof service>()` accepts. */
export type ServiceLike = Pick<ServiceDefinition<Record<string, MethodDefinition>>, 'methods'>;

/**
 * A service's methods as async functions, with args and results typed from its definition.
 * Args are by name only (positional calls go through `client.call`).
 */
export type ServiceClient<S extends ServiceLike> = {
  readonly [K in keyof S['methods'] & string]: MethodCaller<S['methods'][K]>;
};
