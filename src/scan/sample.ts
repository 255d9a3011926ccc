/**
 * Reading a small sample of a source table for PII detection. The values stay
 * in memory only as long as the detection needs them and are never returned to
 * the caller's output: the scan reports evidence (counts), not data.
 *
 * `LIMIT n` without ORDER BY lets PostgreSQL stop after the first n visible
 * rows, so a sample of a billion-row table costs about as much as one of a
 * thousand-row table. The rows are the physically first ones (often the
 * oldest), which is good enough for telling what a column holds.
 */
import type { Client } from '../pg/connect.js';
import { withTransaction } from '../pg/connect.js';
import { quoteIdent, quoteQualified, type QualifiedName } from '../pg/ident.js';
import { sqlStateOf } from '../pg/retry.js';
import { classifyType } from '../anonymize/index.js';
import type { ColumnSample } from '../anonymize/index.js';

export interface SampleColumn {
  readonly name: string;
  /** format_type() text. */
  readonly type: string;
}

export interface TableSample {
  /** One entry per requested column, in the same order. */
  readonly columns: readonly ColumnSample[];
  /** Rows read; undefined when no column needed values (detection by name and type only). */
  readonly rows: number | undefined;
  /** Why no values could be read (permission denied, timeout); detection then uses names and types only. */
  readonly problem: string | undefined;
}

export interface SampleOptions {
  /** Most rows to read. */
  readonly limit: number;
  /** Per-table statement timeout, so one pathological table cannot stall the scan. */
  readonly timeoutMs: number;
}

/** Longest text value kept: value heuristics look at the first 200 characters; `containsEmail` at more. */
const MAX_TEXT_CHARS = 2000;
/** Longer JSON documents are skipped rather than cut, because a cut document does not parse. */
const MAX_JSON_CHARS = 100_000;

/** Only these families are examined value by value in detectPii; the rest are judged by name and type. */
function needsValues(type: string): 'text' | 'json' | undefined {
  const family = classifyType(type);
  // Numbers for their range (a latitude's suggested rule must keep it within ±90).
  if (family === 'text' || family === 'inet' || family === 'numeric') return 'text';
  if (family === 'json') return 'json';
  return undefined;
}

function selectExpression(column: SampleColumn, kind: 'text' | 'json'): string {
  const text = `${quoteIdent(column.name)}::text`;
  return kind === 'json' ? `CASE WHEN length(${text}) <= ${MAX_JSON_CHARS} THEN ${text} END` : `left(${text}, ${MAX_TEXT_CHARS})`;
}

/** Reads up to `limit` rows of the columns that need values, in a READ ONLY transaction of its own. */
export async function sampleTable(
  client: Client,
  table: QualifiedName,
  columns: readonly SampleColumn[],
  options: SampleOptions,
): Promise<TableSample> {
  const wanted = columns.flatMap((column, index) => {
    const kind = needsValues(column.type);
    return kind === undefined ? [] : [{ index, expression: selectExpression(column, kind) }];
  });
  const values: (string | null)[][] = columns.map(() => []);
  const result = (rows: number | undefined, problem: string | undefined): TableSample => ({
    columns: columns.map((c, i) => ({ name: c.name, type: c.type, values: values[i] ?? [] })),
    rows,
    problem,
  });
  if (wanted.length === 0) return result(undefined, undefined);

  const sql = `SELECT ${wanted.map((w) => w.expression).join(', ')} FROM ${quoteQualified(table)} LIMIT ${Math.max(0, Math.floor(options.limit))}`;
  try {
    // One short transaction per table: a snapshot held across the whole scan
    // would hold back vacuum on a busy production server for no benefit.
    const rows = await withTransaction(
      client,
      async () => {
        await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(options.timeoutMs))}`);
        const res = await client.query<unknown[]>({ text: sql, rowMode: 'array' });
        return res.rows;
      },
      'BEGIN READ ONLY',
    );
    for (const row of rows) {
      wanted.forEach((w, position) => {
        const value = row[position];
        values[w.index]?.push(typeof value === 'string' ? value : null);
      });
    }
    return result(rows.length, undefined);
  } catch (error) {
    const problem = sampleProblem(error);
    if (problem === undefined) throw error;
    return result(undefined, problem);
  }
}

/** Failures that cost only this table's values; anything else (a lost connection) ends the scan. */
function sampleProblem(error: unknown): string | undefined {
  switch (sqlStateOf(error)) {
    case '42501':
      return 'no SELECT permission on the table: judged by column names and types only';
    case '57014':
      return 'reading the sample took too long: judged by column names and types only';
    default:
      return undefined;
  }
}
