import { type Handler, type ProxyDeps, type RemoteProxyConfig } from './proxy';

/** Terminal: sends the request over a transport to whichever process serves the service. */
export function createRemote(config: RemoteProxyConfig, deps: ProxyDeps): Handler {
  const transport = deps.transports.get(config.transport);
  if (transport === undefined) {
    throw new Error(`proxy "remote" names transport "${config.transport}", which is not configured; configured: ${[...deps.transports.keys()].join(', ') || '(none)'}`);
  }
  return transport.call;
}
