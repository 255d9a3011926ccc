/**
 * "Nothing was lost": per copied table, the row counts of both sides and a
 * checksum of the columns that were copied as they are. Masked columns differ
 * by design and are left out. The source is read in one REPEATABLE READ, READ
 * ONLY transaction so every table is compared at the same instant; the target
 * in one too, so a follower applying changes does not skew the counts midway.
 */
import type { Client } from '../pg/connect.js';
import { withTransaction } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import { throwIfInterrupted } from './interrupt.js';
import { onlyFor, type CopiedTable } from './copied-table.js';
import { tableChecksum } from './table-checksum.js';

export type TableStatus = 'match' | 'row-count-differs' | 'checksum-differs' | 'missing-on-target';

export interface TableVerification {
  readonly table: string;
  readonly status: TableStatus;
  /** Rows the sync should have copied: the filtered count, capped by the table's `limit`. */
  readonly sourceRows: number;
  readonly targetRows: number;
  /** Columns whose values were compared: copied and not masked. */
  readonly comparedColumns: readonly string[];
  /**
   * False when a `limit` made the copy an arbitrary subset of the rows: only the
   * count can be compared then.
   */
  readonly checksumCompared: boolean;
}

export interface VerifyTablesResult {
  readonly tables: readonly TableVerification[];
  /** Tables whose status is not `match`. */
  readonly mismatches: number;
}

export interface VerifyTablesRequest {
  /** A source session; only read. */
  readonly source: Client;
  readonly target: Client;
  readonly tables: readonly CopiedTable[];
  readonly signal?: AbortSignal | undefined;
}

const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

export async function verifyTables(request: VerifyTablesRequest): Promise<VerifyTablesResult> {
  const { source, target, signal } = request;
  const tables = await withTransaction(
    source,
    () =>
      withTransaction(
        target,
        async () => {
          const results: TableVerification[] = [];
          for (const table of request.tables) {
            throwIfInterrupted(signal);
            results.push(await verifyTable(source, target, table));
          }
          return results;
        },
        SNAPSHOT,
      ),
    SNAPSHOT,
  );
  return { tables, mismatches: tables.filter((t) => t.status !== 'match').length };
}

async function verifyTable(source: Client, target: Client, table: CopiedTable): Promise<TableVerification> {
  const masked = new Set(table.maskedColumns);
  const compared = table.columns.filter((c) => !masked.has(c));
  // A plan made for a sync may include tables the sync would create.
  const exists = await target.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [quoteQualified(table.target)]);
  if (exists.rows[0]?.present !== true) {
    const counted = await tableChecksum(source, table.source, [], { only: onlyFor(table.source) !== '', where: table.where });
    const sourceRows = table.limit === undefined ? counted.rows : Math.min(counted.rows, table.limit);
    return { table: table.key, status: 'missing-on-target', sourceRows, targetRows: 0, comparedColumns: compared, checksumCompared: false };
  }
  const [expected, actual] = await Promise.all([
    tableChecksum(source, table.source, compared, { only: onlyFor(table.source) !== '', where: table.where }),
    tableChecksum(target, table.target, compared, { only: onlyFor(table.target) !== '' }),
  ]);
  const limited = table.limit !== undefined;
  const sourceRows = limited ? Math.min(expected.rows, table.limit ?? 0) : expected.rows;
  const status: TableStatus =
    sourceRows !== actual.rows ? 'row-count-differs' : !limited && expected.checksum !== actual.checksum ? 'checksum-differs' : 'match';
  return { table: table.key, status, sourceRows, targetRows: actual.rows, comparedColumns: compared, checksumCompared: !limited };
}
