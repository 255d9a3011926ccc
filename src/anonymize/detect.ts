/**
 * PII heuristics for `pgtwin scan`: given a column's name and type and a sample
 * of its values (text forms), the likely kinds of personal data, the evidence
 * (never the values themselves: the scan output is shared), and a rule that
 * would mask it. Pure; reading the sample is the scan command's job.
 */
import type { StrategySpec } from '../config/settings.js';
import { scanJsonSamples } from './detect-json.js';
import { classifyValue, containsEmail, type ValueKind } from './detect-values.js';
import { classifyType, type TypeFamily } from './types.js';

export type PiiKind =
  | 'email' | 'phone' | 'credit_card' | 'ssn' | 'ip' | 'name' | 'first_name' | 'last_name' | 'address'
  | 'city' | 'postcode' | 'birth_date' | 'username' | 'secret' | 'bank_account' | 'free_text' | 'json_fields';

export interface ColumnSample {
  readonly name: string;
  /** format_type() text. */
  readonly type: string;
  readonly values: readonly (string | null)[];
}

export interface PiiFinding {
  readonly kind: PiiKind;
  readonly confidence: 'high' | 'medium' | 'low';
  readonly evidence: readonly string[];
  readonly suggestion: StrategySpec;
}

/** Column-name patterns, tested on the name split into lowercase words (`billingEmail` -> `billing email`). */
const NAME_HINTS: readonly (readonly [PiiKind, RegExp])[] = [
  ['email', /\be ?mail\b|\bemail addr/],
  ['phone', /\b(?:phone|mobile|cell|tel|telephone|fax|msisdn)\b/],
  ['credit_card', /\b(?:card (?:number|no|num)|cc (?:number|num|no)|credit card|pan)\b|\bcardnumber\b/],
  ['ssn', /\b(?:ssn|social security|national id|nin|tax id|tin|sin|passport|driver licen[cs]e)\b/],
  ['ip', /\b(?:ip|ip addr(?:ess)?|ipaddr|remote addr|client ip)\b/],
  ['first_name', /\b(?:first name|firstname|given name|forename)\b/],
  ['last_name', /\b(?:last name|lastname|surname|family name)\b/],
  ['name', /^(?:name|full name|fullname|display name|contact name|customer name|person name)$/],
  ['address', /\b(?:address|street|addr line|address line|addr)\b/],
  ['city', /\b(?:city|town)\b/],
  ['postcode', /\b(?:zip|zipcode|post ?code|postal code)\b/],
  ['birth_date', /\b(?:dob|birth|birthday|birthdate|date of birth)\b/],
  ['username', /\b(?:username|user name|login|handle|nickname)\b/],
  ['secret', /\b(?:password|passwd|pwd|secret|token|api key|apikey|salt|otp)\b/],
  ['bank_account', /\b(?:iban|bic|swift|account (?:number|no)|routing number|sort code)\b/],
];

const VALUE_KINDS: readonly (readonly [ValueKind, PiiKind, string])[] = [
  ['email', 'email', 'email addresses'],
  ['phone', 'phone', 'phone numbers'],
  ['credit_card', 'credit_card', 'card numbers passing the Luhn check'],
  ['ssn', 'ssn', 'SSN-like identifiers (999-99-9999)'],
  ['ip', 'ip', 'IP addresses'],
  ['name', 'name', 'personal names'],
  ['address', 'address', 'street addresses'],
];

export function splitWords(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.\s]+/g, ' ')
    .toLowerCase()
    .trim();
}

/** The rule to suggest for a kind on a column of this family. */
function suggest(kind: PiiKind, family: TypeFamily): StrategySpec {
  const spec = (strategy: string, options: Record<string, unknown> = {}): StrategySpec => ({ strategy, options });
  if (family === 'integer' && (kind === 'phone' || kind === 'ssn' || kind === 'credit_card' || kind === 'bank_account')) return spec('digits');
  if (family === 'date' || family === 'timestamp') return spec(family === 'date' ? 'date' : 'timestamp', { days: kind === 'birth_date' ? 180 : 30 });
  if (family === 'inet') return spec('ip');
  if (family === 'json') return spec('redact');
  if (family !== 'text') return spec('null');
  switch (kind) {
    case 'email':
      return spec('email');
    case 'phone':
      return spec('phone');
    case 'credit_card':
      return spec('credit_card');
    case 'ssn':
    case 'bank_account':
      return spec('digits');
    case 'ip':
      return spec('ip');
    case 'name':
      return spec('name');
    case 'first_name':
      return spec('first_name');
    case 'last_name':
      return spec('last_name');
    case 'address':
      return spec('fake', { kind: 'street_address' });
    case 'city':
      return spec('fake', { kind: 'city' });
    case 'postcode':
      return spec('fake', { kind: 'postcode' });
    case 'username':
    case 'secret':
      return spec('hash');
    case 'birth_date':
    case 'free_text':
    case 'json_fields':
      return spec('redact');
  }
}

