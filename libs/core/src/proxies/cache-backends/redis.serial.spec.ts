import { redisAnswers, redisCache, sleep, startRedis, stopRedis, until } from './redis.test-support';

// Stops the shared Redis: it runs alone (`npm test` runs *.serial.spec.ts after the parallel
// suites), and restarts it whatever happens, for the suites and CI runs after it.
jest.setTimeout(60_000);

afterAll(startRedis);

describe('cache proxy with the redis backend: Redis stopped and started again', () => {
  it('steps aside while Redis is down (calls succeed, one warning), and is used again once it is back', async () => {
    expect(await redisAnswers()).toBe(true);
    const cache = redisCache();
    try {
      await until('the cache is connected', () => cache.status().available);
      // 1. Up: the second identical call is a hit.
      await cache.call({ dividend: 1, divisor: 4 });
      await cache.call({ dividend: 1, divisor: 4 });
      expect(cache.executions()).toBe(1);

      // 2. Redis stops: every call still succeeds, fast, each one executed; one warning for the outage.
      await stopRedis();
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t0 = Date.now();
        await expect(cache.call({ dividend: 1, divisor: 4 })).resolves.toMatchObject({ result: { args: { dividend: 1, divisor: 4 } } });
        times.push(Date.now() - t0);
        await sleep(20);
      }
      expect(cache.executions()).toBe(11);
      expect(Math.max(...times)).toBeLessThan(300);
      expect(cache.status()).toMatchObject({ available: false });
      expect(cache.log.lines.filter((l) => l.startsWith('warn'))).toEqual([expect.stringMatching(/^warn: redis cache at redis:\/\/127\.0\.0\.1:6379 is unavailable \(.+\); calls go through uncached until it answers again$/)]);

      // 3. Redis is back (empty: it saves nothing): the cache reconnects by itself and is used again.
      await startRedis();
      await until('the cache has reconnected', () => cache.status().available);
      await cache.call({ dividend: 1, divisor: 4 });
      await cache.call({ dividend: 1, divisor: 4 });
      expect(cache.executions()).toBe(12);
      expect(cache.log.lines.filter((l) => l.startsWith('info'))).toEqual(['info: redis cache at redis://127.0.0.1:6379 answers again; cached results are used again']);
    } finally {
      await cache.close();
    }
  });
});
