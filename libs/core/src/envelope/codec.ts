import { JunctionError } from '../errors';
import { type CallMeta, type CallReply, type CallRequest, type Caller, type Envelope, ENVELOPE_VERSION } from './envelope';
import { PARSED_TRACEPARENT } from './ids';

/** Turns envelopes into bytes and back. One per wire format; JSON is the default. */
export interface Codec {
  readonly name: string;
  readonly contentType: string;
  encode(envelope: Envelope): Buffer;
  /** Throws a JunctionError naming what was wrong with the bytes. */
  decode(bytes: Buffer): Envelope;
  /**
   * A text codec's form without bytes, exactly what `encode`/`decode` carry: the memory transport
   * uses it to serialize as a wire would, without a Buffer copy each way.
   */
  readonly text?: { encode(envelope: Envelope): string; decode(text: string): Envelope };
  /**
   * What a request or a reply is once encoded and decoded, made the cheapest way the format
   * allows: the memory transport's round trip. Where absent, `roundTrip(codec)` sends the whole
   * envelope through encode and decode.
   */
  readonly roundTrip?: RoundTrip;
}

/** A request or a reply as the far side of a wire reads it: fresh objects, only what the format carries. */
export interface RoundTrip {
  /** Throws a JunctionError when the request cannot be encoded (a BigInt, a cycle in its args). */
  request(req: CallRequest): CallRequest;
  /** Throws a JunctionError when the reply cannot be encoded. */
  reply(reply: CallReply): CallReply;
}

function encodeJson(envelope: Envelope): string {
  try {
    return JSON.stringify(envelope);
  } catch (err) {
    // BigInt, cycles: the value cannot cross a wire, locally or remotely.
    throw new JunctionError('INTERNAL', `${envelope.kind} ${envelope.id} cannot be serialized as JSON: ${(err as Error).message}`);
  }
}

function decodeJson(text: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JunctionError('PARSE_ERROR', `envelope is not valid JSON: ${(err as Error).message}`);
  }
  return checkEnvelope(value);
}

/**
 * The round trip of any codec: the whole envelope through `encode` and `decode` (its text form
 * where it has one: the same serialization without a Buffer copy each way). Fresh objects rather
 * than `delete` on the decoded ones, which would drop them into V8's slow dictionary mode.
 */
export function envelopeRoundTrip(codec: Codec): RoundTrip {
  const text = codec.text;
  const through: (envelope: Envelope) => Envelope = text ? (e) => text.decode(text.encode(e)) : (e) => codec.decode(codec.encode(e));
  return {
    request(req) {
      const e = through({ v: ENVELOPE_VERSION, kind: 'request', id: req.id, service: req.service, method: req.method, args: req.args, meta: req.meta });
      if (e.kind !== 'request') throw new JunctionError('INTERNAL', `codec ${codec.name}: request ${req.id} came back as a ${e.kind}`);
      return { id: e.id, service: e.service, method: e.method, args: e.args, meta: e.meta };
    },
    reply(reply) {
      const envelope: Envelope = reply.error === undefined ? { v: ENVELOPE_VERSION, kind: 'reply', id: reply.id, result: reply.result } : { v: ENVELOPE_VERSION, kind: 'reply', id: reply.id, error: reply.error };
      const e = through(envelope);
      if (e.kind !== 'reply') throw new JunctionError('INTERNAL', `codec ${codec.name}: reply ${reply.id} came back as a ${e.kind}`);
      return e.error === undefined ? { id: e.id, result: e.result } : { id: e.id, error: e.error };
    },
  };
}

/**
 * JSON's round trip, value by value. JSON is compositional: an envelope's round trip is the round
 * trip of each of its values. The platform's own values (ids, names, the meta the chain made: strings,
 * finite numbers, booleans) come back as they went, so they are copied, and only what callers and
 * handlers made is serialized: the args, the result. Anything unusual (an error reply, a meta of
 * another shape, a value that does not serialize) takes the whole envelope's round trip, which
 * gives the same answer or the same error. The benchmark's call spent a third of its in-process time
 * serializing its two envelopes whole.
 */
function jsonRoundTrip(whole: RoundTrip): RoundTrip {
  return {
    request(req) {
      const meta = plainMeta(req.meta);
      if (meta === undefined || typeof req.id !== 'string' || typeof req.service !== 'string' || typeof req.method !== 'string') return whole.request(req);
      let args: unknown;
      try {
        // JSON.stringify(undefined) is undefined, which JSON.parse refuses: the whole trip then names the problem.
        args = JSON.parse(JSON.stringify(req.args) as string);
      } catch {
        return whole.request(req);
      }
      if (typeof args !== 'object' || args === null) return whole.request(req);
      return { id: req.id, service: req.service, method: req.method, args: args as CallRequest['args'], meta };
    },
    reply(reply) {
      if (reply.error !== undefined || typeof reply.id !== 'string') return whole.reply(reply);
      let text: string | undefined;
      try {
        text = JSON.stringify(reply.result);
      } catch {
        return whole.reply(reply);
      }
      // A result JSON leaves out (undefined, a function) is absent from the envelope, so undefined.
      return { id: reply.id, result: text === undefined ? undefined : (JSON.parse(text) as unknown) };
    },
  };
}

