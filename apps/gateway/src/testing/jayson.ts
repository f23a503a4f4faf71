import http from 'node:http';
import { Client } from 'jayson';

/** A body jayson's client cannot make: text sent byte for byte (the specification's broken JSON). */
export class RawBody {
  constructor(readonly text: string) {}
}

export interface RpcClientOptions {
  port: number;
  headers?: Record<string, string>;
}

/**
 * Sends a request, a batch or a raw text with jayson's HTTP client to `POST /rpc`, and resolves
 * with the parsed reply (`undefined` for HTTP 204). jayson rejects on a non-2xx status.
 */
export function rpcOverHttp({ port, headers }: RpcClientOptions, body: unknown): Promise<unknown> {
  const client = Client.http({ host: '127.0.0.1', port, path: '/rpc', headers });
  if (body instanceof RawBody) {
    const { text } = body;
    // jayson serializes what it is given; its request-stream hook lets the exact bytes go out instead.
    const hooked = client as unknown as { _getRequestStream(options: http.RequestOptions): http.ClientRequest };
    hooked._getRequestStream = (options) => {
      const req = http.request({ ...options, headers: { ...options.headers, 'Content-Length': Buffer.byteLength(text) } });
      const end = req.end.bind(req);
      req.end = ((..._ignored: unknown[]) => end(text)) as typeof req.end;
      return req;
    };
    body = {};
  }
  return new Promise((resolve, reject) => {
    // A callback of two parameters: jayson hands over the whole response, unsplit.
    const done = (err: unknown, response: unknown) => (err ? reject(err) : resolve(response));
    (client.request as unknown as (raw: unknown, cb: typeof done) => void)(body, done);
  });
}
