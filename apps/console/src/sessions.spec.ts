import { Sessions } from './sessions';

const user = (identity: string) => ({ identity, roles: ['developer'], key: `key-of-${identity}` });

describe('Sessions', () => {
  it('knows a session until it expires', () => {
    let now = 1000;
    const s = new Sessions({ ttlMs: 100, max: 10, now: () => now });
    const id = s.open(user('dora'));
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.get(id)?.identity).toBe('dora');
    now = 1099;
    expect(s.get(id)?.identity).toBe('dora');
    now = 1100;
    expect(s.get(id)).toBeUndefined();
    expect(s.size).toBe(0);
  });

  it('ends the oldest session when full', () => {
    const s = new Sessions({ ttlMs: 1000, max: 2 });
    const a = s.open(user('a'));
    const b = s.open(user('b'));
    const c = s.open(user('c'));
    expect(s.get(a)).toBeUndefined();
    expect(s.get(b)?.identity).toBe('b');
    expect(s.get(c)?.identity).toBe('c');
    expect(s.size).toBe(2);
  });

  it('forgets a closed session and ignores unknown ids', () => {
    const s = new Sessions({ ttlMs: 1000, max: 2 });
    const a = s.open(user('a'));
    s.close(a);
    expect(s.get(a)).toBeUndefined();
    expect(s.get('nope')).toBeUndefined();
    expect(s.get(undefined)).toBeUndefined();
  });
});
