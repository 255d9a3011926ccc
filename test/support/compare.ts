/** Source and target compared the way the issues demand: counts and checksums per table. */
import assert from 'node:assert/strict';
import type pg from 'pg';
import { tableChecksum } from '../../src/verify/table-checksum.js';
import type { TestDatabases } from './databases.js';

function split(key: string): { schema: string; name: string } {
  const dot = key.indexOf('.');
  return { schema: key.slice(0, dot), name: key.slice(dot + 1) };
}

/** Columns of a table that the target stores as data (generated columns included: they must match too). */
export async function columnsOf(client: pg.Client, key: string): Promise<string[]> {
  const { schema, name } = split(key);
  const result = await client.query<{ attname: string }>(
    `SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [schema, name],
  );
  return result.rows.map((r) => r.attname);
}

export async function assertTablesEqual(
  dbs: TestDatabases,
  tables: readonly string[],
  columns?: Readonly<Record<string, readonly string[]>>,
): Promise<void> {
  for (const key of tables) {
    const cols = columns?.[key] ?? (await columnsOf(dbs.source, key));
    const [a, b] = await Promise.all([tableChecksum(dbs.source, split(key), cols), tableChecksum(dbs.target, split(key), cols)]);
    assert.ok(a.rows > 0 || key.includes('empty'), `${key}: the source has rows (a test of an empty copy proves nothing)`);
    assert.deepEqual(b, a, `${key}: target differs from source`);
  }
}
