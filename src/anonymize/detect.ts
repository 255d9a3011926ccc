/**
 * PII heuristics for `pgtwin scan`: given a column's name and type and a sample
 * of its values (text forms), the likely kinds of personal data, the evidence
 * (never the values themselves: the scan output is shared), and a rule that
 * would mask it. Name, type and values are weighed together: a name alone
 * suggests, values confirm or contradict (a `description` whose sampled values
 * name nobody is left alone), and values alone can find what no name says.
 * Pure; reading the sample is the scan command's job.
 */
import type { StrategySpec } from '../config/index.js';
import { scanJsonSamples } from './detect-json.js';
import { keyHint, nameHints, splitWords, type HintKind } from './detect-hints.js';
import { isPointType, ruleChoice } from './detect-rules.js';
import { classifyValue, containsEmail, containsPersonName, containsPhone, urlNamesSomeone, type ValueKind } from './detect-values.js';
import { classifyType } from './types.js';

export { splitWords } from './detect-hints.js';

export type PiiKind = HintKind | 'json_fields';

export interface ColumnSample {
  readonly name: string;
  /** format_type() text. */
  readonly type: string;
  readonly values: readonly (string | null)[];
  /** NOT NULL columns never get a `null` suggestion. */
  readonly notNull?: boolean;
  /** The table's name, for a bare `name` column (`customers.name` is a person's, `products.name` is not). */
  readonly table?: string;
}

export interface PiiFinding {
  readonly kind: PiiKind;
  readonly confidence: 'high' | 'medium' | 'low';
  readonly evidence: readonly string[];
  readonly suggestion: StrategySpec;
  /** Other rules for the same data, best first, for when `suggestion` does not pass the plan's checks on the column. */
  readonly alternatives?: readonly StrategySpec[];
}

type Confidence = PiiFinding['confidence'];

const VALUE_KINDS: readonly (readonly [ValueKind, PiiKind, string])[] = [
  ['email', 'email', 'email addresses'],
  ['phone', 'phone', 'phone numbers'],
  ['credit_card', 'credit_card', 'card numbers passing the Luhn check'],
  ['ssn', 'ssn', 'SSN-like identifiers (999-99-9999)'],
  ['ip', 'ip', 'IP addresses'],
  ['name', 'name', 'personal names'],
  ['address', 'address', 'street addresses'],
  ['iban', 'bank_account', 'IBANs passing their check digits'],
  ['nino', 'national_id', 'UK National Insurance numbers'],
  ['company', 'company', 'company names (Inc., Ltd, GmbH, S.A., ...)'],
];

/** What the values say is outweighed by what the name says: a postal code with 9 digits is not a phone number. */
const OUTWEIGHED_BY: Readonly<Partial<Record<PiiKind, readonly PiiKind[]>>> = {
  phone: ['postcode', 'ssn', 'national_id', 'tax_id', 'bank_account', 'credit_card', 'license_plate', 'coordinates'],
  name: ['company', 'city', 'address', 'username', 'url', 'email'],
  address: ['name', 'first_name', 'last_name', 'company'],
  company: ['name', 'first_name', 'last_name'],
};

/** Free-text names that are about people often enough to mask without values to confirm it. */
const PERSONAL_TEXT =
  /\b(?:notes?|comments?|remarks?|bio|biography|memo|feedback|message|observations?|anmerkung|bemerkung|kommentar|notizen?|comentarios?|observaciones)\b/;

const label = (kind: string): string => kind.replace(/_/g, ' ');
const share = (n: number, total: number): Confidence => (n / total >= 0.8 ? 'high' : n / total >= 0.5 ? 'medium' : 'low');

/** PII inside JSON documents: one finding whose suggestion is a `json` rule naming the paths. */
function jsonFinding(values: readonly string[]): PiiFinding | undefined {
  const hits = scanJsonSamples(values, keyHint);
  if (hits.length === 0) return undefined;
  const paths: Record<string, string> = {};
  const evidence: string[] = [];
  for (const hit of hits) {
    const kind = hit.kind === 'named' ? (hit.hint as string) : hit.kind;
    paths[hit.path] = jsonStrategy(kind);
    evidence.push(
      hit.kind === 'named'
        ? `key of ${hit.path} suggests ${label(kind)}`
        : `${hit.path}: ${hit.matches} of ${hit.occurrences} values look like ${label(kind)}${hit.hint === undefined ? '' : ' (and its key says so)'}`,
    );
  }
  const strong = hits.some((h) => h.kind !== 'named' && h.matches / h.occurrences >= 0.8);
  return { kind: 'json_fields', confidence: strong ? 'high' : 'medium', evidence, suggestion: { strategy: 'json', options: { paths } } };
}

/** The rule for a value inside JSON, where nothing constrains its length or shape. */
function jsonStrategy(kind: string): string {
  switch (kind) {
    case 'email':
    case 'phone':
    case 'credit_card':
    case 'ip':
    case 'name':
    case 'first_name':
    case 'last_name':
      return kind;
    case 'ssn':
    case 'national_id':
    case 'tax_id':
    case 'nino':
      return 'digits';
    case 'username':
      return 'hash';
    default:
      return 'redact';
  }
}

