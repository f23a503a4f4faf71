import { ConfigError, parseConfig, silentLogger } from '@junction/core';
import { createTransport } from '../registry';

// What needs no socket: the config of a tcp transport, as a user writes it.
const yaml = (transport: string) => ['chain:', '  - type: local', 'transports:', `  w1: ${transport}`].join('\n');

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, 'tcp.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('tcp transport config', () => {
  it('fills in the defaults and builds the transport from the registry', async () => {
    const config = parseConfig(yaml("{ type: tcp, connect: '127.0.0.1:7001' }"), 'tcp.yaml', {});
    expect(config.transports.w1).toEqual({
      type: 'tcp',
      connect: '127.0.0.1:7001',
      poolSize: 2,
      maxPending: 10000,
      maxInFlight: 1024,
      maxQueue: 10000,
      maxFrameBytes: 16777216,
      reconnectInitialMs: 100,
      reconnectMaxMs: 5000,
      heartbeatMs: 5000,
      connectTimeoutMs: 5000,
    });
    const t = createTransport(config.transports.w1, { name: 'w1', log: silentLogger() });
    expect(t).toMatchObject({ type: 'tcp', name: 'w1', capabilities: { durable: false, ack: false, balancing: 'client', serializes: true } });
    expect(t.ready()).toBe(false); // not started: no connection yet
  });

  it('refuses an address without a port, and a port out of range, naming the transport', () => {
    expect(problemsOf(yaml('{ type: tcp, connect: render-07 }'))).toEqual(['line 4: transports.w1.connect: expected host:port (e.g. 127.0.0.1:7001 or [::1]:7001), got string "render-07"']);
    expect(() => createTransport({ ...parseConfig(yaml("{ type: tcp, connect: '127.0.0.1:7001' }"), 'tcp.yaml', {}).transports.w1, connect: '127.0.0.1:70000' } as never, { name: 'w1', log: silentLogger() })).toThrow(
      'transports.w1: "connect" must be host:port with a port from 1 to 65535 (e.g. 127.0.0.1:7001 or [::1]:7001), got "127.0.0.1:70000"',
    );
  });

  it('refuses keys that belong to no point-to-point transport', () => {
    expect(problemsOf(yaml("{ type: zeromq, connect: '127.0.0.1:7001', poolSize: 4 }"))).toEqual([expect.stringMatching(/^line 4: transports\.w1\.poolSize: unknown key/)]);
  });
});
