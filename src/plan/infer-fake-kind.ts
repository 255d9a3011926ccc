/**
 * `strategy: fake` without a `kind` (as Confiture's `first_name: fake` is
 * written): the kind is inferred from the column's name, type and a sample of
 * its values, with the scan's detector (anonymize/detect.ts), so `plan`, `sync`
 * and `scan` read a column the same way. When nothing points at one kind, no
 * kind is guessed: the caller refuses the rule and lists the kinds.
 */
import type { StrategySpec } from '../config/index.js';
import { detectPii, type ColumnSample, type PiiFinding } from '../anonymize/index.js';
import { FAKE_KINDS } from '../anonymize/index.js';
import { classifyType } from '../anonymize/index.js';
import type { TableInfo } from '../catalog/index.js';

export interface InferredKind {
  readonly kind: string;
  /** Why, in words (evidence such as "column name `city` suggests city"; never a value). */
  readonly reason: string;
}

const KINDS: ReadonlySet<string> = new Set(FAKE_KINDS);

/** A `fake` rule that names no kind. */
export function lacksKind(spec: { readonly strategy: string; readonly options: Readonly<Record<string, unknown>> }): boolean {
  return spec.strategy === 'fake' && !Object.hasOwn(spec.options, 'kind');
}

/** The fake kind a detector finding stands for, if there is one. */
function kindOf(finding: PiiFinding): string | undefined {
  const { strategy, options } = finding.suggestion;
  if (strategy === 'fake' && typeof options['kind'] === 'string' && KINDS.has(options['kind'])) return options['kind'];
  // The name strategies (`name`, `first_name`, `last_name`) are fixed kinds of `fake`.
  if (KINDS.has(strategy)) return strategy;
  if (KINDS.has(finding.kind)) return finding.kind;
  if (finding.kind === 'address') return 'street_address';
  return undefined;
}

/** `billingCity` -> ['billing', 'city']. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_\-.\s]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w !== '');
}

/**
 * A kind spelled out in the column's name (`home_country`, `company_name`):
 * the kind with the most words wins (`last_name` over `name`), then the one
 * written first (`company_name` is a company, not a person's name).
 */
function kindNamed(column: string): string | undefined {
  const said = words(column);
  let best: { kind: string; length: number; at: number } | undefined;
  for (const kind of KINDS) {
    const parts = kind.split('_');
    for (let at = 0; at + parts.length <= said.length; at++) {
      if (!parts.every((part, i) => said[at + i] === part)) continue;
      if (best === undefined || parts.length > best.length || (parts.length === best.length && at < best.at))
        best = { kind, length: parts.length, at };
      break;
    }
  }
  return best?.kind;
}

export function inferFakeKind(column: ColumnSample): InferredKind | undefined {
  // `fake` writes text; on other types the rule is refused for its type anyway.
  if (classifyType(column.type) !== 'text') return undefined;
  for (const finding of detectPii(column)) {
    const kind = kindOf(finding);
    if (kind !== undefined) return { kind, reason: finding.evidence.join('; ') };
  }
  const named = kindNamed(column.name);
  return named === undefined ? undefined : { kind: named, reason: `column name \`${column.name}\` names it` };
}

/**
 * Gives each `fake` rule without a `kind` the kind inferred for its column
 * (the rule in `rules` is replaced) and records why; a rule whose kind cannot
 * be inferred is a problem that lists the kinds.
 */
export function inferKinds(
  table: { readonly key: string; readonly source: TableInfo },
  rules: Map<string, StrategySpec>,
  samples: ReadonlyMap<string, readonly (string | null)[]> | undefined,
  inferred: Map<string, Map<string, string>>,
): { table: string; column: string; message: string }[] {
  const problems: { table: string; column: string; message: string }[] = [];
  for (const [column, spec] of rules) {
    if (!lacksKind(spec)) continue;
    const info = table.source.columns.find((c) => c.name === column);
    // An unknown column is reported by checkMasks; a non-text one for its type.
    if (info === undefined) continue;
    const sample = { name: column, type: info.type, values: samples?.get(column) ?? [] };
    const kind = inferFakeKind(sample);
    if (kind !== undefined) {
      rules.set(column, { strategy: 'fake', options: { ...spec.options, kind: kind.kind } });
      const notes = inferred.get(table.key) ?? new Map<string, string>();
      notes.set(column, kind.reason);
      inferred.set(table.key, notes);
      continue;
    }
    if (classifyType(info.type) === 'text') {
      // Say what the column does look like, when that is a job for another strategy (an email, a phone number).
      const other = detectPii(sample)[0];
      const hint =
        other === undefined
          ? ''
          : `; it looks like ${other.kind.replaceAll('_', ' ')} (${other.evidence.join('; ')}): use \`${other.suggestion.strategy}\` instead`;
      problems.push({
        table: table.key,
        column,
        message: `\`fake\` needs a \`kind\`, and none can be inferred from the column's name, type or ${sample.values.length} sampled values${hint}; write one: {strategy: fake, kind: <${FAKE_KINDS.join(' | ')}>}`,
      });
      rules.delete(column);
    }
  }
  return problems;
}
