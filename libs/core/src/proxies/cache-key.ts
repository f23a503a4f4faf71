import { createHash } from 'node:crypto';
import { type Args, type CallRequest } from '../envelope';
import { type MethodDescription } from '../provider/describe';

/**
 * JSON with every object's keys sorted, at every depth, so that `{a, b}` and `{b, a}` are one
 * text. Arrays keep their order (it means something); undefined members are left out of objects
 * and become null in arrays, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return canonicalJson((toJSON as () => unknown).call(value));
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

/**
 * Positional args by name, as the provider maps them (by the params' declared order, the last
 * param collecting the rest when variadic), so `subtract(42, 23)` and `subtract({minuend: 42,
 * subtrahend: 23})` share an entry. Too many positional args for the method are left as they are:
 * the provider refuses that call, and an array never reads like an object.
 */
export function namedArgs(args: Args | undefined, method: Pick<MethodDescription, 'params' | 'variadic'>): Args {
  if (args === undefined) return {};
  if (!Array.isArray(args)) return args;
  const names = method.params.map((p) => p.name);
  if (args.length > names.length && !method.variadic) return args;
  const fixed = method.variadic ? names.length - 1 : names.length;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < Math.min(fixed, args.length); i++) out[names[i]] = args[i];
  if (method.variadic) out[names[names.length - 1]] = args.slice(fixed);
  return out;
}

/**
 * The cache key of a call: service, method, the canonical form of its args and, when the method
 * has `access`, the caller's roles (sorted, without repeats): a result one set of roles may read
 * is never served to another. Hashed, so keys have one short length whatever the args.
 */
export function cacheKey(req: CallRequest, method: Pick<MethodDescription, 'params' | 'variadic' | 'access'>): string {
  const roles = method.access === undefined || method.access.length === 0 ? '' : JSON.stringify(req.meta.caller === undefined ? null : [...new Set(req.meta.caller.roles)].sort());
  const digest = createHash('sha256').update(`${roles}\n${canonicalJson(namedArgs(req.args, method))}`).digest('base64url');
  return `${req.service}.${req.method}:${digest}`;
}
