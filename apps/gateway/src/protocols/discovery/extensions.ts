import { type MethodDescription, type ServiceDescription } from '@junction/core';

/** The prefix of Junction's own fields in both documents (OpenRPC and OpenAPI allow `x-` fields on most objects). */
export const X = 'x-junction-';

/**
 * A method's flags as `x-junction-*` fields, named as in the definition: `idempotent`, `safe` and
 * `sensitive` always, the others when set. Sensitive params (never logged or traced) are named in
 * `x-junction-sensitiveParams`; a variadic method's last param takes the remaining positional args.
 */
export function junctionFlags(m: MethodDescription): Record<string, unknown> {
  const flags: Record<string, unknown> = { [`${X}idempotent`]: m.idempotent, [`${X}safe`]: m.safe, [`${X}sensitive`]: m.sensitive };
  if (m.sensitive && m.sensitiveParams.length > 0) flags[`${X}sensitiveParams`] = [...m.sensitiveParams];
  if (m.cache !== undefined) flags[`${X}cache`] = { ttlMs: m.cache.ttlMs };
  if (m.access !== undefined && m.access.length > 0) flags[`${X}access`] = [...m.access];
  if (m.timeoutMs !== undefined) flags[`${X}timeoutMs`] = m.timeoutMs;
  if (m.variadic) flags[`${X}variadic`] = true;
  return flags;
}

/** Roles are needed: the call must carry an API key whose caller has one of them. */
export const restricted = (m: MethodDescription): boolean => m.access !== undefined && m.access.length > 0;

/** The first sentence of a description, for lists; undefined when it is the whole description. */
export function summaryOf(description: string): string | undefined {
  const m = /^(.+?[.!?])\s/s.exec(description);
  return m === null ? undefined : m[1];
}

/** The documents' version: the services they describe, each at its version, so it changes whenever one does. */
export function versionOf(services: readonly ServiceDescription[]): string {
  return services.length === 0 ? '0.0.0' : services.map((s) => `${s.name}@${s.version}`).join(', ');
}

export const DESCRIPTION =
  'Every method of every service this Junction gateway reaches, generated from the service definitions (system.describe). ' +
  'A method is named service.method; its params and result are JSON Schemas.';
