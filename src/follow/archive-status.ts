/**
 * For a twin built from an archive (its follow_state row is named
 * `archive:<id>`, src/replay/archive-twin.ts): the last change file applied,
 * and, when the archive can be listed, its newest file and how many files
 * the twin is behind it.
 */
import { listChangeFiles } from '../archive/archive-files.js';
import { parseChangeFileName } from '../archive/layout.js';
import { messageOf } from '../errors.js';
import type { Client } from '../pg/connect.js';
import type { ArchiveStore } from '../store/store.js';

/** The prefix of an archive's row in pgtwin.follow_state: no replication slot name holds ':'. */
export const ARCHIVE_SLOT_PREFIX = 'archive:';

export interface ArchiveReport {
  readonly archiveId: string;
  /** Where the twin was built from, as recorded (no password). */
  readonly location: string;
  readonly lastFile: string | null;
  /** The archive's newest change file; undefined when the archive was not listed. */
  readonly newestFile?: string | null;
  /** Change files in the archive after the last one applied. */
  readonly filesBehind?: number;
  /** Why the archive could not be listed. */
  readonly problem?: string;
}

export async function archiveReport(
  target: Client,
  slot: string,
  openArchive: ((location: string) => Promise<ArchiveStore>) | undefined,
): Promise<ArchiveReport> {
  const archiveId = slot.slice(ARCHIVE_SLOT_PREFIX.length);
  const row = (
    await target.query<{ file: string | null; location: string }>(
      `SELECT s.archive_file AS file, coalesce(a.location, s.source) AS location
         FROM pgtwin.follow_state s LEFT JOIN pgtwin.archive_twin a ON a.archive_id = $2 WHERE s.slot = $1`,
      [slot, archiveId],
    )
  ).rows[0];
  const report: ArchiveReport = { archiveId, location: row?.location ?? '', lastFile: row?.file ?? null };
  if (openArchive === undefined || report.location === '') return report;
  let store: ArchiveStore | undefined;
  try {
    store = await openArchive(report.location);
    const files = await listChangeFiles(store);
    const applied = report.lastFile === null ? 0 : (parseChangeFileName(report.lastFile)?.seq ?? 0);
    return {
      ...report,
      newestFile: files[files.length - 1]?.name ?? null,
      filesBehind: files.filter((f) => f.seq > applied).length,
    };
  } catch (error) {
    return { ...report, problem: `the archive could not be listed (${messageOf(error)})` };
  } finally {
    await store?.close().catch(() => undefined);
  }
}
