import { JunctionError } from '../errors';
import { type Envelope, ENVELOPE_VERSION } from './envelope';

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

export const jsonCodec: Codec = {
  name: 'json',
  contentType: 'application/json',
  encode: (envelope) => Buffer.from(encodeJson(envelope)),
  decode: (bytes) => decodeJson(bytes.toString('utf8')),
  text: { encode: encodeJson, decode: decodeJson },
};

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
