/**
 * `pgtwin archive verify`: every problem of an archive at once, without a
 * database. The manifest; every base (its manifest present and valid, every
 * part there with the size and SHA-256 it lists); every change file read
 * through the same reader as apply (gzip, records, whole transactions,
 * trailer digest, this archive's id, its number in the chain and the file it
 * names before it). A file that fails does not hide the ones after it: the
 * chain check starts again from the next file.
 */
import { createHash } from 'node:crypto';
import { messageOf, PgtwinError } from '../errors.js';
import type { ArchiveStore } from '../store/store.js';
import { listBases, listChangeFiles, readArchiveManifest, readBaseManifest } from './archive-files.js';
import { readChangeFile } from './change-reader.js';
import { parseLsn } from '../stream/lsn.js';
import type { ArchiveManifest, BaseManifest } from './manifest.js';

export interface ArchiveProblem {
  /** The file (or base) it concerns, as named in the archive. */
  readonly file: string;
  /** A stable code: ARCHIVE_CORRUPT, ARCHIVE_GAP, ARCHIVE_FOREIGN_FILE, ARCHIVE_FORMAT_UNKNOWN, ARCHIVE_BASE_INCOMPLETE, ... */
  readonly code: string;
  readonly message: string;
}

export interface ArchiveCheck {
  readonly archive: string;
  readonly archiveId: string | undefined;
  readonly bases: number;
  readonly completeBases: number;
  readonly changeFiles: number;
  readonly transactions: number;
  readonly changes: number;
  readonly problems: readonly ArchiveProblem[];
}

export async function checkArchive(store: ArchiveStore, signal?: AbortSignal): Promise<ArchiveCheck> {
  const problems: ArchiveProblem[] = [];
  const note = (file: string, error: unknown): void => {
    problems.push({ file, code: error instanceof PgtwinError ? error.code : 'ARCHIVE_UNREADABLE', message: messageOf(error) });
  };
  let manifest: ArchiveManifest | undefined;
  try {
    manifest = await readArchiveManifest(store);
  } catch (error) {
    note('pgtwin-archive.json', error);
  }

  const bases = await listBases(store);
  const complete: BaseManifest[] = [];
  for (const listed of bases) {
    if (!listed.complete) {
      problems.push({
        file: `bases/${listed.name}`,
        code: 'ARCHIVE_BASE_INCOMPLETE',
        message: `base ${listed.name} has no base.json: it is still being written, or it was cut short (it is never used)`,
      });
      continue;
    }
    try {
      const base = await readBaseManifest(store, listed.name);
      if (manifest !== undefined && base.archiveId !== manifest.archiveId) {
        problems.push({
          file: `bases/${listed.name}`,
          code: 'ARCHIVE_FOREIGN_FILE',
          message: `base ${listed.name} belongs to another archive (${base.archiveId})`,
        });
        continue;
      }
      complete.push(base);
      for (const table of base.tables)
        for (const part of table.parts) {
          if (signal?.aborted === true) break;
          const found = await storedDigest(store, part.name).catch((error: unknown) => ({ error }));
          if ('error' in found) note(part.name, found.error);
          else if (found.size !== part.size || found.sha256 !== part.sha256)
            problems.push({
              file: part.name,
              code: 'ARCHIVE_CORRUPT',
              message: `${part.name}: ${found.size !== part.size ? `${found.size} bytes, the base manifest says ${part.size}` : 'its SHA-256 is not the one the base manifest lists'}`,
            });
        }
    } catch (error) {
      note(`bases/${listed.name}/base.json`, error);
    }
  }

  const files = await listChangeFiles(store);
  const oldestBase = complete.map((b) => parseLsn(b.consistentLsn)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0];
  let prev: { name: string; digest: string } | null | undefined = undefined;
  let transactions = 0;
  let changes = 0;
  for (const [index, file] of files.entries()) {
    if (signal?.aborted === true) break;
    const before = files[index - 1];
    if (before === undefined && file.seq > 1) {
      // Files before a pruned base's changes may be gone; they are missing only if a complete base needs them.
      if (oldestBase === undefined || file.firstLsn > oldestBase)
        problems.push({
          file: file.name,
          code: 'ARCHIVE_GAP',
          message: `change files 1 to ${file.seq - 1} are missing, and no complete base starts after them`,
        });
    } else if (before !== undefined && file.seq !== before.seq + 1) {
      problems.push({
        file: file.name,
        code: 'ARCHIVE_GAP',
        message: `change file number ${before.seq + 1}${file.seq - before.seq > 2 ? ` to ${file.seq - 1}` : ''} is missing (between ${before.name} and ${file.name})`,
      });
      prev = undefined;
    }
    if (index === 0) prev = file.seq === 1 ? null : undefined;
    try {
      const reader = readChangeFile(await store.read(file.name), file.name, {
        archiveId: manifest?.archiveId,
        seq: file.seq,
        prev,
      });
      let next = await reader.next();
      while (next.done !== true) next = await reader.next();
      transactions += next.value.trailer.transactions;
      changes += next.value.trailer.changes;
      prev = { name: file.name, digest: next.value.trailer.digest };
    } catch (error) {
      note(file.name, error);
      prev = undefined;
    }
  }
  return {
    archive: store.display,
    archiveId: manifest?.archiveId,
    bases: bases.length,
    completeBases: complete.length,
    changeFiles: files.length,
    transactions,
    changes,
    problems,
  };
}

async function storedDigest(store: ArchiveStore, name: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of await store.read(name)) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += bytes.length;
    hash.update(bytes);
  }
  return { size, sha256: hash.digest('hex') };
}
