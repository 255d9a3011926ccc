/**
 * Fills an empty database with the demo shop: tables first, rows streamed with
 * COPY ... FROM STDIN as they are generated (memory stays flat at any scale),
 * then foreign keys and indexes, identities moved past the loaded ids, ANALYZE.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { quoteIdent } from '../pg/ident.js';
import { encodeField } from '../pg/copy-text.js';
import { demoRows, DEMO_COLUMNS, type Row } from './rows.js';
import { DEMO_CONSTRAINTS_DDL, DEMO_TABLES, DEMO_TABLES_DDL, type DemoTable } from './schema.js';
import { DemoWorld } from './world.js';

export interface SeedOptions {
  /** 1 gives about 142,000 rows; rows grow linearly with it. */
  readonly scale?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  /** Called after each table is loaded. */
  readonly onTable?: (table: DemoTable, rows: number) => void;
}

export interface SeedResult {
  readonly tables: ReadonlyArray<{ readonly table: DemoTable; readonly rows: number }>;
  readonly totalRows: number;
  readonly durationMs: number;
}

/** Rows are sent in chunks of about this many bytes: fewer, larger writes to the socket. */
const CHUNK_BYTES = 64 * 1024;

export async function seedDemoDatabase(client: pg.Client, options: SeedOptions = {}): Promise<SeedResult> {
  const started = performance.now();
  const world = new DemoWorld(options.seed ?? 1, options.scale ?? 1);
  await client.query(DEMO_TABLES_DDL);
  const tables: Array<{ table: DemoTable; rows: number }> = [];
  for (const table of DEMO_TABLES) {
    const rows = await copyRows(client, table, demoRows(world, table), options.signal);
    tables.push({ table, rows });
    options.onTable?.(table, rows);
  }
  await client.query(DEMO_CONSTRAINTS_DDL);
  for (const table of DEMO_TABLES) {
    await client.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST((SELECT max(id) FROM ${quoteIdent(table)}), 1))`, [table]);
  }
  await client.query(`ANALYZE ${DEMO_TABLES.map(quoteIdent).join(', ')}`);
  return { tables, totalRows: tables.reduce((sum, t) => sum + t.rows, 0), durationMs: Math.round(performance.now() - started) };
}

async function copyRows(client: pg.Client, table: DemoTable, rows: Iterable<Row>, signal: AbortSignal | undefined): Promise<number> {
  let count = 0;
  function* chunks(): Generator<Buffer> {
    let text = '';
    for (const row of rows) {
      text += row.map(encodeField).join('\t') + '\n';
      count++;
      if (text.length >= CHUNK_BYTES) {
        yield Buffer.from(text, 'utf8');
        text = '';
      }
    }
    if (text !== '') yield Buffer.from(text, 'utf8');
  }
  const columns = DEMO_COLUMNS[table].map(quoteIdent).join(', ');
  const ingest = client.query(copyStreams.from(`COPY ${quoteIdent(table)} (${columns}) FROM STDIN`));
  await pipeline(Readable.from(chunks()), ingest, ...(signal === undefined ? [] : [{ signal }]));
  return count;
}
