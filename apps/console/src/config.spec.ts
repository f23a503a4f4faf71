import { parseConfig } from '@junction/core';
import { consoleMount, consoleOptionsOf } from './config';

const config = (yaml: string) => parseConfig(yaml, 'test.yaml');
const KEYS = 'gateway:\n  apiKeys:\n    - { key: some-long-key, identity: dora, roles: [developer] }\n';

describe('the console section of the config', () => {
  it('mounts nothing without a console section', () => {
    expect(consoleMount(config(KEYS))).toBeUndefined();
  });

  it('mounts at /console by default, with sign-in on when the gateway has keys', () => {
    const c = config(`${KEYS}console: {}\n`);
    expect(consoleMount(c)!.prefix).toBe('/console');
    expect(consoleOptionsOf(c, c.console!)).toEqual({ auth: true, requireRole: 'developer', sessionTtlMs: 43_200_000 });
  });

  it('leaves sign-in off by default when the gateway knows no key, and follows auth when it is set', () => {
    const c = config('gateway: {}\nconsole: { path: /tools/console, requireRole: dev }\n');
    expect(consoleOptionsOf(c, c.console!)).toMatchObject({ auth: false, requireRole: 'dev' });
    expect(consoleMount(c)!.prefix).toBe('/tools/console');
    const forced = config(`${KEYS}console: { auth: false }\n`);
    expect(consoleOptionsOf(forced, forced.console!).auth).toBe(false);
  });

  it('does not mount when mount is false (a console on its own serves it)', () => {
    expect(consoleMount(config(`${KEYS}console: { mount: false, gatewayUrl: 'http://gw:8080' }\n`))).toBeUndefined();
  });
});
