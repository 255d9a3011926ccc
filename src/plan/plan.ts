/**
 * The plan of a snapshot sync, computed from both catalogs before anything is
 * written: which tables, which columns, which filters, which foreign keys must
 * step aside during the load, which sequences follow. Every problem that can
 * be known in advance is raised here, all at once.
 */
import type { Settings, StrategySpec, TableFilter } from '../config/index.js';
import { builtinRegistry, type StrategyRegistry } from '../anonymize/index.js';
import type { TableCatalog, ForeignKeyInfo, SequenceLink, TableInfo } from '../catalog/index.js';
import { displayName, type QualifiedName } from '../pg/ident.js';
import { SchemaMismatchError, UsageError } from '../errors.js';
import { isCovered, referencingOutsiders, selectForRun } from './select-tables.js';
import { compilePattern, specificity } from './table-patterns.js';
import { planMasking, type FakeSamples, type OwnerCheck } from './mask-plan.js';
import { WHOLE_TABLE, type ChunkPlan } from './chunk-bounds.js';
import type { LargeObjectPlan } from './large-objects-plan.js';

export interface TablePlan {
  /** `schema.table` */
  readonly key: string;
  readonly source: TableInfo;
  readonly target: TableInfo;
  /** Columns copied, in source order. */
  readonly columns: readonly string[];
  /** Columns the masking step rewrites (empty: piped byte for byte). */
  readonly maskedColumns: readonly string[];
  /** Column -> rule, inherited and `keep` rules included; compiled with the key at copy time. */
  readonly maskRules: ReadonlyMap<string, StrategySpec>;
  /** `column <- parent.column`: rules taken over from a masked column this one references. */
  readonly inheritedRules: readonly string[];
  /** column -> why its `fake` rule, written without a kind, got the kind in maskRules. */
  readonly inferredKinds?: ReadonlyMap<string, string>;
  /** Constant foreign-key values (ownership remaps), checked against the twin's referenced rows before anything is written. */
  readonly owners?: readonly OwnerCheck[];
  readonly where: string | undefined;
  readonly limit: number | undefined;
  /** The pieces copied in parallel, each in its own target transaction (one for most tables). */
  readonly chunks: readonly ChunkPlan[];
}

export interface SequencePlan {
  readonly source: SequenceLink;
  /** The target sequence to set (same column on the target). */
  readonly target: SequenceLink;
}

export interface SyncPlan {
  /** In copy order: largest first, so the longest copy starts at once. */
  readonly tables: readonly TablePlan[];
  /** Target foreign keys that touch a selected table: dropped for the load, restored after. */
  readonly foreignKeys: readonly ForeignKeyInfo[];
  readonly sequences: readonly SequencePlan[];
  /** Sequences no column owns, in the schemas of the selected tables: set by name when the target holds them. */
  readonly unownedSequences?: readonly QualifiedName[] | undefined;
  /** The source's large objects and what happens to them; undefined when it has none (or for verify). */
  readonly largeObjects?: LargeObjectPlan | undefined;
  readonly warnings: readonly string[];
}

export interface PlanPurpose {
  /**
   * The plan is for `verify`, which writes nothing: refusals that protect the
   * target from a truncate do not apply.
   */
  readonly verifyOnly?: boolean;
}

