/**
 * Ownership remaps (the Prisma script's `--user-id`): a `constant` rule on a
 * single-column foreign key of a copied table makes every row reference one
 * row, say one developer's account. The plan keeps such a rule (foreign-key
 * inheritance would refuse it or replace it) and records what to look for;
 * check-owners.ts then looks for it before anything is written.
 */
import type { StrategySpec } from '../config/index.js';
import type { TableCatalog } from '../catalog/index.js';
import type { QualifiedName } from '../pg/ident.js';

/** A constant foreign-key value (an ownership remap) to look for in the referenced table. */
export interface OwnerCheck {
  /** The referencing table (plan key) and column. */
  readonly table: string;
  readonly column: string;
  /** The constant, in PostgreSQL's text form. */
  readonly value: string;
  readonly referencedTable: QualifiedName;
  readonly referencedColumn: string;
  /** The plan key of the referenced table when it is copied too; undefined when the target's rows stay as they are. */
  readonly copiedAs: string | undefined;
  /** The rule that masks the referenced column as it is copied (undefined: copied as it is). */
  readonly referencedRule: StrategySpec | undefined;
}

export interface PinnedOwner {
  readonly table: string;
  readonly column: string;
  readonly rule: StrategySpec;
  readonly copiedAs: string | undefined;
  readonly referencedColumn: string;
  readonly check: Omit<OwnerCheck, 'referencedRule'>;
}

/**
 * `constant` rules on single-column foreign keys of copied tables: every row
 * then references one row (one developer account, the Prisma script's
 * `--user-id`), which is valid as long as that row is in the twin.
 */
export function ownerConstants(
  source: TableCatalog,
  owner: (table: QualifiedName) => string | undefined,
  written: ReadonlyMap<string, ReadonlyMap<string, StrategySpec>>,
): PinnedOwner[] {
  const pinned: PinnedOwner[] = [];
  for (const fk of source.foreignKeys) {
    if (fk.inherited || fk.columns.length !== 1) continue;
    const table = owner(fk.table);
    const column = fk.columns[0];
    const referencedColumn = fk.referencedColumns[0];
    if (table === undefined || column === undefined || referencedColumn === undefined) continue;
    const rule = written.get(table)?.get(column);
    if (rule?.strategy !== 'constant' || pinned.some((p) => p.table === table && p.column === column)) continue;
    const raw = rule.options['value'];
    // A missing or malformed value is reported by the strategy's own check.
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'bigint') continue;
    const copiedAs = owner(fk.referencedTable);
    pinned.push({
      table,
      column,
      rule,
      copiedAs,
      referencedColumn,
      check: { table, column, value: String(raw), referencedTable: fk.referencedTable, referencedColumn, copiedAs },
    });
  }
  return pinned;
}
