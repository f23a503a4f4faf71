import { describeTransportConformance } from '../conformance/transport-conformance';
import { conformanceHarness, describeDirectScenarios, directClient, directServer, releaseAll } from '../direct/direct.scenarios';
import { capturingLogger, echo, request, until } from '../direct/direct.test-support';

// Over real ZeroMQ sockets (libzmq from the zeromq package) on ports the OS gives.
jest.setTimeout(20_000);

describeTransportConformance('zeromq', conformanceHarness('zeromq'));

describeDirectScenarios('zeromq');

describe('zeromq transport: what is particular to it', () => {
  afterAll(releaseAll);

  it('answers INTERNAL for a reply above its own maxFrameBytes, and keeps the connection', async () => {
    const { log, lines } = capturingLogger();
    const server = await directServer('zeromq', ['s'], async (req) => ({ id: req.id, result: (req.args as { big: boolean }).big ? 'z'.repeat(5000) : 'small' }));
    const client = await directClient('zeromq', server.port, { maxFrameBytes: 1024 }, log);
    const reply = await client.call(request('s', { big: true }, 10_000));
    expect(reply.error).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/^zeromq transport "zeromq-client" got a reply of \d+ bytes from 127\.0\.0\.1:\d+, more than its maxFrameBytes \(1024\); raise maxFrameBytes on both sides$/) });
    expect(lines.find((l) => l.level === 50)).toMatchObject({ msg: reply.error?.message });
    expect(client.ready()).toBe(true);
    await expect(client.call(request('s', { big: false }))).resolves.toMatchObject({ result: 'small' });
  });

  it('drops the connection of a client that sends a message above its maxFrameBytes; the client reconnects', async () => {
    const server = await directServer('zeromq', ['echo'], echo, { maxFrameBytes: 1024 });
    const client = await directClient('zeromq', server.port, { maxFrameBytes: 64 * 1024 });
    const t0 = Date.now();
    const reply = await client.call(request('echo', { blob: 'x'.repeat(5000) }, 10_000));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(reply.error).toMatchObject({ code: 'UNAVAILABLE', data: { reason: 'DISCONNECTED' } });
    await until('the client reconnects', () => client.ready());
    await expect(client.call(request('echo', { small: 1 }))).resolves.toMatchObject({ result: { small: 1 } });
  });
});
