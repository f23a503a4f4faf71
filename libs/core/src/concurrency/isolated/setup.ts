import { fromWire } from '../../errors';
import { type ConcurrencyHost } from '../concurrency';
import { type GuestOutcome, type GuestSetup } from './protocol';

/** What a guest is started with; throws, naming the fix, when the host cannot give a guest its service. */
export function setupOf(host: ConcurrencyHost, module: string): GuestSetup {
  if (host.module === undefined) {
    throw new Error(
      `service "${host.service}" cannot run under concurrency "${module}": the provider does not know which module exports it ` +
        `(services loaded from config's services.<name>.package have one; a test passes register(def, { module: require.resolve('./service') }))`,
    );
  }
  return {
    module: host.module,
    service: host.service,
    settings: host.settings,
    available: host.available,
    dbKind: host.db?.kind,
    logLevel: host.log.level,
    node: host.node,
  };
}

/** A guest's answer as a value, or the typed error it carried. */
export function outcomeValue(outcome: GuestOutcome): unknown {
  if (outcome.ok) return outcome.value;
  throw fromWire(outcome.error);
}