/** Likely PII in a column, most confident first; empty when nothing points at personal data. */
export function detectPii(column: ColumnSample): PiiFinding[] {
  const family = classifyType(column.type);
  const found = new Map<PiiKind, { confidence: Confidence; evidence: string[] }>();
  const add = (kind: PiiKind, confidence: Confidence, evidence: string): void => {
    const entry = found.get(kind);
    if (entry === undefined) {
      found.set(kind, { confidence, evidence: [evidence] });
      return;
    }
    entry.evidence.push(evidence);
    // Two independent signs (name and values) are stronger than either alone.
    entry.confidence = 'high';
  };

  const hints = nameHints(column.name, family, column.table);
  for (const hint of hints) add(hint.kind, hint.confidence, `column name \`${column.name}\` suggests ${hint.label}`);
  if (isPointType(column.type) && !found.has('coordinates')) add('coordinates', 'high', `type \`${column.type}\` holds coordinates`);

  const values = column.values.filter((v): v is string => v !== null && v.trim() !== '');
  const json = family === 'json' ? jsonFinding(values) : undefined;
  if (json !== undefined) found.set(json.kind, { confidence: json.confidence, evidence: [...json.evidence] });
  if (values.length > 0 && (family === 'text' || family === 'inet')) {
    const hinted: ReadonlySet<PiiKind> = new Set<PiiKind>(hints.map((h) => h.kind));
    const counts = new Map<ValueKind, number>();
    for (const value of values) for (const kind of classifyValue(value)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    for (const [valueKind, kind, text] of VALUE_KINDS) {
      const n = counts.get(valueKind) ?? 0;
      if (n / values.length < 0.3) continue;
      if (!hinted.has(kind) && (OUTWEIGHED_BY[kind] ?? []).some((k) => hinted.has(k))) continue;
      add(kind, share(n, values.length), `${n} of ${values.length} sampled values look like ${text}`);
    }
    const handles = values.filter(urlNamesSomeone).length;
    if (handles / values.length >= 0.3)
      add(
        'url',
        share(handles, values.length),
        `${handles} of ${values.length} sampled values are web addresses naming someone (a handle or profile)`,
      );
    freeText(column, values, hinted, found);
  } else if (values.length === 0 && found.get('free_text') !== undefined && !PERSONAL_TEXT.test(splitWords(column.name))) {
    // `description` or `details` without values to look at: too often about products to mask on the name alone.
    found.delete('free_text');
  }

  return [...found.entries()]
    .map(([kind, { confidence, evidence }]) => finding(kind, confidence, evidence, column, values, json))
    .sort((a, b) => RANK[b.confidence] - RANK[a.confidence]);
}

const RANK = { high: 3, medium: 2, low: 1 } as const;

/**
 * Free text that carries personal data: notes, comments and descriptions whose
 * values contain emails, phone numbers or people's names. A free-text name
 * whose values show none of these is dropped; names in text count only under
 * such a name (a `composer` column is full of names that are not personal data).
 */
function freeText(
  column: ColumnSample,
  values: readonly string[],
  hinted: ReadonlySet<PiiKind>,
  found: Map<PiiKind, { confidence: Confidence; evidence: string[] }>,
): void {
  const textHint = hinted.has('free_text');
  // A column whose values are phone numbers or SSNs as a whole is that, not free text around them.
  const sure = [...found.entries()].some(([k, f]) => k !== 'free_text' && f.confidence !== 'low');
  if (textHint) found.delete('free_text');
  if (sure) return;
  const n = values.length;
  const emails = values.filter(containsEmail).length;
  const phones = values.filter(containsPhone).length;
  const names = textHint ? values.filter((v) => v.length >= 20 && containsPersonName(v)).length : 0;
  const signs: string[] = [];
  if (emails / n >= 0.1) signs.push(`${emails} of ${n} sampled values contain an email address`);
  if (phones / n >= 0.1) signs.push(`${phones} of ${n} sampled values contain a phone number`);
  if (names / n >= 0.3) signs.push(`${names} of ${n} sampled values name a person`);
  if (signs.length === 0) return;
  const strength: Confidence = textHint ? 'high' : 'medium';
  if (textHint) found.set('free_text', { confidence: strength, evidence: [`column name \`${column.name}\` suggests free text`, ...signs] });
  else found.set('free_text', { confidence: strength, evidence: signs });
}

function finding(
  kind: PiiKind,
  confidence: Confidence,
  evidence: readonly string[],
  column: ColumnSample,
  values: readonly string[],
  json: PiiFinding | undefined,
): PiiFinding {
  if (kind === 'json_fields' && json !== undefined) return { kind, confidence, evidence, suggestion: json.suggestion };
  const choice = ruleChoice(kind, { name: column.name, type: column.type, notNull: column.notNull === true, values });
  const [first, ...rest] = choice.rules;
  const suggestion = first ?? { strategy: 'null', options: {} };
  const why = choice.why === undefined ? [] : [`rule: ${choice.why}`];
  return rest.length > 0
    ? { kind, confidence, evidence: [...evidence, ...why], suggestion, alternatives: rest }
    : { kind, confidence, evidence: [...evidence, ...why], suggestion };
}
