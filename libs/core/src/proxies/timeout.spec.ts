import { createTimeout } from './timeout';
import { described, linkDeps, ok, recorder, request } from './proxy.test-support';

describe('timeout proxy', () => {
  const deps = linkDeps({ 'render.thumbnail': described('thumbnail', { timeoutMs: 2000 }) });
  const now = deps.clock.now();
  const next = recorder((r) => ok(r, null));
  const link = createTimeout({ type: 'timeout', defaultMs: 30_000, maxMs: 60_000 }, deps)(next);

  beforeEach(() => next.seen.splice(0));

  it('gives a call without a deadline the default one', async () => {
    await link(request('calc', 'sum'));
    expect(next.seen[0].meta.deadline).toBe(now + 30_000);
  });

  it("keeps the caller's deadline when it is the tightest, and passes the request on unchanged", async () => {
    const req = request('calc', 'sum', {}, { deadline: now + 500 });
    await link(req);
    expect(next.seen[0]).toBe(req);
  });

  it('caps a deadline further than maxMs', async () => {
    await link(request('calc', 'sum', {}, { deadline: now + 600_000 }));
    expect(next.seen[0].meta.deadline).toBe(now + 60_000);
  });

  it("takes the method's timeoutMs when it is tighter than the caller's", async () => {
    await link(request('render', 'thumbnail', {}, { deadline: now + 10_000 }));
    await link(request('render', 'thumbnail', {}, { deadline: now + 1000 }));
    expect(next.seen.map((r) => r.meta.deadline)).toEqual([now + 2000, now + 1000]);
  });

  it('answers to its old name, deadline, alike', async () => {
    await createTimeout({ type: 'deadline', defaultMs: 1000 }, deps)(next)(request('calc', 'sum'));
    expect(next.seen[0].meta.deadline).toBe(now + 1000);
  });
});
