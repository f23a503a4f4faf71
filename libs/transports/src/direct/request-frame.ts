import { type CallReply, type CallRequest, type Codec, isJunctionError, JunctionError } from '@junction/core';

/**
 * A request as the bytes a direct client (tcp, zeromq) sends, or the reply that refuses it without
 * sending: INTERNAL when the codec cannot encode it, INVALID_REQUEST when it is larger than
 * `maxFrameBytes` (the other side would drop the connection on it).
 */
export function encodeRequest(req: CallRequest, opts: { codec: Codec; maxFrameBytes: number; what: string }): Buffer | CallReply {
  let body: Buffer;
  try {
    body = opts.codec.encode({ v: 1, kind: 'request', id: req.id, service: req.service, method: req.method, args: req.args, meta: req.meta });
  } catch (err) {
    return { id: req.id, error: (isJunctionError(err) ? err : new JunctionError('INTERNAL', `${opts.what}: ${(err as Error).message}`)).toWire() };
  }
  if (body.length > opts.maxFrameBytes) {
    const message = `request ${req.id} to ${req.service}.${req.method} is ${body.length} bytes, more than ${opts.what}'s maxFrameBytes (${opts.maxFrameBytes}); send less, or raise maxFrameBytes on both sides`;
    return { id: req.id, error: new JunctionError('INVALID_REQUEST', message, { service: req.service, bytes: body.length, maxFrameBytes: opts.maxFrameBytes }).toWire() };
  }
  return body;
}
