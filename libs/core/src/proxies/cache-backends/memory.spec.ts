import { FakeClock } from '../proxy.test-support';
import { MemoryCacheBackend } from './memory';

describe('memory cache backend', () => {
  const clock = new FakeClock();
  const backend = (maxEntries = 100, maxBytes = 1_000_000) => new MemoryCacheBackend({ type: 'memory', maxEntries, maxBytes }, clock);

  it('answers what was set until its TTL passes', async () => {
    const b = backend();
    await b.set('k', '"v"', 1000);
    clock.advance(999);
    await expect(b.get('k')).resolves.toBe('"v"');
    clock.advance(1);
    await expect(b.get('k')).resolves.toBeUndefined();
    expect(b.size()).toEqual({ entries: 0, bytes: 0 });
  });

  it('evicts the least recently used entry past maxEntries', async () => {
    const b = backend(2);
    await b.set('a', '1', 10_000);
    await b.set('b', '2', 10_000);
    await b.get('a'); // a is now more recent than b
    await b.set('c', '3', 10_000);
    expect([await b.get('a'), await b.get('b'), await b.get('c')]).toEqual(['1', undefined, '3']);
  });

  it('evicts past maxBytes, counting UTF-8 bytes of keys and values, and keeps nothing larger than the whole cache', async () => {
    const b = backend(100, 10);
    await b.set('a', '1234', 10_000); // 5 bytes
    await b.set('b', 'é23', 10_000); // 5 bytes: é is two
    expect(b.size()).toEqual({ entries: 2, bytes: 10 });
    await b.set('c', '1', 10_000);
    expect(await b.get('a')).toBeUndefined();
    expect(b.size()).toEqual({ entries: 2, bytes: 7 });
    await b.set('d', '12345678901', 10_000);
    expect(await b.get('d')).toBeUndefined();
    expect(b.size()).toEqual({ entries: 2, bytes: 7 });
  });

  it('replaces an entry set again, counting its bytes once', async () => {
    const b = backend();
    await b.set('a', '1', 10_000);
    await b.set('a', '22', 10_000);
    expect(b.size()).toEqual({ entries: 1, bytes: 3 });
    await expect(b.get('a')).resolves.toBe('22');
  });
});
