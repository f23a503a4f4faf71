import { chainProblems, PROXY_ORDER } from './order';

describe('chain order', () => {
  it('has one built-in order of links, each with its reason', () => {
    expect(PROXY_ORDER.map((p) => p.type)).toEqual(['access', 'timeout', 'cache', 'retry', 'circuit-breaker']);
  });

  it('finds nothing wrong with the built-in order, or a part of it', () => {
    expect(chainProblems(['access', 'timeout', 'cache', 'retry', 'circuit-breaker', 'route'])).toEqual({ errors: [], warnings: [] });
    expect(chainProblems(['deadline', 'route'])).toEqual({ errors: [], warnings: [] });
  });

  it('refuses a terminal that is not last, a chain without a terminal, and a link twice', () => {
    expect(chainProblems(['remote', 'timeout']).errors).toEqual([
      'chain[0]: proxy "remote" is a terminal and can only stand last in a chain (it stands at 1 of 2)',
      'chain[1]: proxy "timeout" is a link, not a terminal; a chain must end in route, balance, remote, local',
    ]);
    expect(chainProblems(['timeout', 'deadline', 'route']).errors).toEqual(['chain[1]: proxy "deadline" stands in the chain twice (also at [0]); keep one']);
  });

  it('warns about a link out of the built-in order, saying why it belongs earlier', () => {
    expect(chainProblems(['timeout', 'retry', 'circuit-breaker', 'cache', 'route']).warnings).toEqual([
      'chain[3]: "cache" stands after "retry", "circuit-breaker"; the built-in order is access, timeout, cache, retry, circuit-breaker, route: cache comes earlier because a hit needs no retry and does not count as a success for the breaker; a miss is fetched once, retries included',
    ]);
  });
});