export function buildPlan(
  settings: Settings,
  source: TableCatalog,
  target: TableCatalog,
  registry: StrategyRegistry = builtinRegistry(),
  samples?: FakeSamples,
  purpose: PlanPurpose = {},
): SyncPlan {
  const selection = selectForRun(settings, source);
  const warnings: string[] = [...selection.warnings];
  const selected = selection.tables;

  const mismatches: string[] = [];
  const plans: TablePlan[] = [];
  for (const [key, sourceTable] of selected) {
    const targetTable = target.tables.get(key);
    if (targetTable === undefined) {
      mismatches.push(`${key}: missing on the target`);
      continue;
    }
    const columns = planColumns(key, sourceTable, targetTable, warnings, mismatches);
    const filter = filterFor(settings, sourceTable);
    plans.push({
      key,
      source: sourceTable,
      target: targetTable,
      columns,
      maskedColumns: [],
      maskRules: new Map(),
      inheritedRules: [],
      where: filter?.where,
      limit: filter?.limit,
      chunks: WHOLE_TABLE,
    });
  }

  // Tables of the target outside the selection whose foreign keys point into
  // it: truncating the selection would orphan their rows (or fail). Only the
  // target's keys matter; a source table the target does not hold breaks nothing.
  const outsiders = referencingOutsiders(target, selected);
  if (outsiders.size > 0 && purpose.verifyOnly !== true) {
    throw new UsageError('UNSELECTED_REFERENCING_TABLE', 'Tables that are not selected have foreign keys into selected tables.', {
      details: [...outsiders].map(([table, fks]) => `${table} (${fks.join(', ')})`),
      nextStep: 'Add them to the selection, or pass --cascade to include them (and anything that references them).',
    });
  }
  if (mismatches.length > 0) {
    throw new SchemaMismatchError(
      `The target's schema does not match the source for ${mismatches.length === 1 ? 'one column or table' : `${mismatches.length} columns or tables`}.`,
      {
        details: mismatches,
        nextStep: 'Align the target schema with the source (ALTER TABLE on the target), or exclude the tables with --exclude.',
      },
    );
  }

  const masking = planMasking(
    { anonymize: settings.anonymize, keep: settings.keep, strict: settings.strict, registry, samples },
    source,
    plans,
  );
  const masked = plans.map((p): TablePlan => {
    const m = masking.get(p.key);
    return m === undefined
      ? p
      : {
          ...p,
          maskedColumns: m.maskedColumns,
          maskRules: m.rules,
          inheritedRules: m.inherited,
          inferredKinds: m.inferredKinds,
          owners: m.owners,
        };
  });

  const foreignKeys = target.foreignKeys.filter(
    (fk) =>
      !fk.inherited && (isCovered(target, selected, displayName(fk.table)) || isCovered(target, selected, displayName(fk.referencedTable))),
  );
  return { tables: masked.sort(largestFirst), foreignKeys, sequences: planSequences(masked, source, target, warnings), warnings };
}

function planColumns(key: string, source: TableInfo, target: TableInfo, warnings: string[], mismatches: string[]): string[] {
  const targetColumns = new Map(target.columns.map((c) => [c.name, c]));
  const sourceNames = new Set(source.columns.map((c) => c.name));
  const columns: string[] = [];
  for (const column of source.columns) {
    const other = targetColumns.get(column.name);
    if (other === undefined) {
      warnings.push(`${key}.${column.name} exists only on the source: not copied`);
      continue;
    }
    if (other.generated) continue; // the target computes it
    if (other.type !== column.type) {
      mismatches.push(`${key}.${column.name}: ${column.type} on the source, ${other.type} on the target`);
      continue;
    }
    columns.push(column.name);
  }
  for (const column of target.columns) {
    if (!sourceNames.has(column.name) && !column.generated) {
      warnings.push(
        `${key}.${column.name} exists only on the target: left to its default${column.notNull ? ' (NOT NULL: the load fails without a default)' : ''}`,
      );
    }
  }
  // Columns the target generates count as common: their values are recomputed there.
  if (source.columns.length > 0 && !source.columns.some((c) => targetColumns.has(c.name))) mismatches.push(`${key}: no column in common`);
  return columns;
}

/**
 * The filter of a table: the most specific matching key wins; a filter from
 * the command line (`--where`, `--limit`) wins over the file's, and a part it
 * does not give (the `where` of `--limit users=10`) comes from the file.
 */
function filterFor(settings: Settings, table: TableInfo): TableFilter | undefined {
  const best = {
    file: undefined as { filter: TableFilter; rank: number } | undefined,
    flag: undefined as { filter: TableFilter; rank: number } | undefined,
  };
  for (const [pattern, filter] of settings.tables.filters) {
    const compiled = compilePattern(pattern);
    if (!compiled.matches(table)) continue;
    const rank = specificity(compiled);
    const side = filter.fromCommandLine === true ? 'flag' : 'file';
    const current = best[side];
    if (current === undefined || rank > current.rank) best[side] = { filter, rank };
  }
  const { file, flag } = best;
  if (flag === undefined) return file?.filter;
  return { where: flag.filter.where ?? file?.filter.where, limit: flag.filter.limit ?? file?.filter.limit };
}

function planSequences(plans: readonly TablePlan[], source: TableCatalog, target: TableCatalog, warnings: string[]): SequencePlan[] {
  const result: SequencePlan[] = [];
  const planned = new Set(plans.map((p) => p.key));
  for (const link of source.sequences) {
    const key = displayName(link.table);
    if (!planned.has(key)) continue;
    const match = target.sequences.find((t) => displayName(t.table) === key && t.column === link.column);
    if (match === undefined) {
      warnings.push(`${key}.${link.column}: the source's sequence ${displayName(link.sequence)} has no counterpart on the target; not set`);
      continue;
    }
    if (!result.some((r) => displayName(r.target.sequence) === displayName(match.sequence))) result.push({ source: link, target: match });
  }
  return result;
}

function largestFirst(a: TablePlan, b: TablePlan): number {
  return b.source.bytes - a.source.bytes || a.key.localeCompare(b.key);
}
