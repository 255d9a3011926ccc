/**
 * What verify needs to know about one copied table. A sync's TablePlan has this
 * shape, so the plan is passed as it is; tests describe tables by hand.
 */
import type { TableInfo } from '../catalog/index.js';

export interface CopiedTable {
  /** `schema.table`, the same on both sides. */
  readonly key: string;
  readonly source: TableInfo;
  readonly target: TableInfo;
  /** Columns the sync copied. */
  readonly columns: readonly string[];
  /** Copied columns whose values the sync replaced. */
  readonly maskedColumns: readonly string[];
  /** The sync's row filter, if any. */
  readonly where?: string | undefined;
  readonly limit?: number | undefined;
}

/** `ONLY` for a plain table (as the sync reads it), nothing for a partitioned root. */
export function onlyFor(table: TableInfo): string {
  return table.kind === 'table' ? 'ONLY ' : '';
}
