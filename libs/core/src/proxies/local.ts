import { errors } from '../errors';
import { type ChainDeps, type Terminal } from './proxy';

/** Terminal: calls the provider of this process directly, without serializing. */
export function createLocal(deps: Pick<ChainDeps, 'provider'>): Terminal {
  const provider = deps.provider;
  if (provider === undefined) throw new Error('proxy "local" needs a provider in this process; use { type: remote } on a node that hosts no services');
  return {
    call: (req) => provider.handle(req).catch((err: unknown) => ({ id: req.id, error: errors.unavailable('local provider', String(err)).toWire() })),
    target: () => 'local',
  };
}
