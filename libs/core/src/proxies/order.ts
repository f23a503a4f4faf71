/**
 * The built-in order of a chain's links, outermost first, each with the reason it stands there
 * (docs/proxies.md explains it at length). A terminal — `route`, `balance`, `remote` or `local` —
 * ends every chain. `compileChain` refuses a chain whose terminal is missing or not last, or that
 * has a link twice, and warns about links out of this order.
 */
export const PROXY_ORDER: readonly { readonly type: string; readonly why: string }[] = [
  { type: 'access', why: 'a refused call costs nothing further: it is not timed, cached, retried or counted by a breaker' },
  { type: 'timeout', why: 'every link after it sees the deadline: retry never waits past it, a shared cache miss is bounded by it' },
  { type: 'cache', why: 'a hit needs no retry and does not count as a success for the breaker; a miss is fetched once, retries included' },
  { type: 'retry', why: 'each try passes the breaker, so an open circuit ends the retries at once instead of letting them wait' },
  { type: 'circuit-breaker', why: 'next to the terminal, it counts exactly what each route target answers' },
];

/** Terminals: they end a chain. */
export const TERMINALS: readonly string[] = ['route', 'balance', 'remote', 'local'];

// `deadline` is the old name of `timeout`: it stands where timeout does.
const rankOf = (type: string): number => PROXY_ORDER.findIndex((p) => p.type === (type === 'deadline' ? 'timeout' : type));

export interface ChainProblems {
  /** The chain cannot work: a terminal missing or not last, a link twice. */
  errors: string[];
  /** It works, but not as well as in the built-in order. */
  warnings: string[];
}

/**
 * What is wrong with a chain's order, given its proxies' types in order; `at` says where, e.g.
 * `chain`. `isTerminal` tells terminals from links (the registry knows; config loading uses TERMINALS).
 */
export function chainProblems(types: readonly string[], at = 'chain', isTerminal: (type: string) => boolean = (t) => TERMINALS.includes(t)): ChainProblems {
  const errors: string[] = [];
  const warnings: string[] = [];
  const order = 'the built-in order is ' + [...PROXY_ORDER.map((p) => p.type), 'route'].join(', ');
  if (types.length === 0) errors.push(`${at}: a proxy chain needs at least a terminal (${TERMINALS.join(', ')})`);
  types.forEach((type, i) => {
    const last = i === types.length - 1;
    if (isTerminal(type) && !last) errors.push(`${at}[${i}]: proxy "${type}" is a terminal and can only stand last in a chain (it stands at ${i + 1} of ${types.length})`);
    if (!isTerminal(type) && last) errors.push(`${at}[${i}]: proxy "${type}" is a link, not a terminal; a chain must end in ${TERMINALS.join(', ')}`);
    const twice = types.findIndex((t, j) => j < i && rankOf(t) !== -1 && rankOf(t) === rankOf(type));
    if (twice !== -1) errors.push(`${at}[${i}]: proxy "${type}" stands in the chain twice (also at [${twice}]); keep one`);
  });
  const links = types.map((type, i) => ({ type, i, rank: rankOf(type) })).filter((l) => l.rank !== -1);
  links.forEach((link, b) => {
    const before = links.slice(0, b).filter((a) => a.rank > link.rank);
    if (before.length === 0) return;
    const { type, why } = PROXY_ORDER[link.rank];
    warnings.push(`${at}[${link.i}]: "${link.type}" stands after ${before.map((a) => `"${a.type}"`).join(', ')}; ${order}: ${type} comes earlier because ${why}`);
  });
  return { errors, warnings };
}
