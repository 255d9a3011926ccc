/**
 * "Nothing leaked": look in the target for the values of the masked source
 * columns. Whole-value matches only (see cell-values.ts); a hit in a column the
 * sync did not mask is a leak, a hit in a masked column is one only when the row
 * kept its own source value (kept-values.ts).
 *
 * The source is only read, in one REPEATABLE READ, READ ONLY transaction. On
 * the target, temporary tables are created and loaded (temp-tables.ts); every
 * read of the user's tables then happens in a READ ONLY transaction, in which
 * the server itself refuses any write other than to temporary tables. The
 * temporary tables are dropped at the end, and would vanish with the session.
 */
import type { Client } from '../pg/connect.js';
import { withTransaction } from '../pg/connect.js';
import { useTextForms } from '../pg/session-settings.js';
import { UsageError } from '../errors.js';
import { withScope } from '../scope.js';
import { clearExtraction, maskedExtraction } from './cell-values.js';
import type { CopiedTable } from './copied-table.js';
import { throwIfInterrupted } from './interrupt.js';
import { DEFAULT_LOOKUP_LIMIT, findKeptValues } from './kept-values.js';
import { loadCandidates, type Origin } from './leak-candidates.js';
import { scanTable, type SearchedColumn } from './leak-scan.js';
import type { Coincidences, LeakCheckResult, LeakExample, LeakFinding } from './leak-types.js';
import { keyRecord, rowKeyOf } from './row-key.js';
import { createTempTables, dropTempTables } from './temp-tables.js';
import { readValueKinds, type ValueKind } from './value-kinds.js';

export const DEFAULT_MIN_LENGTH = 4;