/**
 * A copy of `meta` as JSON would carry it, when every value in it is one JSON carries unchanged:
 * undefined (left out) when it holds anything else, for the whole round trip to deal with.
 */
function plainMeta(meta: CallMeta): CallMeta | undefined {
  // A plain object's keys are all its own: for-in needs no hasOwn check per key.
  if (typeof meta !== 'object' || meta === null || Object.getPrototypeOf(meta) !== Object.prototype) return undefined;
  const out: CallMeta = {};
  // Keys in their own order, as JSON.stringify writes them and JSON.parse makes them.
  for (const key in meta) {
    const value = (meta as Record<string, unknown>)[key];
    if (value === undefined) continue;
    switch (key) {
      case 'traceparent':
        if (typeof value !== 'string') return undefined;
        out.traceparent = value;
        break;
      case 'deadline':
        if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
        out.deadline = value;
        break;
      case 'attempt':
        if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
        out.attempt = value;
        break;
      case 'oneWay':
        if (typeof value !== 'boolean') return undefined;
        out.oneWay = value;
        break;
      case 'redelivered':
        if (typeof value !== 'boolean') return undefined;
        out.redelivered = value;
        break;
      case 'caller': {
        const caller = plainCaller(value);
        if (caller === undefined) return undefined;
        out.caller = caller;
        break;
      }
      default:
        return undefined;
    }
  }
  // Not a value JSON carries: the traceparent parsed, which the process on the other side of
  // this copy (the same one) would otherwise parse again. Left out by every real wire.
  const parsed = (meta as { [PARSED_TRACEPARENT]?: unknown })[PARSED_TRACEPARENT];
  if (parsed !== undefined) (out as { [PARSED_TRACEPARENT]?: unknown })[PARSED_TRACEPARENT] = parsed;
  return out;
}

function plainCaller(value: unknown): Caller | undefined {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  let keys = 0;
  for (const key in value) {
    if (key !== 'identity' && key !== 'roles') return undefined;
    keys++;
  }
  const { identity, roles } = value as { identity?: unknown; roles?: unknown };
  if (keys !== 2 || typeof identity !== 'string' || !Array.isArray(roles)) return undefined;
  for (const role of roles) if (typeof role !== 'string') return undefined;
  return { identity, roles: roles.slice() as string[] };
}

const jsonWhole: Codec = {
  name: 'json',
  contentType: 'application/json',
  encode: (envelope) => Buffer.from(encodeJson(envelope)),
  decode: (bytes) => decodeJson(bytes.toString('utf8')),
  text: { encode: encodeJson, decode: decodeJson },
};

export const jsonCodec: Codec = { ...jsonWhole, roundTrip: jsonRoundTrip(envelopeRoundTrip(jsonWhole)) };

/** How `codec` makes the memory transport's round trip: its own way when it has one. */
export function roundTrip(codec: Codec): RoundTrip {
  return codec.roundTrip ?? envelopeRoundTrip(codec);
}

export function checkEnvelope(value: unknown): Envelope {
  if (typeof value !== 'object' || value === null) throw new JunctionError('INVALID_REQUEST', `envelope must be an object, got ${typeof value}`);
  const e = value as Partial<Envelope>;
  if (e.v !== ENVELOPE_VERSION) throw new JunctionError('INVALID_REQUEST', `unknown envelope version ${JSON.stringify(e.v)}; this node speaks v${ENVELOPE_VERSION}`);
  if (typeof e.id !== 'string') throw new JunctionError('INVALID_REQUEST', 'envelope has no string "id"');
  if (e.kind === 'request') {
    if (typeof e.service !== 'string' || typeof e.method !== 'string') throw new JunctionError('INVALID_REQUEST', `request ${e.id} lacks "service" or "method"`);
    if (typeof e.args !== 'object' || e.args === null) throw new JunctionError('INVALID_REQUEST', `request ${e.id}: "args" must be an object or an array`);
    if (typeof e.meta !== 'object' || e.meta === null) throw new JunctionError('INVALID_REQUEST', `request ${e.id} has no "meta" object`);
  } else if (e.kind !== 'reply') {
    throw new JunctionError('INVALID_REQUEST', `envelope ${e.id}: "kind" must be "request" or "reply", got ${JSON.stringify(e.kind)}`);
  }
  return e as Envelope;
}
