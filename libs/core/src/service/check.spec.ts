import { Type } from '@sinclair/typebox';
import { checkService } from './check';
import { defineService, method } from './define';

const ok = method({ description: 'ok', params: { a: Type.Number() }, result: Type.Number(), handler: ({ a }) => a });

describe('checkService', () => {
  it('accepts a well-formed service', () => {
    expect(checkService(defineService({ name: 'renderFarm', version: '1.2.0', description: 'Renders.', methods: { ok } }))).toEqual([]);
  });

  it('lists every problem, naming the service, the method and the fix', () => {
    const problems = checkService({
      name: 'render.farm',
      version: 'v1',
      description: 'x',
      requires: ['queue'],
      methods: { 'Bad-Name': ok, slow: { ...ok, timeoutMs: -5 }, many: { ...ok, variadic: true }, kept: { ...ok, cache: { ttlMs: 1000 } } },
    });
    expect(problems).toEqual([
      'service "render.farm": name must be lower camel case letters and digits (like "shots" or "renderFarm"), got "render.farm"',
      'service "render.farm": version must be semantic, like "1.0.0", got "v1"',
      'service "render.farm": requires unknown infrastructure "queue"; known: db, config',
      'service "render.farm", method "Bad-Name": method names must start with a lower-case letter and hold only letters, digits and _',
      'service "render.farm", method "slow": timeoutMs must be a positive integer, got -5',
      'service "render.farm", method "many": variadic needs the last param to be an array schema',
      'service "render.farm", method "kept": cache needs idempotent: true (or safe: true); a cache hit skips the call, and its effect',
    ]);
  });

  it('refuses sensitive params that the method does not have, naming them and the params it has', () => {
    const login = method({ description: 'in', sensitive: ['pasword'], params: { user: Type.String(), password: Type.String() }, result: Type.Null(), handler: () => null });
    const fine = method({ description: 'in', sensitive: ['password'], params: { password: Type.String() }, result: Type.Null(), handler: () => null });
    expect(checkService(defineService({ name: 'auth', version: '1.0.0', description: 'Auth.', methods: { login, fine, all: { ...ok, sensitive: true } } }))).toEqual([
      'service "auth", method "login": sensitive names "pasword", not among its params (user, password)',
    ]);
  });

  it('refuses something that is not a service at all', () => {
    expect(checkService(null)).toEqual(['a service must be an object made by defineService(), got null']);
    expect(checkService({ name: 'x', version: '1.0.0', description: 'd', methods: {} })).toEqual(['service "x": methods must be an object with at least one method']);
  });
});
