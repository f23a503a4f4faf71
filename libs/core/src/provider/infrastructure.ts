import { type Infrastructure } from '../context';
import { type Db } from '../infrastructure/db';
import { createSettings } from '../infrastructure/settings';
import { type ServiceDefinition } from '../service';

export interface AvailableInfrastructure {
  /** The node's database, if one is configured. */
  db: () => Db | undefined;
  /** The service's own settings, its `ctx.infra.config`. */
  settings?: Record<string, unknown>;
}

/**
 * The `ctx.infra` of a service: what it `requires`, and nothing else (touching anything else
 * throws, naming the fix). Throws at registration when a required facility is not configured.
 */
export function infrastructureFor(def: ServiceDefinition, available: AvailableInfrastructure): Infrastructure {
  const makers: Record<keyof Infrastructure, () => unknown> = {
    db: available.db,
    config: () => createSettings(def.name, available.settings),
  };
  const infra = {} as Infrastructure;
  for (const name of Object.keys(makers) as (keyof Infrastructure)[]) {
    if (!def.requires.includes(name)) {
      Object.defineProperty(infra, name, {
        get: () => {
          throw new Error(`service "${def.name}" uses ctx.infra.${name} without declaring it: add requires: ['${name}'] to its definition`);
        },
      });
      continue;
    }
    const value = makers[name]();
    if (value === undefined) throw new Error(`cannot register service "${def.name}": it requires infrastructure "${name}", and none is configured (add infrastructure.${name} to the config)`);
    Object.defineProperty(infra, name, { value, enumerable: true });
  }
  return Object.freeze(infra);
}
