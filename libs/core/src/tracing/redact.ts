import { ALWAYS_REDACTED } from '../logging/logger';
import { type ArgsPolicy } from './span';

export const REDACTED = '[redacted]';
/** Longest args text a span keeps; a longer one is cut, and says so. */
export const MAX_ARGS_CHARS = 4096;

/**
 * The args as a span stores them, as JSON text made in one serialization: positional args named
 * by the method's params, the sensitive ones (and the platform's always-redacted names, as in log
 * lines) replaced by `[redacted]`. Args longer than MAX_ARGS_CHARS are cut
 * (`{ truncated: true, text }`); args that do not serialize say why. Runs as a span is packed,
 * after the call's provider has its reply.
 */
export function redactArgsText(args: unknown, policy: ArgsPolicy): string {
  if (policy.sensitive === true) return REDACTED_TEXT;
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
    return 'null';
  }
  return boundedJson(out);
}

const REDACTED_TEXT = JSON.stringify(REDACTED);

/** A span's attrs as stored: an error's message with the call's sensitive params taken out of it. */
export function redactAttrs<A extends { errorMessage?: unknown }>(attrs: A | undefined, args: unknown, policy: ArgsPolicy | undefined): A | undefined {
  if (policy === undefined || attrs === undefined || typeof attrs.errorMessage !== 'string') return attrs;
  return { ...attrs, errorMessage: redactText(attrs.errorMessage, args, policy) };
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

function boundedJson(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } catch (err) {
    return JSON.stringify({ unserializable: (err as Error).message });
  }
  return text.length > MAX_ARGS_CHARS ? JSON.stringify({ truncated: true, text: text.slice(0, MAX_ARGS_CHARS) }) : text;
}

/** Shorter strings are not taken for secrets: replacing them everywhere would mangle messages. */
const MIN_SECRET_CHARS = 4;
/** At most this many strings of a call's sensitive params are looked for in a text. */
const MAX_SECRETS = 64;
/** At most this many values of a call's sensitive params are looked at. */
const MAX_VISITED = 10_000;

/**
 * `text` with every string of the call's sensitive params (and of the always-redacted names)
 * replaced by `[redacted]`: for what a handler writes about its args in an error message, which
 * a span or a log line would otherwise keep verbatim. Strings under four characters are left.
 *
 * @example redactText('pin 9876-1234 is wrong', { pin: '9876-1234' }, { names: ['pin'], sensitive: ['pin'] }) // 'pin [redacted] is wrong'
 */
export function redactText(text: string, args: unknown, policy: ArgsPolicy): string {
  return replaceSecrets(text, secretsOf(args, policy));
}

function replaceSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

function secretsOf(args: unknown, policy: ArgsPolicy): string[] {
  const found: string[] = [];
  const roots: unknown[] = [];
  const hide = hiddenBy(policy);
  if (Array.isArray(args)) {
    args.forEach((v, i) => {
      if (policy.sensitive === true || hide.has(policy.names[i] ?? String(i))) roots.push(v);
    });
  } else if (typeof args === 'object' && args !== null) {
    for (const [k, v] of Object.entries(args)) if (policy.sensitive === true || hide.has(k)) roots.push(v);
  }
  // Iterative and bounded: args are a stranger's.
  const stack = roots;
  for (let visited = 0; stack.length > 0 && found.length < MAX_SECRETS && visited < MAX_VISITED; visited++) {
    const v = stack.pop();
    if (typeof v === 'string' || typeof v === 'number') {
      const text = String(v);
      if (text.length >= MIN_SECRET_CHARS) found.push(text);
    } else if (typeof v === 'object' && v !== null) {
      for (const child of Object.values(v)) stack.push(child);
    }
  }
  // Longest first: a secret that contains another is replaced whole.
  return found.sort((a, b) => b.length - a.length);
}

/**
 * `err` for a log line: every string in it with the call's sensitive strings redacted (redactText).
 * An Error keeps its class name, and its own fields (a `code`, data a handler attached) are copied
 * redacted; so is a plain object or array thrown instead of an Error. Bounded: a thrown value is a
 * stranger's, and may be deep or cyclic.
 */
export function redactError(err: unknown, args: unknown, policy: ArgsPolicy): unknown {
  const secrets = secretsOf(args, policy);
  if (secrets.length === 0) return err;
  return redactValue(err, secrets, { left: MAX_VISITED }, 0);
}

/** Deepest a thrown value is copied; below it, `[too deep]`. */
const MAX_ERROR_DEPTH = 6;

function redactValue(value: unknown, secrets: readonly string[], budget: { left: number }, depth: number): unknown {
  if (typeof value === 'string') return replaceSecrets(value, secrets);
  if (typeof value === 'number' || typeof value === 'bigint') return secrets.includes(String(value)) ? REDACTED : value;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_ERROR_DEPTH || --budget.left < 0) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, budget, depth + 1));
  if (value instanceof Error) {
    const copy = new Error(replaceSecrets(value.message, secrets));
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : replaceSecrets(value.stack, secrets);
    if (value.cause !== undefined) copy.cause = redactValue(value.cause, secrets, budget, depth + 1);
    return copyFields(value, copy, secrets, budget, depth);
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  // A class instance (a Date, a Buffer) is left as it is: only plain data is walked.
  if (proto !== Object.prototype && proto !== null) return value;
  return copyFields(value, {}, secrets, budget, depth);
}

function copyFields<T extends object>(from: object, to: T, secrets: readonly string[], budget: { left: number }, depth: number): T {
  for (const [k, v] of Object.entries(from)) {
    if (from instanceof Error && (k === 'message' || k === 'stack')) continue;
    (to as Record<string, unknown>)[k] = redactValue(v, secrets, budget, depth + 1);
  }
  return to;
}
