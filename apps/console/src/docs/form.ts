import { type Schema, typeLabel } from './schema';

/** How a param is typed into the try-it form. */
export type FieldKind = 'text' | 'number' | 'integer' | 'checkbox' | 'tristate' | 'select' | 'datetime' | 'binary' | 'json';

export interface FormField {
  name: string;
  kind: FieldKind;
  type: string;
  required: boolean;
  description: string;
  /** The input's starting text: the sample args' value, as the input shows it. */
  value: string;
  /** For a checkbox. */
  checked: boolean;
  /** For a select: each option's JSON value and label. */
  options: { value: string; label: string; selected: boolean }[];
  min?: number;
  max?: number;
  sensitive: boolean;
}

const isString = (s: Schema) => s.type === 'string';
/** The members of an enum, or of a union of constants (TypeBox's `Union([Literal('a'), ...])`). */
function choices(s: Schema): unknown[] | undefined {
  if (s.enum !== undefined) return s.enum;
  const alt = s.anyOf ?? s.oneOf;
  if (alt !== undefined && alt.length > 0 && alt.every((a) => a.const !== undefined)) return alt.map((a) => a.const);
  return undefined;
}

function kindOf(s: Schema, required: boolean): FieldKind {
  if (choices(s) !== undefined) return 'select';
  if (s.format === 'date-time') return 'datetime';
  if (s.contentEncoding === 'base64') return 'binary';
  if (s.type === 'boolean') return required ? 'checkbox' : 'tristate';
  if (s.type === 'integer') return 'integer';
  if (s.type === 'number') return 'number';
  if (isString(s)) return 'text';
  return 'json';
}

/**
 * One input per param, typed by its schema: text, number, a checkbox (an optional boolean gets
 * unset/true/false), a select for an enum, ISO text for a DateTime, base64 (or a file) for Binary,
 * and JSON for anything else (arrays, objects, unions). The page's script turns them back into
 * args and validates those with the params schema before sending.
 */
export function formFields(params: readonly { name: string; schema: Schema; required: boolean; description?: string }[], args: Record<string, unknown>, sensitive: readonly string[]): FormField[] {
  return params.map((p) => {
    const kind = kindOf(p.schema, p.required);
    const v = args[p.name];
    const field: FormField = {
      name: p.name,
      kind,
      type: typeLabel(p.schema),
      required: p.required,
      description: p.schema.description ?? p.description ?? '',
      value: v === undefined ? '' : kind === 'json' ? JSON.stringify(v, null, 2) : typeof v === 'string' ? v : JSON.stringify(v),
      checked: v === true,
      options: [],
      sensitive: sensitive.includes(p.name),
    };
    if (kind === 'select') {
      const list = choices(p.schema)!;
      const options = list.map((c) => ({ value: JSON.stringify(c), label: String(c), selected: v !== undefined && JSON.stringify(v) === JSON.stringify(c) }));
      field.options = p.required ? options : [{ value: '', label: '(not set)', selected: v === undefined }, ...options];
    }
    if (kind === 'tristate') {
      field.options = [
        { value: '', label: '(not set)', selected: v === undefined },
        { value: 'true', label: 'true', selected: v === true },
        { value: 'false', label: 'false', selected: v === false },
      ];
    }
    if (kind === 'number' || kind === 'integer') {
      field.min = p.schema.minimum;
      field.max = p.schema.maximum;
    }
    return field;
  });
}

/** The params as one JSON Schema object, as the provider validates args: what the browser validates the form with. */
export function paramsSchema(params: readonly { name: string; schema: Schema; required: boolean }[]): Schema {
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
}
