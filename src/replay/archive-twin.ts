/**
 * What a twin built from an archive records about it (pgtwin.archive_twin):
 * the archive, the base it was built from and that base's rules digest and
 * key fingerprint (a twin never mixes rows masked under another key or rule
 * set), and whether the base is loaded. Its position in the change stream is
 * a pgtwin.follow_state row named after the archive, written by the applier
 * with the changes (src/apply/batch-record.ts).
 */
import type { Client } from '../pg/connect.js';
import { readFollowState, type FollowState } from '../follow/follow-state.js';
import { formatLsn, parseLsn, type Lsn } from '../stream/lsn.js';

export interface ArchiveTwin {
  readonly archiveId: string;
  readonly location: string;
  readonly base: string;
  readonly consistentLsn: Lsn;
  readonly rulesDigest: string;
  readonly keyFingerprint: string | null;
  readonly status: 'loading' | 'loaded';
  readonly runId: number | null;
}

/** Where the twin stands in the archive's change stream. */
export interface ArchivePosition {
  readonly state: FollowState;
  /** The last change file applied to its end, and its trailer's digest; undefined before the first. */
  readonly file: { readonly name: string; readonly digest: string } | undefined;
}

/** The follow_state row of an archive: one per archive, never a replication slot's name (those cannot hold ':'). */
export const archiveSlot = (archiveId: string): string => `archive:${archiveId}`;

interface Row {
  archive_id: string;
  location: string;
  base: string;
  consistent_lsn: string;
  rules_digest: string;
  key_fingerprint: string | null;
  status: 'loading' | 'loaded';
  run_id: string | null;
}

/** The archive the twin was built from; undefined for a twin that is not (or before pgtwin's schema exists). */
export async function readArchiveTwin(client: Client): Promise<ArchiveTwin | undefined> {
  const exists = await client.query<{ ok: boolean }>("SELECT to_regclass('pgtwin.archive_twin') IS NOT NULL AS ok");
  if (exists.rows[0]?.ok !== true) return undefined;
  const result = await client.query<Row>(
    `SELECT archive_id, location, base, consistent_lsn::text AS consistent_lsn, rules_digest, key_fingerprint, status, run_id::text AS run_id
       FROM pgtwin.archive_twin ORDER BY started_at DESC LIMIT 1`,
  );
  const row = result.rows[0];
  if (row === undefined) return undefined;
  return {
    archiveId: row.archive_id,
    location: row.location,
    base: row.base,
    consistentLsn: parseLsn(row.consistent_lsn),
    rulesDigest: row.rules_digest,
    keyFingerprint: row.key_fingerprint,
    status: row.status,
    runId: row.run_id === null ? null : Number(row.run_id),
  };
}

export async function readArchivePosition(client: Client, archiveId: string): Promise<ArchivePosition | undefined> {
  const state = await readFollowState(client, archiveSlot(archiveId));
  if (state === undefined) return undefined;
  const file = await client.query<{ archive_file: string | null; archive_digest: string | null }>(
    'SELECT archive_file, archive_digest FROM pgtwin.follow_state WHERE slot = $1',
    [archiveSlot(archiveId)],
  );
  const row = file.rows[0];
  return {
    state,
    file: row?.archive_file == null || row.archive_digest === null ? undefined : { name: row.archive_file, digest: row.archive_digest },
  };
}

/**
 * A base starts loading (inside the caller's transaction, with its schema):
 * the twin's record of the archive, and a position just before the base's
 * consistent point, so that every transaction committed at or after it is
 * applied from the change files.
 */
export async function recordBaseStart(client: Client, twin: ArchiveTwin): Promise<void> {
  await client.query('DELETE FROM pgtwin.archive_twin');
  await client.query(
    `INSERT INTO pgtwin.archive_twin (archive_id, location, base, consistent_lsn, rules_digest, key_fingerprint, status, run_id)
     VALUES ($1, $2, $3, $4::pg_lsn, $5, $6, 'loading', $7)`,
    [twin.archiveId, twin.location, twin.base, formatLsn(twin.consistentLsn), twin.rulesDigest, twin.keyFingerprint, twin.runId],
  );
  const before = twin.consistentLsn > 0n ? twin.consistentLsn - 1n : 0n;
  await client.query(
    `INSERT INTO pgtwin.follow_state (slot, publication, source, status, last_commit_lsn) VALUES ($1, '', $2, 'snapshot', $3::pg_lsn)
     ON CONFLICT (slot) DO UPDATE SET source = EXCLUDED.source, status = 'snapshot', last_commit_lsn = EXCLUDED.last_commit_lsn,
       last_commit_time = NULL, applied_at = now(), error = NULL, archive_file = NULL, archive_digest = NULL`,
    [archiveSlot(twin.archiveId), twin.location, formatLsn(before)],
  );
}

export async function recordBaseLoaded(client: Client, archiveId: string): Promise<void> {
  await client.query("UPDATE pgtwin.archive_twin SET status = 'loaded', loaded_at = now() WHERE archive_id = $1", [archiveId]);
  await client.query("UPDATE pgtwin.follow_state SET status = 'streaming' WHERE slot = $1", [archiveSlot(archiveId)]);
}

/** `--recreate`: the twin forgets the archive it was built from (inside the caller's transaction). */
export async function forgetArchiveTwin(client: Client): Promise<void> {
  const exists = await client.query<{ ok: boolean }>("SELECT to_regclass('pgtwin.archive_twin') IS NOT NULL AS ok");
  if (exists.rows[0]?.ok !== true) return;
  await client.query("DELETE FROM pgtwin.follow_state WHERE slot LIKE 'archive:%'");
  await client.query('DELETE FROM pgtwin.archive_twin');
}
