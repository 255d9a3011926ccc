/**
 * pgtwin's own state on the target, in schema `pgtwin`: run records, per-table
 * completion (committed with the table's rows), and the foreign keys and
 * indexes that a load set aside. Created and migrated here, under an advisory lock so concurrent
 * runs never migrate twice.
 */
import type { Client } from './connect.js';
import { withTransaction } from './connect.js';
import { SafetyError, SyncError } from '../errors.js';
import { sqlStateOf } from './retry.js';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE pgtwin.runs (
     id bigserial PRIMARY KEY,
     kind text NOT NULL,
     status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
     source text NOT NULL,
     tables text[] NOT NULL,
     started_at timestamptz NOT NULL DEFAULT now(),
     finished_at timestamptz,
     total_rows bigint,
     report jsonb,
     error text
   );
   CREATE TABLE pgtwin.run_tables (
     run_id bigint NOT NULL REFERENCES pgtwin.runs (id) ON DELETE CASCADE,
     table_name text NOT NULL,
     rows bigint NOT NULL,
     bytes bigint NOT NULL,
     duration_ms bigint NOT NULL,
     committed_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (run_id, table_name)
   );
   CREATE TABLE pgtwin.pending_foreign_keys (
     table_schema text NOT NULL,
     table_name text NOT NULL,
     constraint_name text NOT NULL,
     definition text NOT NULL,
     run_id bigint,
     dropped_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (table_schema, table_name, constraint_name)
   );`,
  // Chunks of split tables commit one by one; `--resume` copies the rest.
  // runs.plan keeps what a resume must repeat exactly (chunk bounds, post-data DDL).
  `CREATE TABLE pgtwin.run_chunks (
     run_id bigint NOT NULL REFERENCES pgtwin.runs (id) ON DELETE CASCADE,
     table_name text NOT NULL,
     chunk int NOT NULL,
     rows bigint NOT NULL,
     bytes bigint NOT NULL,
     duration_ms bigint NOT NULL,
     committed_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (run_id, table_name, chunk)
   );
   ALTER TABLE pgtwin.runs ADD COLUMN plan jsonb;`,
  // follow: the position applied (written in the same transaction as the
  // changes: the exactly-once guarantee), an audit row per applied batch, and
  // per-table counters per minute.
  `CREATE TABLE pgtwin.follow_state (
     slot text PRIMARY KEY,
     publication text NOT NULL,
     source text NOT NULL,
     status text NOT NULL CHECK (status IN ('snapshot', 'streaming', 'stopped', 'failed')),
     last_commit_lsn pg_lsn NOT NULL,
     last_commit_time timestamptz,
     applied_at timestamptz NOT NULL DEFAULT now(),
     error text
   );
   CREATE TABLE pgtwin.follow_audit (
     id bigserial PRIMARY KEY,
     slot text NOT NULL,
     applied_at timestamptz NOT NULL DEFAULT now(),
     first_commit_lsn pg_lsn,
     last_commit_lsn pg_lsn,
     transactions int NOT NULL,
     changes bigint NOT NULL,
     tables text[] NOT NULL,
     status text NOT NULL,
     error text
   );
   CREATE TABLE pgtwin.follow_metrics (
     slot text NOT NULL,
     period timestamptz NOT NULL,
     table_name text NOT NULL,
     inserts bigint NOT NULL DEFAULT 0,
     updates bigint NOT NULL DEFAULT 0,
     deletes bigint NOT NULL DEFAULT 0,
     truncates bigint NOT NULL DEFAULT 0,
     missing bigint NOT NULL DEFAULT 0,
     PRIMARY KEY (slot, period, table_name)
   );`,
  // follow: the tables each slot applies, and from where. A table added to a
  // followed twin is 'copying' until its copy under a snapshot taken at
  // start_lsn has committed; its changes are applied from that position on.
  `CREATE TABLE pgtwin.follow_tables (
     slot text NOT NULL,
     table_name text NOT NULL,
     status text NOT NULL CHECK (status IN ('copying', 'following')),
     start_lsn pg_lsn,
     changed_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (slot, table_name)
   );`,
  // apply: a twin built from an archive. Its position is a follow_state row
  // (slot 'archive:<id>') that also names the last change file applied whole
  // and that file's digest (the next file must name both); archive_twin
  // records what the twin was built from, so that another archive, key or
  // rule set is never mixed in, and whether its base is loaded.
  `ALTER TABLE pgtwin.follow_state ADD COLUMN archive_file text, ADD COLUMN archive_digest text;
   CREATE TABLE pgtwin.archive_twin (
     archive_id text PRIMARY KEY,
     location text NOT NULL,
     base text NOT NULL,
     consistent_lsn pg_lsn NOT NULL,
     rules_digest text NOT NULL,
     key_fingerprint text,
     status text NOT NULL CHECK (status IN ('loading', 'loaded')),
     run_id bigint,
     started_at timestamptz NOT NULL DEFAULT now(),
     loaded_at timestamptz
   );`,
  // sync: the keys and indexes of twin tables loaded again, dropped for the
  // load; `restore` builds each again as it was (src/snapshot/set-aside-indexes.ts).
  `CREATE TABLE pgtwin.pending_indexes (
     table_schema text NOT NULL,
     table_name text NOT NULL,
     index_name text NOT NULL,
     restore text[] NOT NULL,
     run_id bigint,
     dropped_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (table_schema, index_name)
   );`,
];

/** Two-key advisory lock id of "a pgtwin run writes this database". */
const RUN_LOCK = [0x70677477, 1] as const;

export async function ensureStateSchema(client: Client): Promise<void> {
  try {
    await withTransaction(client, async () => {
      await client.query('SELECT pg_advisory_xact_lock($1, 0)', [RUN_LOCK[0]]);
      // CREATE SCHEMA IF NOT EXISTS checks CREATE on the database even when the
      // schema exists, so a schema made by an admin for this user would not help.
      const present = await client.query<{ ok: boolean }>("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pgtwin') AS ok");
      if (present.rows[0]?.ok !== true) await client.query('CREATE SCHEMA pgtwin');
      await client.query('CREATE TABLE IF NOT EXISTS pgtwin.schema_version (version int NOT NULL)');
      const current = await client.query<{ version: number }>('SELECT max(version) AS version FROM pgtwin.schema_version');
      const applied = current.rows[0]?.version ?? 0;
      for (let v = applied; v < MIGRATIONS.length; v++) {
        const migration = MIGRATIONS[v];
        if (migration === undefined) continue;
        await client.query(migration);
        await client.query('INSERT INTO pgtwin.schema_version (version) VALUES ($1)', [v + 1]);
      }
    });
  } catch (error) {
    if (sqlStateOf(error) === '42501') {
      throw new SyncError('STATE_SCHEMA_DENIED', 'pgtwin cannot create its state schema `pgtwin` on the target (permission denied).', {
        cause: error,
        nextStep:
          'Grant the target user CREATE on the database (GRANT CREATE ON DATABASE ... TO ...), or create schema pgtwin owned by that user.',
      });
    }
    throw error;
  }
}

/**
 * Holds the session-level lock that makes this the only pgtwin run writing the
 * target. The lock goes away with the session, so a killed run never blocks.
 */
export async function lockTargetForRun(client: Client): Promise<void> {
  const result = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [RUN_LOCK[0], RUN_LOCK[1]]);
  if (result.rows[0]?.ok !== true) {
    throw new SafetyError('TARGET_BUSY', 'Another pgtwin run is writing this target database right now.', {
      nextStep:
        'Wait for it to finish, or stop it (`pgtwin stop` for a follow started here); `pgtwin status` lists the last runs and follows of this twin.',
    });
  }
}

/** Gives the run lock back while this session stays open (a follow handing the twin to a copy that takes it). */
export async function unlockTargetForRun(client: Client): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1, $2)', [RUN_LOCK[0], RUN_LOCK[1]]);
}

export async function startRun(client: Client, kind: string, source: string, tables: readonly string[]): Promise<number> {
  const result = await client.query<{ id: string }>(
    "INSERT INTO pgtwin.runs (kind, status, source, tables) VALUES ($1, 'running', $2, $3) RETURNING id",
    [kind, source, tables],
  );
  return Number(result.rows[0]?.id);
}

export async function finishRun(
  client: Client,
  runId: number,
  status: 'succeeded' | 'failed' | 'interrupted',
  totalRows: number,
  report: unknown,
  error: string | undefined,
): Promise<void> {
  await client.query('UPDATE pgtwin.runs SET status = $2, finished_at = now(), total_rows = $3, report = $4, error = $5 WHERE id = $1', [
    runId,
    status,
    totalRows,
    JSON.stringify(report),
    error ?? null,
  ]);
}