/** The column-name kind of a word list, if any pattern matches. */
function nameKind(words: string): PiiKind | undefined {
  return NAME_HINTS.find(([, pattern]) => pattern.test(words))?.[0];
}

const JSON_STRATEGY: Readonly<Record<string, string>> = {
  email: 'email', phone: 'phone', credit_card: 'credit_card', ssn: 'digits', ip: 'ip', name: 'name', address: 'redact',
  first_name: 'first_name', last_name: 'last_name', city: 'redact', postcode: 'redact', birth_date: 'redact',
  username: 'hash', secret: 'redact', bank_account: 'redact',
};

/** PII inside JSON documents: one finding whose suggestion is a `json` rule naming the paths. */
function jsonFinding(values: readonly string[]): PiiFinding | undefined {
  const hits = scanJsonSamples(values, (key) => nameKind(splitWords(key)));
  if (hits.length === 0) return undefined;
  const paths: Record<string, string> = {};
  const evidence: string[] = [];
  for (const hit of hits) {
    const kind = hit.kind === 'named' ? (hit.hint as string) : hit.kind;
    paths[hit.path] = JSON_STRATEGY[kind] ?? 'redact';
    evidence.push(
      hit.kind === 'named'
        ? `key of ${hit.path} suggests ${kind.replace('_', ' ')}`
        : `${hit.path}: ${hit.matches} of ${hit.occurrences} values look like ${kind.replace('_', ' ')}${hit.hint === undefined ? '' : ' (and its key says so)'}`,
    );
  }
  const strong = hits.some((h) => h.kind !== 'named' && h.matches / h.occurrences >= 0.8);
  return { kind: 'json_fields', confidence: strong ? 'high' : 'medium', evidence, suggestion: { strategy: 'json', options: { paths } } };
}

const RANK = { high: 3, medium: 2, low: 1 } as const;

/** Likely PII in a column, most confident first; empty when nothing points at personal data. */
export function detectPii(column: ColumnSample): PiiFinding[] {
  const family = classifyType(column.type);
  const words = splitWords(column.name);
  const found = new Map<PiiKind, { confidence: PiiFinding['confidence']; evidence: string[] }>();
  const add = (kind: PiiKind, confidence: PiiFinding['confidence'], evidence: string): void => {
    const entry = found.get(kind);
    if (entry === undefined) {
      found.set(kind, { confidence, evidence: [evidence] });
      return;
    }
    entry.evidence.push(evidence);
    // Name and values agreeing is stronger than either alone.
    entry.confidence = 'high';
  };

  for (const [kind, pattern] of NAME_HINTS) {
    if (pattern.test(words)) add(kind, kind === 'name' || kind === 'address' ? 'medium' : 'high', `column name \`${column.name}\` suggests ${kind.replace('_', ' ')}`);
  }

  const values = column.values.filter((v): v is string => v !== null && v.trim() !== '');
  const json = family === 'json' ? jsonFinding(values) : undefined;
  if (json !== undefined) found.set(json.kind, { confidence: json.confidence, evidence: [...json.evidence] });
  if (values.length > 0 && (family === 'text' || family === 'inet')) {
    const counts = new Map<ValueKind, number>();
    let emailsInside = 0;
    for (const value of values) {
      for (const kind of classifyValue(value)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
      if (containsEmail(value)) emailsInside++;
    }
    for (const [valueKind, kind, label] of VALUE_KINDS) {
      const n = counts.get(valueKind) ?? 0;
      const share = n / values.length;
      if (share < 0.3) continue;
      add(kind, share >= 0.8 ? 'high' : share >= 0.5 ? 'medium' : 'low', `${n} of ${values.length} sampled values look like ${label}`);
    }
    if (!found.has('email') && emailsInside / values.length >= 0.1) {
      add('free_text', 'medium', `${emailsInside} of ${values.length} sampled values contain an email address`);
    }
  }

  return [...found.entries()]
    .map(([kind, { confidence, evidence }]) => ({
      kind,
      confidence,
      evidence,
      suggestion: kind === 'json_fields' && json !== undefined ? json.suggestion : suggest(kind, family),
    }))
    .sort((a, b) => RANK[b.confidence] - RANK[a.confidence]);
}
