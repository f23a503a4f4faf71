import { Registry } from '../registry/registry';
import { createDeadline } from './deadline';
import { createLocal } from './local';
import { type DeadlineProxyConfig, type Handler, type ProxyConfig, type ProxyDeps, type ProxyFactory, type RemoteProxyConfig, type RouteProxyConfig, type TerminalProxyConfig } from './proxy';
import { createRemote } from './remote';
import { createRoute } from './route';

export const proxies = new Registry<ProxyFactory>('proxy', {
  local: { kind: 'terminal', create: (_config, deps) => createLocal(deps) },
  remote: { kind: 'terminal', create: (config, deps) => createRemote(config as RemoteProxyConfig, deps) },
  route: {
    kind: 'terminal',
    create: (config, deps) => createRoute(config as RouteProxyConfig, (target: TerminalProxyConfig) => terminal(target, deps)),
  },
  deadline: { kind: 'link', create: (config) => createDeadline(config as DeadlineProxyConfig) },
});

function terminal(config: ProxyConfig, deps: ProxyDeps): Handler {
  const factory = proxies.get(config.type);
  if (factory.kind !== 'terminal') throw new Error(`proxy "${config.type}" is a link, not a terminal; a chain must end in local, remote or route`);
  return factory.create(config, deps);
}

/**
 * Compiles a chain once: every link but the last wraps the rest; the last is a terminal.
 * `[deadline, route]` becomes `deadline(route)`.
 */
export function compileChain(chain: readonly ProxyConfig[], deps: ProxyDeps): Handler {
  if (chain.length === 0) throw new Error('a proxy chain needs at least a terminal (local, remote or route)');
  let handler = terminal(chain[chain.length - 1], deps);
  for (let i = chain.length - 2; i >= 0; i--) {
    const factory = proxies.get(chain[i].type);
    if (factory.kind !== 'link') throw new Error(`proxy "${chain[i].type}" is a terminal and can only stand last in a chain (it stands at ${i + 1} of ${chain.length})`);
    handler = factory.create(chain[i], deps)(handler);
  }
  return handler;
}
