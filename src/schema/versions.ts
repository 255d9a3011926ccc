/**
 * Features of the source's schema that need a minimum server version. The
 * pg_get_*def texts are valid on any target at least as new as the source; on
 * an older target these are the things that would fail, so they are named
 * before anything is written (tables) or reported as skipped (the rest).
 */
import type { ColumnDef, CollationInfo, FunctionDef, SequenceDef, TableDef, TypeInfo } from '../catalog/index.js';

export interface FeatureNeed {
  readonly feature: string;
  /** server_version_num, e.g. 150000. */
  readonly version: number;
}

export function versionText(versionNum: number): string {
  return versionNum >= 100000
    ? String(Math.floor(versionNum / 10000))
    : `${Math.floor(versionNum / 10000)}.${Math.floor(versionNum / 100) % 100}`;
}

// Syntax that appears in pg_get_constraintdef / pg_get_indexdef only when the source uses it.
const DEFINITION_FEATURES: ReadonlyArray<{ pattern: RegExp; need: FeatureNeed }> = [
  { pattern: /\bNULLS NOT DISTINCT\b/, need: { feature: 'NULLS NOT DISTINCT', version: 150000 } },
  { pattern: /\bWITHOUT OVERLAPS\b/, need: { feature: 'WITHOUT OVERLAPS (temporal keys)', version: 180000 } },
  { pattern: /\bREFERENCES\b.*\(.*\bPERIOD\b/, need: { feature: 'PERIOD in a foreign key (temporal keys)', version: 180000 } },
  { pattern: /\bNOT ENFORCED\b/, need: { feature: 'NOT ENFORCED constraints', version: 180000 } },
];

export function definitionNeeds(definition: string): FeatureNeed[] {
  return DEFINITION_FEATURES.filter((f) => f.pattern.test(definition)).map((f) => f.need);
}

export function columnNeeds(table: TableDef, column: ColumnDef): FeatureNeed[] {
  const needs: FeatureNeed[] = [];
  if (column.generated === 'virtual') needs.push({ feature: `virtual generated column ${column.name}`, version: 180000 });
  if (column.identity !== '' && table.kind === 'partitioned')
    needs.push({ feature: `identity column ${column.name} on a partitioned table`, version: 170000 });
  return needs;
}

export function typeNeeds(type: TypeInfo): FeatureNeed[] {
  return type.kind === 'multirange' ? [{ feature: `multirange type ${type.sqlName}`, version: 140000 }] : [];
}

export function sequenceNeeds(sequence: SequenceDef): FeatureNeed[] {
  return sequence.unlogged ? [{ feature: 'UNLOGGED sequences', version: 150000 }] : [];
}

export function functionNeeds(fn: FunctionDef): FeatureNeed[] {
  return fn.sqlBody ? [{ feature: 'SQL-standard function bodies (BEGIN ATOMIC / RETURN)', version: 140000 }] : [];
}

export function collationNeeds(collation: CollationInfo): FeatureNeed[] {
  const needs: FeatureNeed[] = [];
  if (collation.provider === 'builtin') needs.push({ feature: 'the builtin collation provider', version: 170000 });
  if (collation.icuRules !== undefined) needs.push({ feature: 'ICU collation rules', version: 160000 });
  return needs;
}

/** The needs a target of `targetVersion` does not meet, as one sentence; undefined when it meets them all. */
export function unmetNeeds(needs: readonly FeatureNeed[], targetVersion: number): string | undefined {
  const unmet = needs.filter((n) => n.version > targetVersion);
  if (unmet.length === 0) return undefined;
  return (
    unmet.map((n) => `PostgreSQL ${versionText(n.version)} or later is needed for ${n.feature}`).join('; ') +
    `; the target runs ${versionText(targetVersion)}`
  );
}
