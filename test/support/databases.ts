/**
 * A fresh pair of databases (one on the source server, one on the target) for
 * one test file, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabases {
  readonly sourceUrl: string;
  readonly targetUrl: string;
  /** Connected to the new source database. */
  readonly source: pg.Client;
  /** Connected to the new target database. */
  readonly target: pg.Client;
  readonly name: string;
  drop(): Promise<void>;
}

function serverUrl(variable: string): string {
  const url = process.env[variable];
  if (url === undefined || url === '') {
    throw new Error(`${variable} is not set: run the integration tests through \`npm run test:run\` (test/run.ts starts the servers).`);
  }
  return url;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/' + database;
  return parsed.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Servers other than the suite's two (another PostgreSQL version), by their admin URLs. */
export interface ServerUrls {
  readonly source?: string;
  readonly target?: string;
}

export async function createTestDatabases(label: string, servers: ServerUrls = {}): Promise<TestDatabases> {
  const sourceServer = servers.source ?? serverUrl('PGTWIN_TEST_SOURCE_URL');
  const targetServer = servers.target ?? serverUrl('PGTWIN_TEST_TARGET_URL');
  const name = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  await Promise.all([adminQuery(sourceServer, `CREATE DATABASE ${name}`), adminQuery(targetServer, `CREATE DATABASE ${name}`)]);
  const sourceUrl = withDatabase(sourceServer, name);
  const targetUrl = withDatabase(targetServer, name);
  const source = new pg.Client({ connectionString: sourceUrl });
  const target = new pg.Client({ connectionString: targetUrl });
  await Promise.all([source.connect(), target.connect()]);
  return {
    sourceUrl,
    targetUrl,
    source,
    target,
    name,
    drop: async () => {
      await Promise.all([source.end(), target.end()]);
      await Promise.all([
        adminQuery(sourceServer, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
        adminQuery(targetServer, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ]);
    },
  };
}

/** Runs the same DDL on both databases (the target already has the tables in this scope). */
export async function onBoth(dbs: TestDatabases, sql: string): Promise<void> {
  await dbs.source.query(sql);
  await dbs.target.query(sql);
}
