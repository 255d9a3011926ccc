/**
 * The values `fake` rules without a `kind` are inferred from: a small sample
 * of each such column, read from the source before the plan is built (the
 * plan itself is computed without I/O). Only those columns are read, and the
 * values stay in memory only while the kinds are inferred.
 */
import type { Settings } from '../config/index.js';
import type { TableCatalog } from '../catalog/index.js';
import type { Client } from '../pg/connect.js';
import { withTransaction } from '../pg/connect.js';
import { quoteIdent, quoteQualified, type QualifiedName } from '../pg/ident.js';
import { sqlStateOf } from '../pg/retry.js';
import { lacksKind } from './infer-fake-kind.js';
import { rulesFor, type FakeSamples } from './mask-plan.js';
import { selectForRun } from './select-tables.js';

/** Rows read per table: enough for the detector's shares, cheap on any table. */
const SAMPLE_ROWS = 200;
const SAMPLE_TIMEOUT_MS = 5000;

export async function sampleFakeColumns(client: Client, settings: Settings, source: TableCatalog): Promise<FakeSamples> {
  const samples = new Map<string, Map<string, readonly (string | null)[]>>();
  // Selection problems are raised by the plan itself, with their own messages.
  let selected: ReturnType<typeof selectForRun>;
  try {
    selected = selectForRun(settings, source);
  } catch {
    return samples;
  }
  for (const [key, table] of selected.tables) {
    const columns = [...rulesFor(settings.anonymize, table)]
      .filter(([, spec]) => lacksKind(spec))
      .flatMap(([name]) => table.columns.filter((c) => c.name === name).map((c) => ({ name: c.name, type: c.type })));
    if (columns.length === 0) continue;
    samples.set(
      key,
      await sampleColumns(
        client,
        table,
        columns.map((c) => c.name),
      ),
    );
  }
  return samples;
}

/**
 * The first rows' values (`LIMIT` without `ORDER BY` stops early on any
 * table size), in a short READ ONLY transaction of their own. A table that
 * cannot be read (no permission, too slow) gives no values: names and types
 * then decide.
 */
async function sampleColumns(client: Client, table: QualifiedName, columns: readonly string[]): Promise<Map<string, (string | null)[]>> {
  const values = new Map<string, (string | null)[]>(columns.map((c) => [c, []]));
  // The detector looks at the first few hundred characters of a value.
  const sql = `SELECT ${columns.map((c) => `left(${quoteIdent(c)}::text, 2000)`).join(', ')} FROM ${quoteQualified(table)} LIMIT ${SAMPLE_ROWS}`;
  try {
    const rows = await withTransaction(
      client,
      async () => {
        await client.query(`SET LOCAL statement_timeout = ${SAMPLE_TIMEOUT_MS}`);
        return (await client.query<unknown[]>({ text: sql, rowMode: 'array' })).rows;
      },
      'BEGIN READ ONLY',
    );
    for (const row of rows) columns.forEach((c, i) => values.get(c)?.push(typeof row[i] === 'string' ? row[i] : null));
  } catch (error) {
    const state = sqlStateOf(error);
    if (state !== '42501' && state !== '57014') throw error;
  }
  return values;
}
