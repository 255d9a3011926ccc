/**
 * `pgtwin archive prune --keep-bases N`: removes the bases older than the N
 * newest complete ones, and the change files only they need. A kept base
 * needs every change file that may hold a transaction committed at or after
 * its consistent point (src/archive/archive-files.ts filesFrom), so those
 * are never removed, nor the newest file. A base loses its manifest first
 * (from then on it is incomplete and never used), then its parts; change
 * files go oldest first, so what is left is always a whole chain's tail.
 * Bases newer than the kept ones but incomplete may be in the making by a
 * capture: left alone.
 */
import { UsageError } from '../errors.js';
import type { ArchiveStore } from '../store/store.js';
import { filesFrom, listBases, listChangeFiles, readBaseManifest, type ListedBase } from './archive-files.js';
import { baseManifestPath } from './layout.js';
import { parseLsn } from '../stream/lsn.js';

export interface PruneResult {
  readonly keptBases: readonly string[];
  readonly removedBases: readonly string[];
  readonly removedChangeFiles: readonly string[];
  readonly dryRun: boolean;
}

export async function pruneArchive(store: ArchiveStore, keepBases: number, dryRun = false): Promise<PruneResult> {
  if (!Number.isSafeInteger(keepBases) || keepBases < 1) {
    throw new UsageError('BAD_KEEP_BASES', `--keep-bases must be 1 or more (got ${keepBases}).`, {
      nextStep: 'Keep at least the newest base: a twin is built from it.',
    });
  }
  const bases = await listBases(store);
  const complete = bases.filter((b) => b.complete);
  const kept = complete.slice(-keepBases);
  const oldestKept = kept[0];
  if (oldestKept === undefined) return { keptBases: [], removedBases: [], removedChangeFiles: [], dryRun };
  const removed: ListedBase[] = bases.filter((b) => b.seq < oldestKept.seq);
  const consistent = parseLsn((await readBaseManifest(store, oldestKept.name)).consistentLsn);
  const files = await listChangeFiles(store);
  const needed = new Set(filesFrom(files, consistent > 0n ? consistent - 1n : 0n).map((f) => f.name));
  const unneeded = files.filter((f) => !needed.has(f.name)).map((f) => f.name);
  if (!dryRun) {
    for (const base of removed) {
      await store.remove(baseManifestPath(base.name));
      for (const file of base.files) await store.remove(file);
    }
    for (const name of unneeded) await store.remove(name);
  }
  return { keptBases: kept.map((b) => b.name), removedBases: removed.map((b) => b.name), removedChangeFiles: unneeded, dryRun };
}
