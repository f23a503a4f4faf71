import { connect, createServer, type Socket } from 'node:net';
import { describeTransportConformance } from '../conformance/transport-conformance';
import { conformanceHarness, describeDirectScenarios, directClient, directServer, makeDirect, releaseAll } from '../direct/direct.scenarios';
import { capturingLogger, echo, request, until } from '../direct/direct.test-support';
import { encodeFrame, FrameDecoder, HEARTBEAT } from './frame';
import { type TcpTransport } from './tcp';

// Over real sockets on ports the OS gives: the conformance suite, the cases every point-to-point
// transport passes, then what is particular to tcp's own framing and connection pool.
jest.setTimeout(20_000);

describeTransportConformance('tcp', conformanceHarness('tcp'));

describeDirectScenarios('tcp');

/** A raw socket to a tcp worker, reading whole frames. */
async function rawClient(port: number): Promise<{ socket: Socket; frames: Buffer[]; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  const frames: Buffer[] = [];
  const decoder = new FrameDecoder(16 * 1024 * 1024);
  socket.on('data', (chunk: Buffer) => frames.push(...decoder.push(chunk)));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, frames, closed };
}

describe('tcp transport: frames and connections', () => {
  afterAll(releaseAll);

  it('keeps poolSize connections to its worker and spreads calls over them', async () => {
    const server = (await directServer('tcp', ['echo'], echo)) as TcpTransport & { port: number };
    const client = await directClient('tcp', server.port, { poolSize: 3 });
    const replies = await Promise.all(Array.from({ length: 300 }, (_, i) => client.call(request('echo', { i }))));
    expect(replies.map((r) => (r.result as { i: number }).i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(server.stats().server).toMatchObject({ connections: 3, accepted: 3 });
  });

  it('is not held back by Nagle: 100 calls one after another take well under 40 ms each', async () => {
    const server = await directServer('tcp', ['echo'], echo);
    const client = await directClient('tcp', server.port, { poolSize: 1 });
    const t0 = Date.now();
    for (let i = 0; i < 100; i++) await client.call(request('echo', { i }));
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('answers a heartbeat with a heartbeat', async () => {
    const server = await directServer('tcp', ['echo'], echo);
    const raw = await rawClient(server.port);
    raw.socket.write(HEARTBEAT);
    await until('the heartbeat comes back', () => raw.frames.length === 1);
    expect(raw.frames[0]).toHaveLength(0);
    raw.socket.destroy();
  });

  it('drops a frame that is not an envelope with a log line, and answers the next request on the same connection', async () => {
    const { log, lines } = capturingLogger();
    const logged = makeDirect('tcp', { listen: { host: '127.0.0.1', port: 0 } }, 'logged', log);
    await logged.serve(['echo'], echo);
    const raw = await rawClient(logged.address()!.port);
    const req = request('echo', { after: 'garbage' });
    raw.socket.write(Buffer.concat([encodeFrame(Buffer.from('{"v":1,"kind":"request", not json')), encodeFrame(Buffer.from(JSON.stringify({ v: 1, kind: 'request', ...req })))]));
    await until('the good request is answered', () => raw.frames.length === 1);
    expect(JSON.parse(raw.frames[0].toString())).toEqual({ v: 1, kind: 'reply', id: req.id, result: { after: 'garbage' } });
    expect(lines.find((l) => l.level === 50)).toMatchObject({ msg: expect.stringMatching(/^tcp transport "logged": undecodable request from 127\.0\.0\.1:\d+ dropped: envelope is not valid JSON/) });
    raw.socket.destroy();
  });

  it('closes a connection that announces a frame above maxFrameBytes, logs it, and serves the others', async () => {
    const { log, lines } = capturingLogger();
    const server = makeDirect('tcp', { listen: { host: '127.0.0.1', port: 0 }, maxFrameBytes: 1024 }, 'strict', log);
    await server.serve(['echo'], echo);
    const port = server.address()!.port;
    const client = await directClient('tcp', port);
    const raw = await rawClient(port);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(2048, 0);
    raw.socket.write(header);
    await raw.closed;
    expect(lines.find((l) => l.level === 50)).toMatchObject({
      msg: expect.stringMatching(/^tcp transport "strict": dropped the connection from 127\.0\.0\.1:\d+: a frame announced 2048 bytes, more than maxFrameBytes \(1024\); raise maxFrameBytes on both sides if the frame was genuine$/),
    });
    await expect(client.call(request('echo', { still: 'served' }))).resolves.toMatchObject({ result: { still: 'served' } });
  });

  it('fails the calls on a connection whose reply is above its maxFrameBytes at once, logs it, and reconnects', async () => {
    const { log, lines } = capturingLogger();
    const server = await directServer('tcp', ['s'], async (req) => ({ id: req.id, result: (req.args as { big: boolean }).big ? 'z'.repeat(5000) : 'small' }));
    const client = await directClient('tcp', server.port, { maxFrameBytes: 1024, poolSize: 1 }, log);
    const t0 = Date.now();
    const reply = await client.call(request('s', { big: true }, 10_000));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(reply.error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('more than maxFrameBytes (1024)') });
    expect(lines.find((l) => l.level === 50)).toMatchObject({ msg: expect.stringContaining('tcp transport "tcp-client": dropped its connection to 127.0.0.1:') });
    await until('the client reconnects', () => client.ready());
    await expect(client.call(request('s', { big: false }))).resolves.toMatchObject({ result: 'small' });
  });

  it('does not count a peer that accepts connections but never answers as up', async () => {
    const mute = createServer(() => undefined);
    await new Promise<void>((resolve) => mute.listen({ host: '127.0.0.1', port: 0 }, resolve));
    try {
      const client = await directClient('tcp', (mute.address() as { port: number }).port, { connectTimeoutMs: 300, poolSize: 1 });
      expect(client.ready()).toBe(false);
      await expect(client.call(request('echo'))).resolves.toMatchObject({ error: { code: 'UNAVAILABLE', message: expect.stringContaining('no answer to a connection and a heartbeat within 300 ms') } });
    } finally {
      mute.close();
    }
  });

  it('drops a connection whose peer falls silent, after three heartbeats, failing its calls', async () => {
    // A peer that answers the first heartbeat (so the connection is up) and then nothing.
    const silent = createServer((socket) => socket.once('data', () => socket.write(HEARTBEAT)));
    await new Promise<void>((resolve) => silent.listen({ host: '127.0.0.1', port: 0 }, resolve));
    try {
      const client = await directClient('tcp', (silent.address() as { port: number }).port, { heartbeatMs: 100, poolSize: 1 });
      expect(client.ready()).toBe(true);
      const t0 = Date.now();
      const reply = await client.call(request('echo', {}, 10_000));
      expect(Date.now() - t0).toBeLessThan(1500);
      expect(reply.error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('nothing heard from the worker for') });
    } finally {
      silent.close();
    }
  });

  it('stops listening when it drains: a new connection is refused', async () => {
    const server = await directServer('tcp', ['echo'], echo);
    await server.drain();
    const refused = connect({ host: '127.0.0.1', port: server.port });
    await expect(new Promise((_, reject) => refused.once('error', reject))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
