/**
 * A suggested rule that the sync will accept: the first of a finding's rules
 * (its suggestion, then its alternatives) that passes the plan-time checks on
 * the column as the catalog describes it (type, `varchar(n)` length, unique
 * and foreign-key-referenced columns need an injective rule, NOT NULL refuses
 * `null`). A unique text column that no listed rule fits gets a template on
 * the table's own key (`user{{id}}`), which is injective; only when nothing
 * fits is the first rule kept, and the problem goes into the review notes.
 */
import type { StrategySpec } from '../config/index.js';
import { checkMasks, type MaskColumn } from '../anonymize/index.js';
import type { PiiFinding } from '../anonymize/index.js';
import { classifyType, integerBounds, lengthLimit } from '../anonymize/index.js';
import type { ScannedColumn, ScannedTable } from './scan.js';

export function fitRule(
  finding: PiiFinding,
  table: ScannedTable,
  column: ScannedColumn,
  referencedColumns: readonly string[],
): StrategySpec {
  const columns: MaskColumn[] = table.columns.filter((c) => !c.generated).map((c) => ({ name: c.name, type: c.type, notNull: c.notNull }));
  const facts = { table: table.key, primaryKey: table.primaryKey, uniqueKeys: table.uniqueKeys, referencedColumns };
  const passes = (rule: StrategySpec): boolean => checkMasks(new Map([[column.name, rule]]), columns, facts).length === 0;
  const candidates = [finding.suggestion, ...(finding.alternatives ?? [])];
  const fitting = candidates.find(passes);
  if (fitting !== undefined) return fitting;
  const keyed = keyTemplate(finding.kind, table, column);
  if (keyed !== undefined && passes(keyed)) return keyed;
  return finding.suggestion;
}

/** `user{{id}}` on a single-column key that is not personal data itself, when the result fits the column. */
function keyTemplate(kind: string, table: ScannedTable, column: ScannedColumn): StrategySpec | undefined {
  if (classifyType(column.type) !== 'text' || table.primaryKey.length !== 1) return undefined;
  const key = table.columns.find((c) => c.name === table.primaryKey[0]);
  if (key === undefined || key.name === column.name || key.findings.length > 0) return undefined;
  const prefix = kind === 'email' ? 'user' : kind === 'username' ? 'user' : kind.replace(/_/g, '-') + '-';
  const suffix = kind === 'email' ? '@example.com' : '';
  const keyLength = integerBounds(key.type)?.min.toString().length ?? lengthLimit(key.type);
  const limit = lengthLimit(column.type);
  if (limit !== undefined && (keyLength === undefined || prefix.length + keyLength + suffix.length > limit)) return undefined;
  return { strategy: 'template', options: { template: `${prefix}{{${key.name}}}${suffix}` } };
}
