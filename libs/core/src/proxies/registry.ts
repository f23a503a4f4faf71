import {
  type BalanceProxyConfig,
  type CacheProxyConfig,
  type CircuitBreakerProxyConfig,
  type RemoteProxyConfig,
  type RetryProxyConfig,
  type RouteProxyConfig,
  type TerminalProxyConfig,
  type TimeoutProxyConfig,
} from '../config/schema';
import { type CallRequest } from '../envelope';
import { Registry } from '../registry/registry';
import { createAccess } from './access';
import { createBalance } from './balance';
import { createCache } from './cache';
import { createCircuitBreaker } from './circuit-breaker';
import { createLocal } from './local';
import { createMethodLookup, describeThrough } from './methods';
import { chainProblems } from './order';
import {
  type ChainDeps,
  type CompiledChain,
  type Handler,
  type LinkDeps,
  type ProxyConfig,
  type ProxyDeps,
  type ProxyFactory,
  type ProxyStatus,
  systemClock,
  type Terminal,
} from './proxy';
import { createRemote } from './remote';
import { createRetry } from './retry';
import { createRoute } from './route';
import { createTimeout } from './timeout';

const timeout: ProxyFactory = { kind: 'link', create: (config, deps) => createTimeout(config as TimeoutProxyConfig, deps) };

/** Every proxy, keyed by its `type` in config. */
export const proxies = new Registry<ProxyFactory>('proxy', {
  local: { kind: 'terminal', create: (_config, deps) => createLocal(deps) },
  remote: { kind: 'terminal', create: (config, deps) => createRemote(config as RemoteProxyConfig, deps) },
  balance: { kind: 'terminal', create: (config, deps) => createBalance(config as BalanceProxyConfig, deps, (target) => terminal(target, deps)) },
  route: { kind: 'terminal', create: (config, deps) => createRoute(config as RouteProxyConfig, (target: TerminalProxyConfig) => terminal(target, deps)) },
  timeout,
  deadline: timeout,
  retry: { kind: 'link', create: (config, deps) => createRetry(config as RetryProxyConfig, deps) },
  'circuit-breaker': { kind: 'link', create: (config, deps) => createCircuitBreaker(config as CircuitBreakerProxyConfig, deps) },
  cache: { kind: 'link', create: (config, deps) => createCache(config as CacheProxyConfig, deps) },
  access: { kind: 'link', create: (_config, deps) => createAccess(deps) },
});

function terminal(config: ProxyConfig, deps: ChainDeps): Terminal {
  const factory = proxies.get(config.type);
  if (factory.kind !== 'terminal') throw new Error(`proxy "${config.type}" is a link, not a terminal; a chain must end in local, remote, balance or route`);
  return factory.create(config, deps);
}

/**
 * Compiles a chain once: every link but the last wraps the rest; the last is a terminal.
 * `[timeout, retry, route]` becomes `timeout(retry(route))`. Links learn method flags from
 * `system.describe`, asked through the terminal (so never through themselves). The result is the
 * chain's handler, with `status()` (the breaker's circuits, the cache's counters) and `close()`
 * (a Redis connection).
 *
 * @example
 * const chain = compileChain(config.chain, { provider, transports, log });
 * const reply = await chain({ id: newRequestId(), service: 'calc', method: 'subtract', args: [42, 23], meta: {} });
 * await chain.close();
 */
export function compileChain(chain: readonly ProxyConfig[], deps: ProxyDeps): CompiledChain {
  for (const c of chain) proxies.get(c.type); // an unknown name is named before anything about order
  const { errors, warnings } = chainProblems(
    chain.map((c) => c.type),
    'chain',
    (type) => proxies.get(type).kind === 'terminal',
  );
  if (errors.length > 0) throw new Error(errors.join('; '));
  for (const warning of warnings) deps.log.warn(warning);

  const closers: (() => Promise<void>)[] = [];
  const observers: (() => ProxyStatus)[] = [];
  const base: ChainDeps = {
    ...deps,
    clock: deps.clock ?? systemClock,
    random: deps.random ?? Math.random,
    onClose: (close) => closers.push(close),
    observe: (status) => observers.push(status),
  };
  const close = async () => {
    await Promise.all(closers.splice(0).map((c) => c().catch((err: unknown) => deps.log.error({ err }, 'error while closing a proxy'))));
  };
  try {
    const end = terminal(chain[chain.length - 1], base);
    const catalog = describeThrough(end.call, base.clock);
    const linkDeps: LinkDeps = { ...base, methods: createMethodLookup({ terminal: end.call, catalog, clock: base.clock, log: deps.log }), target: end.target };
    let handler: Handler = end.call;
    for (let i = chain.length - 2; i >= 0; i--) {
      const factory = proxies.get(chain[i].type);
      if (factory.kind === 'link') handler = factory.create(chain[i], linkDeps)(handler); // chainProblems refused a terminal here
    }
    const compiled = handler;
    // A function of its own: the terminal's (a transport's call) must not get these properties.
    return Object.assign((req: CallRequest) => compiled(req), { status: () => observers.map((o) => o()), close, catalog });
  } catch (err) {
    void close();
    throw err;
  }
}
