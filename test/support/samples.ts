/**
 * Loading the public sample databases of test/fixtures/samples into a test
 * database: the files as published, less what only psql understands or what
 * would leave the test's own database (DROP/CREATE DATABASE, \c).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export type SampleName = 'pagila' | 'chinook' | 'northwind';

const FILES: Readonly<Record<SampleName, string>> = {
  pagila: 'pagila/schema.sql',
  chinook: 'chinook/chinook.sql',
  northwind: 'northwind/northwind.sql',
};

export interface SampleOptions {
  /** The server's major version: VIRTUAL generated columns (18+) become STORED below 18. */
  readonly serverMajor?: number;
}

/**
 * A sample's SQL, made loadable on the embedded servers: pagila's pgvector
 * table keeps its shape with `real[]` instead of `vector(20)` (the embedded
 * packages ship no pgvector), and its HNSW index is left out.
 */
export async function sampleSql(name: SampleName, options: SampleOptions = {}): Promise<string> {
  const path = fileURLToPath(new URL(`../fixtures/samples/${FILES[name]}`, import.meta.url));
  let text = (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => !/^\s*(DROP DATABASE|CREATE DATABASE|\\)/i.test(line))
    .join('\n');
  if (name === 'pagila') {
    text = text
      .replace(/^CREATE EXTENSION IF NOT EXISTS vector .*$/m, '')
      .replace(/^COMMENT ON EXTENSION vector .*$/m, '')
      .replace(/^CREATE INDEX \S+ ON \S+ USING hnsw .*$/m, '')
      .replace(/public\.vector\(20\)/g, 'real[]');
    if ((options.serverMajor ?? 18) < 18) text = text.replace(/\) VIRTUAL\b/g, ') STORED');
  }
  return text;
}

/** Runs a sample's SQL in the database `client` is connected to. */
export async function loadSample(client: pg.Client, name: SampleName, options: SampleOptions = {}): Promise<void> {
  await client.query(await sampleSql(name, options));
}
