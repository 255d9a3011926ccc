/**
 * An archive in a local (or mounted) directory. A put copies the spool file
 * to `<name>.tmp-<random>` beside its final place, flushes it, renames it into
 * place and flushes the directory, so after a crash a file is either whole
 * under its name or absent (a `.tmp-` leftover is ignored by `list` and
 * replaced by the next put).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { dirMissing, isMissing, notADirectory, readFailed, writeFailed } from './dir-errors.js';
import { ArchiveStoreError, fileMissing } from './errors.js';
import { checkStoredName, isTempName, sortByName, TEMP_MARK } from './names.js';
import type { ArchiveStore, SpoolFile, StoredFile } from './store.js';

export interface DirStoreOptions {
  /** Create the directory (and its parents) when it does not exist: capture does, apply does not. */
  readonly create?: boolean;
  readonly signal?: AbortSignal;
}

/** Opens the directory archive at `root` (absolute), checking that it is there (or creating it). */
export async function openDirStore(root: string, options: DirStoreOptions = {}): Promise<DirStore> {
  try {
    const found = await stat(root);
    if (!found.isDirectory()) throw notADirectory(root);
  } catch (error) {
    if (!isMissing(error)) throw error instanceof ArchiveStoreError ? error : readFailed(root, root, error);
    if (options.create !== true) throw dirMissing(root, error);
    await makeDirectories(root, root);
  }
  return new DirStore(root, options.signal);
}

/** mkdir -p, flushing each directory whose entry list changed, so the new directories survive a crash. */
async function makeDirectories(root: string, dir: string): Promise<void> {
  let first: string | undefined;
  try {
    first = await mkdir(dir, { recursive: true });
  } catch (error) {
    throw writeFailed(root, dir, error);
  }
  if (first === undefined) return;
  for (let created = dir; ; created = dirname(created)) {
    await syncDirectory(root, dirname(created));
    if (created === first || dirname(created) === created) break;
  }
}

async function syncDirectory(root: string, dir: string): Promise<void> {
  try {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw writeFailed(root, dir, error);
  }
}

export class DirStore implements ArchiveStore {
  readonly display: string;

  constructor(
    private readonly root: string,
    private readonly signal?: AbortSignal,
  ) {
    this.display = root;
  }

  private pathOf(name: string): string {
    return join(this.root, ...checkStoredName(name).split('/'));
  }

  async list(prefix: string): Promise<StoredFile[]> {
    this.signal?.throwIfAborted();
    // Walk only the directory the prefix names ('changes/00' → changes/), not the whole archive.
    const cut = prefix.lastIndexOf('/');
    const start = cut < 0 ? '' : prefix.slice(0, cut);
    if (start !== '') checkStoredName(start);
    const files: StoredFile[] = [];
    await this.walk(start === '' ? this.root : join(this.root, ...start.split('/')), prefix, files);
    return sortByName(files);
  }

  private async walk(dir: string, prefix: string, files: StoredFile[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) {
        if (dir === this.root) throw dirMissing(this.root, error);
        return;
      }
      throw readFailed(this.root, dir, error);
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const name = relative(this.root, path).split(sep).join('/');
      if (entry.isDirectory()) {
        // Descend only where names under it can still start with the prefix.
        if (name.startsWith(prefix) || prefix.startsWith(name + '/')) await this.walk(path, prefix, files);
        continue;
      }
      if (!name.startsWith(prefix) || isTempName(name)) continue;
      const found = await stat(path).catch((error: unknown) => {
        if (isMissing(error)) return undefined; // removed while listing
        throw readFailed(this.root, path, error);
      });
      if (found?.isFile() === true) files.push({ name, size: found.size });
    }
  }

  async read(name: string): Promise<Readable> {
    const path = this.pathOf(name);
    this.signal?.throwIfAborted();
    let handle;
    try {
      handle = await open(path, constants.O_RDONLY);
    } catch (error) {
      if (isMissing(error)) throw fileMissing(this.display, name, error);
      throw readFailed(this.root, path, error);
    }
    return handle.createReadStream({ autoClose: true, ...(this.signal === undefined ? {} : { signal: this.signal }) });
  }

  async exists(name: string): Promise<boolean> {
    const path = this.pathOf(name);
    try {
      return (await stat(path)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw readFailed(this.root, path, error);
    }
  }

  async put(name: string, file: SpoolFile): Promise<void> {
    const path = this.pathOf(name);
    this.signal?.throwIfAborted();
    const dir = dirname(path);
    await makeDirectories(this.root, dir);
    const temp = `${path}${TEMP_MARK}${randomBytes(6).toString('hex')}`;
    try {
      await copyFile(file.path, temp);
      const handle = await open(temp, constants.O_RDWR);
      try {
        await handle.sync();
        const written = (await handle.stat()).size;
        if (written !== file.size) {
          throw new ArchiveStoreError(
            'ARCHIVE_PUT_MISMATCH',
            `${name} was stored in ${this.root} with ${written} bytes instead of ${file.size}.`,
            {
              nextStep: 'Check the file system of the archive directory; the file will be written again on the next run.',
            },
          );
        }
      } finally {
        await handle.close();
      }
      this.signal?.throwIfAborted();
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      if (error instanceof ArchiveStoreError || (error instanceof Error && error.name === 'AbortError')) throw error;
      throw writeFailed(this.root, path, error);
    }
    await syncDirectory(this.root, dir);
  }

  async remove(name: string): Promise<void> {
    const path = this.pathOf(name);
    try {
      await unlink(path);
    } catch (error) {
      if (isMissing(error)) return;
      throw writeFailed(this.root, path, error);
    }
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }
}
