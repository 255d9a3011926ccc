/**
 * What a failed file-system call on a directory archive means for the user:
 * a missing directory, one that cannot be written, a full disk. The path is
 * always in the message, because "permission denied" alone never says where.
 */
import { messageOf } from '../errors.js';
import { ArchiveStoreError } from './errors.js';

function codeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

export function isMissing(error: unknown): boolean {
  return codeOf(error) === 'ENOENT';
}

export function dirMissing(root: string, cause?: unknown): ArchiveStoreError {
  return new ArchiveStoreError('ARCHIVE_DIR_MISSING', `The archive directory ${root} does not exist.`, {
    category: 'usage',
    cause,
    nextStep: `Check the --archive path, or create the directory (mkdir -p '${root}'); capture creates it by itself.`,
  });
}

export function notADirectory(root: string): ArchiveStoreError {
  return new ArchiveStoreError('ARCHIVE_DIR_MISSING', `The archive location ${root} is not a directory.`, {
    category: 'usage',
    nextStep: 'Give --archive the path of a directory (or a new path that capture may create).',
  });
}

/** A failure while writing under `root`, `path` being the file or directory involved. */
export function writeFailed(root: string, path: string, error: unknown): ArchiveStoreError {
  const code = codeOf(error);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new ArchiveStoreError(
      'ARCHIVE_DIR_UNWRITABLE',
      `Cannot write to the archive directory ${root} (${path}: ${messageOf(error)}).`,
      {
        cause: error,
        nextStep:
          code === 'EROFS'
            ? 'The file system is mounted read-only: give --archive a writable location.'
            : `Give the user running pgtwin write access to ${root} (chown or chmod), or choose another --archive directory.`,
      },
    );
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new ArchiveStoreError('ARCHIVE_STORE_FULL', `The archive directory ${root} is full (${path}: ${messageOf(error)}).`, {
      cause: error,
      nextStep: 'Free space on that file system (pgtwin archive prune removes old bases), or move the archive to a larger one.',
    });
  }
  return new ArchiveStoreError('ARCHIVE_WRITE_FAILED', `Writing ${path} in the archive directory ${root} failed: ${messageOf(error)}.`, {
    cause: error,
    nextStep: 'Check the file system of the archive directory; the file will be written again on the next run.',
  });
}

/** A failure while reading `path` under `root`. */
export function readFailed(root: string, path: string, error: unknown): ArchiveStoreError {
  const code = codeOf(error);
  if (code === 'EACCES' || code === 'EPERM') {
    return new ArchiveStoreError('ARCHIVE_DIR_UNREADABLE', `Cannot read the archive directory ${root} (${path}: ${messageOf(error)}).`, {
      cause: error,
      nextStep: `Give the user running pgtwin read access to ${root}.`,
    });
  }
  return new ArchiveStoreError('ARCHIVE_READ_FAILED', `Reading ${path} in the archive directory ${root} failed: ${messageOf(error)}.`, {
    cause: error,
    nextStep: 'Check the file system of the archive directory.',
  });
}
