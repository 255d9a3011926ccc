/**
 * What an archive holds, read through its store: the archive manifest, the
 * bases (complete ones have their manifest), the change files in chain
 * order. Temporary files (`*.tmp-*`) and anything else are left out by the
 * name patterns of src/archive/layout.ts.
 */
import type { ArchiveStore } from '../store/store.js';
import { ArchiveError } from './errors.js';
import {
  ARCHIVE_MANIFEST,
  BASES_DIR,
  BASE_MANIFEST,
  CHANGES_DIR,
  baseManifestPath,
  baseOfPath,
  parseBaseName,
  parseChangeFileName,
  type BaseName,
  type ChangeFileName,
} from './layout.js';
import { decodeArchiveManifest, decodeBaseManifest, type ArchiveManifest, type BaseManifest } from './manifest.js';

/** A small file (a manifest) as text. */
export async function readText(store: ArchiveStore, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(name)) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

export async function readArchiveManifest(store: ArchiveStore): Promise<ArchiveManifest> {
  if (!(await store.exists(ARCHIVE_MANIFEST))) {
    throw new ArchiveError('ARCHIVE_NOT_FOUND', `${store.display} holds no pgtwin archive (no ${ARCHIVE_MANIFEST}).`, {
      category: 'usage',
      nextStep: 'Check the --archive location; an archive is created by pgtwin capture --archive LOCATION.',
    });
  }
  return decodeArchiveManifest(await readText(store, ARCHIVE_MANIFEST), `${store.display}/${ARCHIVE_MANIFEST}`);
}

export async function readBaseManifest(store: ArchiveStore, base: string): Promise<BaseManifest> {
  const path = baseManifestPath(base);
  return decodeBaseManifest(await readText(store, path), `${store.display}/${path}`);
}

export interface ListedBase extends BaseName {
  /** Whether its manifest is there: a base without one is incomplete (still being written, or damaged). */
  readonly complete: boolean;
  /** Every file of the base, manifest included. */
  readonly files: readonly string[];
}

/** Bases by number, oldest first. */
export async function listBases(store: ArchiveStore): Promise<ListedBase[]> {
  const files = new Map<string, string[]>();
  for (const file of await store.list(BASES_DIR)) {
    const base = baseOfPath(file.name);
    if (base === undefined || parseBaseName(base) === undefined || file.name.includes('.tmp-')) continue;
    files.set(base, [...(files.get(base) ?? []), file.name]);
  }
  return [...files]
    .map(([name, names]) => ({
      ...(parseBaseName(name) as BaseName),
      complete: names.includes(`${BASES_DIR}${name}/${BASE_MANIFEST}`),
      files: names,
    }))
    .sort((a, b) => a.seq - b.seq);
}

/** Change files in chain order (by number; names sort the same way). */
export async function listChangeFiles(store: ArchiveStore): Promise<ChangeFileName[]> {
  const files: ChangeFileName[] = [];
  for (const file of await store.list(CHANGES_DIR)) {
    const parsed = parseChangeFileName(file.name);
    if (parsed !== undefined) files.push(parsed);
  }
  return files.sort((a, b) => a.seq - b.seq);
}

/**
 * The change files a twin at `lsn` still needs: those after the file that
 * holds only transactions below it. File i holds commits from its first LSN
 * up to (not including) file i+1's, so it is needed when file i+1 starts
 * after `lsn` (or there is none).
 */
export function filesFrom(files: readonly ChangeFileName[], lsn: bigint): ChangeFileName[] {
  let start = 0;
  for (let i = 0; i + 1 < files.length; i++) if ((files[i + 1]?.firstLsn ?? 0n) <= lsn) start = i + 1;
  return files.slice(start);
}
