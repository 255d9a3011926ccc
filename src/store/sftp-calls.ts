/**
 * The SFTP requests the store makes, as promises over one session: stat,
 * mkdir -p, directory listing, upload with pipelined writes, fsync and
 * rename. Each rejects with ssh2's error (SFTP status in `code`) or
 * SftpSessionLost; the store decides what they mean.
 */
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import type { FileEntryWithStats, Stats } from 'ssh2';
import { SFTP_NO_SUCH_FILE, sftpStatus } from './sftp-errors.js';
import type { SftpSession } from './sftp-session.js';

/** Bytes per WRITE request: below every server's packet limit (34,000 bytes for servers that do not say). */
const WRITE_CHUNK = 32 * 1024;
/** WRITE requests in flight at once, so a long round trip does not throttle the upload (bounded memory: 512 KiB). */
const WRITES_IN_FLIGHT = 16;

export function isNoSuchFile(error: unknown): boolean {
  return sftpStatus(error) === SFTP_NO_SUCH_FILE;
}

export async function statOrUndefined(session: SftpSession, path: string): Promise<Stats | undefined> {
  try {
    return await session.call<Stats>((sftp, done) => sftp.stat(path, done));
  } catch (error) {
    if (isNoSuchFile(error)) return undefined;
    throw error;
  }
}

/** mkdir -p: creates the missing directories of `path`, from the top. */
export async function makeDirectories(session: SftpSession, path: string): Promise<void> {
  const found = await statOrUndefined(session, path);
  if (found?.isDirectory() === true) return;
  const parent = posix.dirname(path);
  if (parent !== path && parent !== '.' && parent !== '/') await makeDirectories(session, parent);
  try {
    await session.call<void>((sftp, done) => sftp.mkdir(path, (error) => done(error, undefined)));
  } catch (error) {
    // Another writer may have made it meanwhile; what counts is that it is there now.
    if ((await statOrUndefined(session, path))?.isDirectory() !== true) throw error;
  }
}

export function readDirectory(session: SftpSession, path: string): Promise<FileEntryWithStats[]> {
  return session.call<FileEntryWithStats[]>((sftp, done) => sftp.readdir(path, done));
}

export function openRemote(session: SftpSession, path: string, flags: 'r' | 'w'): Promise<Buffer> {
  return session.call<Buffer>((sftp, done) => sftp.open(path, flags, done));
}

export function closeRemote(session: SftpSession, handle: Buffer): Promise<void> {
  return session.call<void>((sftp, done) => sftp.close(handle, (error) => done(error, undefined)));
}

export function removeRemote(session: SftpSession, path: string): Promise<void> {
  return session.call<void>((sftp, done) => sftp.unlink(path, (error) => done(error, undefined)));
}

/** Writes the local file through `handle`, several WRITE requests in flight. */
export async function upload(session: SftpSession, handle: Buffer, localPath: string, size: number): Promise<void> {
  const local = await open(localPath, 'r');
  try {
    const inFlight = new Set<Promise<void>>();
    let position = 0;
    while (position < size) {
      const buffer = Buffer.allocUnsafe(Math.min(WRITE_CHUNK, size - position));
      const { bytesRead } = await local.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) throw new Error(`the spool file ${localPath} is shorter than its ${size} bytes`);
      const at = position;
      position += bytesRead;
      const write = session.call<void>((sftp, done) => sftp.write(handle, buffer, 0, bytesRead, at, (error) => done(error, undefined)));
      inFlight.add(write);
      write.then(
        () => inFlight.delete(write),
        () => inFlight.delete(write),
      );
      if (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await local.close();
  }
}

/** Flushes the file to the server's disk when the server offers fsync@openssh.com (OpenSSH does). */
export async function flushRemote(session: SftpSession, handle: Buffer): Promise<void> {
  if (!session.supports('fsync@openssh.com')) return;
  await session.call<void>((sftp, done) => sftp.ext_openssh_fsync(handle, (error) => done(error, undefined)));
}

/**
 * Moves `from` onto `to`, replacing it: posix-rename@openssh.com when offered
 * (atomic), else plain SFTP rename, which refuses an existing target, after
 * removing it (a reader may then briefly miss the file; never sees half of it).
 */
export async function renameOver(session: SftpSession, from: string, to: string): Promise<void> {
  if (session.supports('posix-rename@openssh.com')) {
    await session.call<void>((sftp, done) => sftp.ext_openssh_rename(from, to, (error) => done(error, undefined)));
    return;
  }
  await removeRemote(session, to).catch((error: unknown) => {
    if (!isNoSuchFile(error)) throw error;
  });
  await session.call<void>((sftp, done) => sftp.rename(from, to, (error) => done(error, undefined)));
}
