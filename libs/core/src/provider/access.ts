import { type Caller } from '../envelope';
import { JunctionError } from '../errors';

/**
 * Why `caller` may not call `full` (`service.method`) with roles `access`, or undefined when it
 * may. One rule for the provider and the `access` proxy at the edge, so both answer alike.
 */
export function accessRefusal(full: string, access: readonly string[] | undefined, caller: Caller | undefined): JunctionError | undefined {
  if (access === undefined || access.length === 0) return undefined;
  if (caller === undefined) {
    return new JunctionError('UNAUTHENTICATED', `${full} needs an identity with one of the roles [${access.join(', ')}]; the call carries none (send an API key)`);
  }
  if (access.includes('*') || caller.roles.some((r) => access.includes(r))) return undefined;
  return new JunctionError('FORBIDDEN', `${full} needs one of the roles [${access.join(', ')}]; "${caller.identity}" has [${caller.roles.join(', ')}]`, {
    required: access,
    identity: caller.identity,
  });
}
