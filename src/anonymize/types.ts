/**
 * PostgreSQL types as masking sees them: a family per `format_type()` string.
 * A strategy declares the families whose text form it can read and write; a
 * rule on a column of another family is refused at plan time, before a row
 * moves, instead of failing on the target's COPY halfway through a table.
 *
 * Unknown types (enums, domains, composites, ranges, extension types) come
 * through as their name and classify as `other`: only strategies that accept
 * any type (null, constant, keep) or a custom strategy fit them.
 */

export type TypeFamily =
  | 'text'
  | 'integer'
  | 'numeric'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'time'
  | 'interval'
  | 'inet'
  | 'uuid'
  | 'json'
  | 'bytea'
  | 'array'
  | 'other';

export const TYPE_FAMILIES: readonly TypeFamily[] = [
  'text',
  'integer',
  'numeric',
  'boolean',
  'date',
  'timestamp',
  'time',
  'interval',
  'inet',
  'uuid',
  'json',
  'bytea',
  'array',
  'other',
];

const EXACT: ReadonlyMap<string, TypeFamily> = new Map<string, TypeFamily>([
  ['text', 'text'],
  ['character varying', 'text'],
  ['varchar', 'text'],
  ['character', 'text'],
  ['char', 'text'],
  ['bpchar', 'text'],
  ['"char"', 'text'],
  ['name', 'text'],
  ['citext', 'text'],
  ['smallint', 'integer'],
  ['integer', 'integer'],
  ['bigint', 'integer'],
  ['int2', 'integer'],
  ['int4', 'integer'],
  ['int8', 'integer'],
  ['numeric', 'numeric'],
  ['decimal', 'numeric'],
  ['real', 'numeric'],
  ['double precision', 'numeric'],
  ['float4', 'numeric'],
  ['float8', 'numeric'],
  ['boolean', 'boolean'],
  ['date', 'date'],
  ['timestamp without time zone', 'timestamp'],
  ['timestamp with time zone', 'timestamp'],
  ['timestamp', 'timestamp'],
  ['timestamptz', 'timestamp'],
  ['time without time zone', 'time'],
  ['time with time zone', 'time'],
  ['interval', 'interval'],
  ['inet', 'inet'],
  ['cidr', 'inet'],
  ['uuid', 'uuid'],
  ['json', 'json'],
  ['jsonb', 'json'],
  ['bytea', 'bytea'],
]);

/** The family of a `format_type()` string such as `character varying(20)` or `timestamp(3) with time zone`. */
export function classifyType(formatType: string): TypeFamily {
  const type = formatType.trim().toLowerCase();
  if (type.endsWith(']')) return 'array';
  const base = stripModifiers(type);
  // citext may be schema-qualified (public.citext) when its extension lives in a schema.
  const unqualified = base.includes('.') && base.endsWith('.citext') ? 'citext' : base;
  return EXACT.get(unqualified) ?? 'other';
}

/** `timestamp(3) with time zone` -> `timestamp with time zone`; `numeric(12,2)` -> `numeric`. */
function stripModifiers(type: string): string {
  return type
    .replace(/\s*\([^)]*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The declared length limit in characters of `character varying(n)` / `character(n)`, else undefined. */
export function lengthLimit(formatType: string): number | undefined {
  const match = /^(?:character varying|varchar|character|char|bpchar)\((\d+)\)$/i.exec(formatType.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** `numeric(p,s)`: precision and scale, else undefined (unconstrained numeric or another type). */
export function numericModifiers(formatType: string): { precision: number; scale: number } | undefined {
  const match = /^numeric\((\d+)(?:,\s*(-?\d+))?\)$/i.exec(formatType.trim());
  if (match?.[1] === undefined) return undefined;
  return { precision: Number(match[1]), scale: Number(match[2] ?? 0) };
}

/** Range of an integer type (compile-time only: per value, bounds are compared as digit strings). */
export function integerBounds(formatType: string): { min: bigint; max: bigint } | undefined {
  switch (stripModifiers(formatType.trim().toLowerCase())) {
    case 'smallint':
    case 'int2':
      return { min: -32768n, max: 32767n };
    case 'integer':
    case 'int4':
      return { min: -2147483648n, max: 2147483647n };
    case 'bigint':
    case 'int8':
      return { min: -9223372036854775808n, max: 9223372036854775807n };
    default:
      return undefined;
  }
}

/** True for `cidr`, whose host bits must stay zero. */
export function isCidr(formatType: string): boolean {
  return formatType.trim().toLowerCase() === 'cidr';
}
