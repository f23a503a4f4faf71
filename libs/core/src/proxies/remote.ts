import { type RemoteProxyConfig } from '../config/schema';
import { type ChainDeps, type Terminal } from './proxy';

/** Terminal: sends the request over a transport to whichever process serves the service. */
export function createRemote(config: RemoteProxyConfig, deps: Pick<ChainDeps, 'transports'>): Terminal {
  const transport = deps.transports.get(config.transport);
  if (transport === undefined) {
    throw new Error(`proxy "remote" names transport "${config.transport}", which is not configured; configured: ${[...deps.transports.keys()].join(', ') || '(none)'}`);
  }
  const label = `remote:${config.transport}`;
  return { call: transport.call, target: () => label };
}
