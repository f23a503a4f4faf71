import http from 'node:http';
import net from 'node:net';
import { type Embedded, startEmbedded } from './testing/embedded';
import { rpcOverHttp } from './testing/jayson';

/** A request over a real socket, the body sent in chunks without Content-Length. */
function chunked(port: number, path: string, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    // The gateway may answer and close before the whole body is out.
    req.on('error', (err) => (err.message.includes('EPIPE') || err.message.includes('ECONNRESET') ? undefined : reject(err)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}

function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (out += d));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('the gateway on a real port', () => {
  let node: Embedded;
  let port: number;

  beforeAll(async () => {
    node = await startEmbedded({ gateway: { bodyLimit: 2048, apiKeys: [{ key: 'artist-key-0123', identity: 'alice', roles: ['artist'] }] } });
    port = await node.listen();
  });
  afterAll(() => node.close());

  it('serves plain JSON to fetch', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/calc/subtract`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"minuend":42,"subtrahend":23}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('traceparent')).toMatch(/^00-/);
    expect(await res.json()).toBe(19);
    const got = await fetch(`http://127.0.0.1:${port}/api/calc/sum?values=1&values=2`);
    expect(await got.json()).toBe(3);
  });

  it('refuses a streamed body past bodyLimit: 413 on /api, -32600 on /rpc', async () => {
    const piece = `"${'x'.repeat(1000)}",`;
    const api = await chunked(port, '/api/calc/sum', ['{"values":[', piece, piece, piece, '1]}']);
    expect(api.status).toBe(413);
    expect(JSON.parse(api.body).error.message).toBe('the body is larger than the limit of 2048 bytes (gateway.bodyLimit)');
    const rpc = await chunked(port, '/rpc', ['{"jsonrpc":"2.0","method":"calc.sum","params":[', piece, piece, piece, '1],"id":1}']);
    expect(rpc.status).toBe(200);
    expect(JSON.parse(rpc.body)).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it('answers malformed HTTP with 400 and keeps serving', async () => {
    expect(await raw(port, 'NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await rpcOverHttp({ port }, { jsonrpc: '2.0', method: 'calc.subtract', params: [2, 1], id: 1 })).toEqual({ jsonrpc: '2.0', result: 1, id: 1 });
  });

  it('carries the caller of an API key sent by a JSON-RPC client', async () => {
    const reply = await rpcOverHttp({ port, headers: { 'x-api-key': 'artist-key-0123' } }, { jsonrpc: '2.0', method: 'calc.getData', id: 7 });
    expect(reply).toEqual({ jsonrpc: '2.0', result: ['hello', 5], id: 7 });
    const refused = await rpcOverHttp({ port, headers: { 'x-api-key': 'wrong-key-0000' } }, { jsonrpc: '2.0', method: 'calc.getData', id: 8 });
    expect(refused).toMatchObject({ id: null, error: { code: -32003 } });
  });

  it('answers many concurrent calls over keep-alive', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const one = (i: number) =>
      new Promise<unknown>((resolve, reject) => {
        const body = JSON.stringify({ jsonrpc: '2.0', method: 'calc.subtract', params: [i, 1], id: i });
        const req = http.request({ host: '127.0.0.1', port, path: '/rpc', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(JSON.parse(text)));
        });
        req.on('error', reject);
        req.end(body);
      });
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => one(i)));
    expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => ({ jsonrpc: '2.0', result: i - 1, id: i })));
    agent.destroy();
  });
});
