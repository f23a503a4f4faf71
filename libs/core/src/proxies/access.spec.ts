import { createAccess } from './access';
import { described, linkDeps, ok, recorder, request } from './proxy.test-support';

describe('access proxy', () => {
  const deps = linkDeps({ 'shots.approve': described('approve', { access: ['supervisor'] }), 'shots.list': described('list') });
  const next = recorder((r) => ok(r, 'done'));
  const link = createAccess(deps)(next);
  const artist = { identity: 'ann', roles: ['artist'] };

  beforeEach(() => next.seen.splice(0));

  it('refuses a caller without a required role at the edge, as the provider would', async () => {
    await expect(link(request('shots', 'approve', {}, { caller: artist }))).resolves.toEqual({
      id: 'req-1',
      error: {
        code: 'FORBIDDEN',
        message: 'shots.approve needs one of the roles [supervisor]; "ann" has [artist]',
        data: { required: ['supervisor'], identity: 'ann' },
        retryable: false,
      },
    });
    expect(next.seen).toEqual([]);
  });

  it('refuses a call without an identity as UNAUTHENTICATED', async () => {
    await expect(link(request('shots', 'approve'))).resolves.toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('lets through a caller with a role, and any caller of a method without access', async () => {
    await link(request('shots', 'approve', {}, { caller: { identity: 'sue', roles: ['artist', 'supervisor'] } }));
    await link(request('shots', 'list'));
    expect(next.seen).toHaveLength(2);
  });

  it('steps aside when the flags are unknown: the provider still enforces access', async () => {
    await expect(link(request('unknown', 'm', {}, { caller: artist }))).resolves.toEqual({ id: 'req-1', result: 'done' });
  });
});
