/**
 * `dateTime.iso8601` as XML-RPC clients write it: `19980717T14:08:55` (the specification's form,
 * and Python's), with or without the date's hyphens and the time's colons, an optional fraction,
 * and an optional zone (`Z`, `+02`, `+0200`, `+02:00`).
 */
const DATE_TIME = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Reads a dateTime.iso8601. The specification gives it no zone, and Python, Java and PHP clients
 * send none, so a value without one is UTC: the same text means the same moment whatever zone
 * the gateway runs in (the xmlrpc package would read it in the gateway's local zone). An explicit
 * offset is honoured. Throws, naming the value and the expected form, on anything else.
 */
export function parseDateTime(text: string): Date {
  const m = DATE_TIME.exec(text.trim());
  const bad = () => new Error(`Expected a dateTime.iso8601 like 19980717T14:08:55 (UTC) or 1998-07-17T14:08:55+02:00 but got '${text}'`);
  if (m === null) throw bad();
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  // setUTCFullYear, not Date.UTC, which reads years 0..99 as 1900..1999.
  const back = new Date(0);
  back.setUTCFullYear(year, month - 1, day);
  back.setUTCHours(hour, minute, second, ms);
  // 31 April rolls over into May: a value that does not come back as written is not a date.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) throw bad();
  const offset = offsetMinutes(zone);
  if (Number.isNaN(offset)) throw bad();
  return new Date(back.getTime() - offset * 60_000);
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const [hours, minutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || '0')];
  if (hours > 23 || minutes > 59) return NaN;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Writes a dateTime.iso8601 as `YYYYMMDDTHH:MM:SS` in UTC, without a zone: the form every client
 * reads (Python's `xmlrpc.client` refuses a trailing `Z` with `use_builtin_types`). The format
 * has no fraction, so milliseconds are dropped. Throws for a year outside 0..9999, which the
 * format cannot hold.
 */
export function formatDateTime(date: Date): string {
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) throw new Error(`the date ${Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString()} has no dateTime.iso8601 form: its year must be 0..9999`);
  return `${pad(year, 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}