export interface FindLeaksRequest {
  /** A source session; only read. */
  readonly source: Client;
  /** A target session; gets temporary tables, nothing else. */
  readonly target: Client;
  readonly tables: readonly CopiedTable[];
  /** Source values shorter than this (in characters) are not looked for; default 4. */
  readonly minLength?: number | undefined;
  /** Put the leaked values themselves in the examples (default: only where they are). */
  readonly includeValues?: boolean | undefined;
  /**
   * Matches in a masked column up to which rows are looked up on the source by
   * key (default 20,000); above, the column is copied and joined instead.
   */
  readonly lookupLimit?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

interface Context {
  readonly source: Client;
  readonly target: Client;
  readonly includeValues: boolean;
  readonly lookupLimit: number;
  readonly signal: AbortSignal | undefined;
  readonly origins: readonly Origin[];
  readonly kinds: ReadonlyMap<number, ReadonlyMap<string, ValueKind>>;
}

interface TableOutcome {
  readonly findings: LeakFinding[];
  readonly coincidences: Coincidences[];
  readonly scannedColumns: number;
}

const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

export async function findLeaks(request: FindLeaksRequest): Promise<LeakCheckResult> {
  const minLength = request.minLength ?? DEFAULT_MIN_LENGTH;
  if (!Number.isInteger(minLength) || minLength < 1) {
    throw new UsageError(
      'BAD_MIN_LENGTH',
      `The minimum length of a value to look for must be a whole number of at least 1, not ${minLength}.`,
      {
        nextStep: `Leave it at ${DEFAULT_MIN_LENGTH} (--min-length) unless short values are personal data in your schema.`,
      },
    );
  }
  const { source, target, signal } = request;
  const masked = request.tables.filter((t) => t.maskedColumns.length > 0);
  if (masked.length === 0) return { leaks: 0, findings: [], origins: [], coincidences: [], scannedColumns: 0, minLength };

  return withScope(async (scope) => {
    await createTempTables(target);
    scope.defer(() => dropTempTables(target), 'leak check temporary tables');
    return withTransaction(
      source,
      async () => {
        // Both sides must print equal values as equal text (keys are matched as text).
        await useTextForms(source, 'transaction');
        const sourceKinds = await readValueKinds(
          source,
          masked.map((t) => t.source.oid),
        );
        const origins: Origin[] = masked.flatMap((table) =>
          table.maskedColumns.map((column) => ({
            table,
            column,
            extraction: maskedExtraction(sourceKinds.get(table.source.oid)?.get(column) ?? 'other'),
          })),
        );
        const originStats = await withTransaction(target, () => loadCandidates(source, target, origins, minLength, signal));
        return withTransaction(
          target,
          async () => {
            await useTextForms(target, 'transaction');
            const kinds = await readValueKinds(
              target,
              request.tables.map((t) => t.target.oid),
            );
            const context: Context = {
              source,
              target,
              signal,
              origins,
              kinds,
              includeValues: request.includeValues === true,
              lookupLimit: request.lookupLimit ?? DEFAULT_LOOKUP_LIMIT,
            };
            const outcomes: TableOutcome[] = [];
            for (const table of request.tables) {
              throwIfInterrupted(signal);
              outcomes.push(await checkTable(context, table));
            }
            const findings = outcomes.flatMap((o) => o.findings);
            return {
              leaks: findings.reduce((sum, f) => sum + f.count, 0),
              findings,
              origins: originStats,
              coincidences: outcomes.flatMap((o) => o.coincidences),
              scannedColumns: outcomes.reduce((sum, o) => sum + o.scannedColumns, 0),
              minLength,
            };
          },
          SNAPSHOT,
        );
      },
      SNAPSHOT,
    );
  });
}

/**
 * Columns in clear are searched for every candidate; masked columns are
 * checked against their own rows' source values when the table has a key,
 * otherwise searched like the others and any hit is a possible leak.
 */
async function checkTable(context: Context, table: CopiedTable): Promise<TableOutcome> {
  const kinds = context.kinds.get(table.target.oid) ?? new Map<string, ValueKind>();
  const masked = new Set(table.maskedColumns);
  const key = rowKeyOf(table);
  const searched: SearchedColumn[] = [];
  const keptChecks: SearchedColumn[] = [];
  for (const { name } of table.target.columns) {
    const kind = kinds.get(name) ?? 'other';
    if (masked.has(name)) (key === undefined ? searched : keptChecks).push({ column: name, extraction: maskedExtraction(kind) });
    else {
      const extraction = clearExtraction(kind);
      if (extraction !== undefined) searched.push({ column: name, extraction });
    }
  }

  const originName = (id: number): string => {
    const o = context.origins[id];
    return o === undefined ? '?' : `${o.table.key}.${o.column}`;
  };
  const findings: LeakFinding[] = (await scanTable(context.target, table, searched, key, context.includeValues)).map((hit) => ({
    kind: masked.has(hit.column) ? 'possible' : 'in-clear',
    table: table.key,
    column: hit.column,
    origin: originName(hit.origin),
    count: hit.count,
    examples: hit.examples.map((e) => example(key, e.key, e.value)),
  }));

  const coincidences: Coincidences[] = [];
  for (const check of keptChecks) {
    const origin = context.origins.findIndex((o) => o.table.key === table.key && o.column === check.column);
    if (key === undefined || origin < 0) continue;
    throwIfInterrupted(context.signal);
    const result = await findKeptValues(context.source, context.target, {
      ...check,
      table,
      origin,
      key,
      includeValues: context.includeValues,
      lookupLimit: context.lookupLimit,
      signal: context.signal,
    });
    if (result.matched > result.kept) coincidences.push({ table: table.key, column: check.column, rows: result.matched - result.kept });
    if (result.kept === 0) continue;
    findings.push({
      kind: 'kept-source-value',
      table: table.key,
      column: check.column,
      origin: originName(origin),
      count: result.kept,
      examples: result.examples.map((e) => example(key, e.key, e.value)),
    });
  }
  return { findings, coincidences, scannedColumns: searched.length + keptChecks.length };
}

/** A value is present only when the check was asked to fetch values at all. */
function example(key: readonly string[] | undefined, values: readonly (string | null)[] | null, value: string | null): LeakExample {
  const described = { key: keyRecord(key, values) };
  return value !== null ? { ...described, value } : described;
}
