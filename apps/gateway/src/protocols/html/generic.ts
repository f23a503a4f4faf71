/** How a result without a template of its own is shown: what `generic.njk` renders. */
export type GenericView =
  | { kind: 'table'; columns: string[]; rows: string[][] }
  | { kind: 'record'; entries: { key: string; value: string }[] }
  | { kind: 'json'; text: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A list of records is a table (its columns the union of their keys, in the order first seen),
 * a record a definition list, anything else indented JSON. Cells and values that are not text,
 * numbers or booleans show as compact JSON. Strings stay strings here: the template escapes them.
 * An empty list whose result schema describes its items' properties is an empty table with those
 * columns, so "no rows" reads as such.
 */
export function genericView(result: unknown, resultSchema?: unknown): GenericView {
  if (Array.isArray(result) && result.length > 0 && result.every(isRecord)) {
    const columns = [...new Set(result.flatMap((r) => Object.keys(r)))];
    return { kind: 'table', columns, rows: result.map((r) => columns.map((c) => cell(r[c]))) };
  }
  if (Array.isArray(result) && result.length === 0) {
    const items = isRecord(resultSchema) && isRecord(resultSchema.items) ? resultSchema.items : undefined;
    if (items !== undefined && isRecord(items.properties)) return { kind: 'table', columns: Object.keys(items.properties), rows: [] };
  }
  if (isRecord(result)) return { kind: 'record', entries: Object.entries(result).map(([key, value]) => ({ key, value: cell(value) })) };
  return { kind: 'json', text: JSON.stringify(result ?? null, null, 2) };
}

function cell(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
