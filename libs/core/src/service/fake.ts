import { JunctionError } from '../errors';
import { type Context } from '../context';
import { type MethodDefinition, type ServiceDefinition } from './define';

type HandlerOf<M> = M extends MethodDefinition ? (args: Record<string, unknown>, ctx: Context) => unknown : never;

/** Behaviour for some or all methods of a service; what is left out answers SERVICE_ERROR `NOT_FAKED`. */
export type FakeHandlers<M extends Record<string, MethodDefinition>> = { [K in keyof M]?: HandlerOf<M[K]> };

/**
 * A stand-in for a service: the same name, methods and schemas (so clients are checked exactly
 * as the real one would check them), with canned behaviour.
 *
 * @example
 * export const fake = defineFake(service, { subtract: ({ minuend, subtrahend }) => Number(minuend) - Number(subtrahend) });
 */
export function defineFake<M extends Record<string, MethodDefinition>>(
  real: ServiceDefinition<M>,
  handlers: FakeHandlers<M>,
  /** Infrastructure the fake itself needs; none by default (fakes keep their state in memory). */
  opts: { requires?: ServiceDefinition['requires'] } = {},
): ServiceDefinition<M> {
  const methods = {} as Record<string, MethodDefinition>;
  for (const [name, m] of Object.entries(real.methods)) {
    const handler =
      (handlers as Record<string, MethodDefinition['handler'] | undefined>)[name] ??
      (() => {
        throw new JunctionError('SERVICE_ERROR', `the fake of ${real.name} has no behaviour for ${name}; give it one in defineFake()`, { reason: 'NOT_FAKED' });
      });
    methods[name] = Object.freeze({ ...m, handler });
  }
  for (const name of Object.keys(handlers)) {
    if (!(name in real.methods)) throw new Error(`fake of "${real.name}" defines "${name}", which the service does not have`);
  }
  return Object.freeze({
    ...real,
    description: `Fake of ${real.name}: ${real.description}`,
    requires: Object.freeze([...(opts.requires ?? [])]),
    methods: Object.freeze(methods) as M,
  });
}
