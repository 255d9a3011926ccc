/**
 * What an archive holds when a capture starts: its manifest (none before
 * the first capture), the newest complete base (one whose manifest is
 * stored: a base without it was cut off and is never used) and the number
 * the next base gets. Each base streams from a slot of its own, named after
 * the archive and the base's number, so two archives of one database never
 * share a slot and a capture finds its slot again from the archive alone.
 */
import { text } from 'node:stream/consumers';
import type { Client } from '../pg/connect.js';
import type { ArchiveStore } from '../store/store.js';
import { ArchiveError } from '../archive/errors.js';
import { ARCHIVE_MANIFEST, BASES_DIR, BASE_MANIFEST, baseManifestPath, baseOfPath, parseBaseName } from '../archive/layout.js';
import {
  decodeArchiveManifest,
  decodeBaseManifest,
  type ArchiveManifest,
  type ArchiveSource,
  type BaseManifest,
} from '../archive/manifest.js';

export interface ArchiveState {
  readonly manifest: ArchiveManifest | undefined;
  /** The newest base whose manifest is stored. */
  readonly base: BaseManifest | undefined;
  readonly baseSeq: number | undefined;
  /** One more than the highest base number in the archive, complete or not. */
  readonly nextBaseSeq: number;
}

export async function readArchiveState(store: ArchiveStore): Promise<ArchiveState> {
  const manifest = (await store.exists(ARCHIVE_MANIFEST))
    ? decodeArchiveManifest(await readText(store, ARCHIVE_MANIFEST), ARCHIVE_MANIFEST)
    : undefined;
  const files = await store.list(BASES_DIR);
  const seqs = new Set<number>();
  const complete: Array<{ name: string; seq: number }> = [];
  for (const file of files) {
    const dir = baseOfPath(file.name);
    const parsed = dir === undefined ? undefined : parseBaseName(dir);
    if (parsed === undefined) continue;
    seqs.add(parsed.seq);
    if (file.name === `${BASES_DIR}${parsed.name}/${BASE_MANIFEST}`) complete.push(parsed);
  }
  const newest = complete.sort((a, b) => a.seq - b.seq).at(-1);
  const where = newest === undefined ? '' : baseManifestPath(newest.name);
  const base = newest === undefined ? undefined : decodeBaseManifest(await readText(store, where), where);
  if (base !== undefined && manifest !== undefined && base.archiveId !== manifest.archiveId) {
    throw new ArchiveError('ARCHIVE_FOREIGN_FILE', `${where} belongs to archive ${base.archiveId}, not to ${manifest.archiveId}.`, {
      nextStep: 'Two archives share this location: give each capture its own --archive location.',
    });
  }
  return { manifest, base, baseSeq: newest?.seq, nextBaseSeq: Math.max(0, ...seqs) + 1 };
}

/** The slot a base streams from: the archive's id and the base's number (at most 63 characters). */
export function archiveSlotName(archiveId: string, baseSeq: number): string {
  return `pgtwin_archive_${archiveId.replace(/-/g, '').slice(0, 16)}_${baseSeq}`;
}

/**
 * This archive's slots other than `keep`, not in use: left by a base that did
 * not finish (its manifest never stored) or by an older base whose slot was
 * not dropped before a crash. Each would hold WAL on the source forever.
 */
export async function staleArchiveSlots(source: Client, archiveId: string, keep: string | undefined): Promise<string[]> {
  const prefix = archiveSlotName(archiveId, 1).replace(/_1$/, '_');
  const rows = await source.query<{ name: string }>(
    'SELECT slot_name AS name FROM pg_replication_slots WHERE starts_with(slot_name, $1) AND NOT active AND slot_name <> $2',
    [prefix, keep ?? ''],
  );
  return rows.rows.map((r) => r.name);
}

/** What identifies the source in the manifest: its cluster's system identifier and the database. */
export async function readArchiveSource(source: Client): Promise<ArchiveSource> {
  const row = (await source.query<{ db: string; v: string }>(`SELECT current_database() AS db, current_setting('server_version_num') AS v`))
    .rows[0];
  let systemId = 'unknown';
  try {
    // Needs pg_monitor or superuser on some servers.
    systemId =
      (await source.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()')).rows[0]?.id ?? systemId;
  } catch {
    // not permitted: the database name alone identifies it
  }
  return { systemId, database: row?.db ?? '', serverVersion: Number(row?.v ?? 0) };
}

/** An archive is fed by one source database: another one's changes would not fit its base. */
export function checkSameSource(manifest: ArchiveManifest, source: ArchiveSource, display: string): void {
  const { systemId, database } = manifest.source;
  const sameSystem = systemId === 'unknown' || source.systemId === 'unknown' || systemId === source.systemId;
  if (sameSystem && database === source.database) return;
  throw new ArchiveError(
    'ARCHIVE_OTHER_SOURCE',
    `The archive was captured from database ${database} of system ${systemId}; ${display} is ${source.database} of system ${source.systemId}.`,
    { category: 'usage', nextStep: 'Capture this source into an archive of its own (another --archive location).' },
  );
}

async function readText(store: ArchiveStore, name: string): Promise<string> {
  return text(await store.read(name));
}
