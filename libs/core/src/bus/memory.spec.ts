import { Writable } from 'node:stream';
import { createLogger } from '../logging';
import { createMemoryBus } from './memory';

const tick = () => new Promise((r) => setImmediate(r));

describe('memory bus', () => {
  it("delivers a message to every subscriber of its topic, the publisher's own included, and to no other topic", async () => {
    const bus = createMemoryBus();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const other: unknown[] = [];
    bus.subscribe('t', (m) => a.push(m));
    bus.subscribe('t', (m) => b.push(m));
    bus.subscribe('u', (m) => other.push(m));
    await bus.publish('t', { n: 1 });
    await tick();
    expect(a).toEqual([{ n: 1 }]);
    expect(b).toEqual([{ n: 1 }]);
    expect(other).toEqual([]);
  });

  it('delivers on a later turn, as a copy', async () => {
    const bus = createMemoryBus();
    const got: Record<string, unknown>[] = [];
    bus.subscribe('t', (m) => got.push(m as Record<string, unknown>));
    const sent = { list: [1] };
    await bus.publish('t', sent);
    expect(got).toEqual([]);
    sent.list.push(2);
    await tick();
    expect(got).toEqual([{ list: [1] }]);
  });

  it('stops delivering to a listener that unsubscribed', async () => {
    const bus = createMemoryBus();
    const got: unknown[] = [];
    const off = bus.subscribe('t', (m) => got.push(m));
    off();
    await bus.publish('t', { n: 1 });
    await tick();
    expect(got).toEqual([]);
  });

  it('logs a listener that throws and still delivers to the others', async () => {
    let text = '';
    const log = createLogger({ destination: new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }) });
    const bus = createMemoryBus({ log });
    const got: unknown[] = [];
    bus.subscribe('t', () => {
      throw new Error('boom');
    });
    bus.subscribe('t', (m) => got.push(m));
    await bus.publish('t', { n: 1 });
    await tick();
    expect(got).toEqual([{ n: 1 }]);
    expect(text).toContain('a bus listener on \\"t\\" failed');
  });

  it('refuses to publish after close, naming the topic', async () => {
    const bus = createMemoryBus();
    await bus.close();
    expect(bus.ready()).toBe(false);
    await expect(bus.publish('t', {})).rejects.toThrow('memory bus: cannot publish on "t" after close()');
  });
});
