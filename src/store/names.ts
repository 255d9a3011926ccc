/**
 * File names inside an archive: relative, '/'-separated, without empty, '.'
 * or '..' segments. Every store checks names with `checkStoredName` before
 * touching anything, so a name read from a damaged or hostile archive can
 * never reach outside the archive's root.
 */
import { ArchiveStoreError } from './errors.js';

/** Marks a store's temporary files (`<name>.tmp-<random>`); `list` never returns them. */
export const TEMP_MARK = '.tmp-';

export function checkStoredName(name: string): string {
  const segments = name.split('/');
  const bad =
    name === '' ||
    name.includes('\\') ||
    name.includes('\0') ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad || isTempName(name)) {
    throw new ArchiveStoreError('ARCHIVE_NAME_INVALID', `"${name}" is not a valid archive file name.`, {
      nextStep:
        "Archive file names are relative paths such as 'changes/0000000001.jsonl.gz', without '.', '..', empty parts or backslashes.",
    });
  }
  return name;
}

/** A leftover of an interrupted put (`….tmp-<random>`). */
export function isTempName(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base.includes(TEMP_MARK);
}

/** Byte-wise order of names (UTF-8), as the contract promises: the order of stream positions encoded in them. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Sorts files by name, byte-wise, in place, and returns them. */
export function sortByName<T extends { readonly name: string }>(files: T[]): T[] {
  return files.sort((a, b) => compareNames(a.name, b.name));
}
