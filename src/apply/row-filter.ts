/**
 * A table synced with `where:` follows only the rows its filter keeps. The
 * filter is the user's SQL, written against the source table, so it is
 * evaluated where it was written: on the source, over the values a change
 * carries, before they are masked:
 *
 *   SELECT (<where>) IS TRUE FROM (VALUES ('v1'::type1, ...), ...) AS "table"(col1, ...)
 *
 * A publication row filter (PostgreSQL 15 and later) would do the same on
 * the source's side, but does not exist on 13 and 14, needs the filter's
 * columns in the replica identity for UPDATE and DELETE, and would apply to
 * every twin that shares the publication, whatever its own filter.
 *
 * The values a change does not carry (a TOASTed value the UPDATE left alone)
 * are read from the source's row by its key: the filter may need them, and a
 * row that an UPDATE moves into the filter is inserted whole. What is read is
 * the row as it is now, possibly newer than the change; the changes still to
 * come bring the twin level with it.
 */
import type { CustomTypesConfig, QueryArrayConfig } from 'pg';
import type { Client } from '../pg/connect.js';
import { quoteIdent, quoteQualified } from '../pg/ident.js';
import { messageOf, UsageError } from '../errors.js';
import { isRetryable } from '../pg/retry.js';
import type { TablePlan } from '../plan/plan.js';
import { FollowError } from '../stream/follow-errors.js';
import { UNCHANGED_TOAST } from '../stream/pgoutput.js';
import { literal, type NewValue, type Value } from './table-sql.js';

export interface TableFilter {
  /** Evaluates `where:` on the source; undefined without one. */
  readonly where: RowFilter | undefined;
  /** `limit:`: only the rows the first load copied are followed (src/apply/filter-gate.ts). */
  readonly copiedOnly: boolean;
}

/** The filters of the tables that have one, by table key; `source` evaluates them (needed when one has `where:`). */
export function followFilters(tables: readonly TablePlan[], source: Client | undefined): Map<string, TableFilter> {
  const filters = new Map<string, TableFilter>();
  for (const table of tables) {
    if (table.where === undefined && table.limit === undefined) continue;
    const where = table.where === undefined || source === undefined ? undefined : new RowFilter({ ...table, where: table.where }, source);
    filters.set(table.key, { where, copiedOnly: table.limit !== undefined });
  }
  return filters;
}

/** Row number of a VALUES list; a name no table column can have. */
const ROW = quoteIdent('pgtwin row');

/** Values as PostgreSQL prints them, parsed by nobody (no Date, no Number). */
const TEXT_RESULTS = { getTypeParser: (() => (value: string) => value) as unknown as CustomTypesConfig['getTypeParser'] };

export class RowFilter {
  /** The source type of each plan column, as format_type() prints it. */
  private readonly types: readonly string[];
  private readonly alias: string;

  constructor(
    readonly plan: TablePlan & { readonly where: string },
    private readonly source: Client,
  ) {
    this.types = plan.columns.map((name) => plan.source.columns.find((c) => c.name === name)?.type ?? 'text');
    this.alias = `${quoteIdent(plan.source.name)}(${[ROW, ...plan.columns.map(quoteIdent)].join(', ')})`;
  }

  /** Whether the filter keeps each row (plan-ordered, unmasked, complete). */
  async keeps(rows: readonly (readonly NewValue[])[]): Promise<boolean[]> {
    if (rows.length === 0) return [];
    try {
      const result = await this.source.query<{ keep: boolean }>(this.evaluation(rows));
      return result.rows.map((r) => r.keep);
    } catch (error) {
      if (isRetryable(error)) throw error;
      throw new FollowError(
        'FILTER_FAILED',
        `The where filter of ${this.plan.key} failed on the source for a changed row: ${messageOf(error)}`,
        {
          cause: error,
          nextStep:
            'Fix tables.filters in pgtwin.yaml so that it holds for every row, then start follow again: it resumes from the last applied transaction.',
        },
      );
    }
  }

  /** Plans the evaluation without running it: the filter compiles over a change's values. */
  async check(): Promise<void> {
    await this.source.query(`EXPLAIN ${this.evaluation([this.plan.columns.map(() => null)])}`);
  }

  private evaluation(rows: readonly (readonly NewValue[])[]): string {
    const list = rows.map((row, r) => `(${[String(r), ...row.map((v, i) => this.typed(v === UNCHANGED_TOAST ? null : v, i))].join(', ')})`);
    return `SELECT (${this.plan.where}) IS TRUE AS keep FROM (VALUES ${list.join(', ')}) AS ${this.alias} ORDER BY ${ROW}`;
  }

  /**
   * The source's current values of `columns` for the rows with these keys
   * (`keyColumns`: plan column indexes); undefined for a row the source no
   * longer has.
   */
  async current(
    keyColumns: readonly number[],
    requests: readonly { readonly key: readonly Value[]; readonly columns: readonly number[] }[],
  ): Promise<(Value[] | undefined)[]> {
    const wanted = [...new Set(requests.flatMap((r) => r.columns))].sort((a, b) => a - b);
    if (requests.length === 0 || wanted.length === 0) return requests.map(() => undefined);
    const names = this.plan.columns.map(quoteIdent);
    const keys = requests.map((r, n) => `(${[String(n), ...r.key.map((v, k) => this.typed(v, keyColumns[k] ?? -1))].join(', ')})`);
    const only = this.plan.source.kind === 'table' ? 'ONLY ' : '';
    const sql =
      `SELECT k.${ROW} AS n, ${wanted.map((c) => `s.${names[c] ?? ''}`).join(', ')} ` +
      `FROM (VALUES ${keys.join(', ')}) AS k(${[ROW, ...keyColumns.map((c) => names[c] ?? '')].join(', ')}) ` +
      `JOIN ${only}${quoteQualified(this.plan.source)} AS s ON ${keyColumns.map((c) => `s.${names[c] ?? ''} = k.${names[c] ?? ''}`).join(' AND ')}`;
    const config: QueryArrayConfig = { text: sql, rowMode: 'array', types: TEXT_RESULTS };
    const result = await this.source.query<(string | null)[]>(config);
    const found = new Map<number, Value[]>();
    for (const row of result.rows) {
      const values: Value[] = new Array<Value>(this.plan.columns.length).fill(null);
      wanted.forEach((c, i) => (values[c] = row[i + 1] ?? null));
      found.set(Number(row[0]), values);
    }
    return requests.map((_, n) => found.get(n));
  }

  private typed(value: Value, column: number): string {
    return `${literal(value)}::${this.types[column] ?? 'text'}`;
  }
}

/**
 * Filters that cannot be evaluated over a change's values (one that names a
 * generated column, or the table by its schema) are refused before follow
 * writes anything.
 */
export async function checkRowFilters(source: Client, filters: readonly RowFilter[]): Promise<void> {
  const problems: string[] = [];
  for (const filter of filters) {
    try {
      await filter.check();
    } catch (error) {
      problems.push(`${filter.plan.key}: where (${filter.plan.where}): ${messageOf(error)}`);
    }
  }
  if (problems.length > 0) {
    throw new UsageError(
      'FILTER_NOT_FOLLOWABLE',
      `${problems.length === 1 ? 'A where filter cannot' : 'Where filters cannot'} be evaluated over the changes follow receives.`,
      {
        details: problems,
        nextStep:
          'follow evaluates each filter over the copied columns of a changed row, named as the table (`SELECT (<where>) FROM (VALUES ...) AS table(columns)`): refer to columns unqualified or by the table name only, not to generated columns.',
      },
    );
  }
}
