import { ALWAYS_REDACTED } from '../logging/logger';
import { type ArgsPolicy } from './span';

export const REDACTED = '[redacted]';
/** Longest args text a span keeps; a longer one is cut, and says so. */
export const MAX_ARGS_CHARS = 4096;

/**
 * The args as a span stores them: positional args named by the method's params, the sensitive
 * ones (and the platform's always-redacted names, as in log lines) replaced by `[redacted]`,
 * copied as JSON. Runs when spans are shipped, never on a call's reply path.
 */
export function redactArgs(args: unknown, policy: ArgsPolicy): unknown {
  if (policy.sensitive === true) return REDACTED;
  const hide = hiddenBy(policy);
  const out: Record<string, unknown> = {};
  if (Array.isArray(args)) {
    for (let i = 0; i < args.length; i++) {
      const k = policy.names[i] ?? String(i);
      out[k] = hide.has(k) ? REDACTED : args[i];
    }
  } else if (typeof args === 'object' && args !== null) {
    for (const k of Object.keys(args)) out[k] = hide.has(k) ? REDACTED : (args as Record<string, unknown>)[k];
  } else {
    return null;
  }
  return jsonCopy(out);
}

// A policy is made once per method (the provider keeps it), so its set of hidden names is too.
const hidden = new WeakMap<ArgsPolicy, ReadonlySet<string>>();

function hiddenBy(policy: ArgsPolicy): ReadonlySet<string> {
  let set = hidden.get(policy);
  if (set === undefined) {
    set = new Set([...ALWAYS_REDACTED, ...(policy.sensitive === true ? [] : (policy.sensitive ?? []))]);
    hidden.set(policy, set);
  }
  return set;
}

function jsonCopy(value: unknown): unknown {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } catch (err) {
    return { unserializable: (err as Error).message };
  }
  if (text.length > MAX_ARGS_CHARS) return { truncated: true, text: text.slice(0, MAX_ARGS_CHARS) };
  return JSON.parse(text) as unknown;
}
