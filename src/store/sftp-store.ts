/**
 * An archive on an SFTP server. One SSH connection is opened on first use
 * and reopened after a failure; every call is retried with backoff through
 * transient network failures. A put uploads to `<name>.tmp-<random>`,
 * flushes it (fsync@openssh.com when offered), renames it into place
 * (posix-rename@openssh.com when offered) and reads the size back.
 */
import { randomBytes } from 'node:crypto';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { ArchiveStoreError, fileMissing } from './errors.js';
import { checkStoredName, isTempName, sortByName, TEMP_MARK } from './names.js';
import { isNetworkError, withRetry, type RetryPolicy } from './retry.js';
import {
  closeRemote,
  flushRemote,
  isNoSuchFile,
  makeDirectories,
  openRemote,
  readDirectory,
  removeRemote,
  renameOver,
  statOrUndefined,
  upload,
} from './sftp-calls.js';
import { sftpFailed, unreachable } from './sftp-errors.js';
import { SftpReadStream, type OpenedRemoteFile } from './sftp-read-stream.js';
import { SftpSession, SftpSessionLost, type KnownHostsFile, type SftpServer } from './sftp-session.js';
import { findLoginMethods, type LoginMethods } from './ssh-keys.js';
import type { ArchiveStore, SpoolFile, StoredFile } from './store.js';

export interface SftpStoreConfig {
  readonly server: SftpServer;
  /** The archive directory: absolute, or relative to the login directory. */
  readonly path: string;
  readonly display: string;
  readonly env: NodeJS.ProcessEnv;
  readonly identityFile?: string;
  readonly knownHostsFile?: string;
  readonly create: boolean;
  readonly retry: RetryPolicy;
  readonly signal?: AbortSignal;
}

export async function openSftpStore(config: SftpStoreConfig): Promise<SftpStore> {
  const login = await findLoginMethods(config.server.user, config.env, config.identityFile);
  const store = new SftpStore(config, login, knownHostsOf(config));
  try {
    await store.checkRoot(config.create);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function knownHostsOf(config: SftpStoreConfig): KnownHostsFile {
  if (config.knownHostsFile !== undefined) return { path: config.knownHostsFile, shown: config.knownHostsFile };
  const home = config.env['HOME'];
  if (home === undefined || home === '') {
    throw new ArchiveStoreError(
      'ARCHIVE_SFTP_NO_KNOWN_HOSTS',
      'HOME is not set, so ~/.ssh/known_hosts cannot be found to check the SFTP server.',
      {
        category: 'usage',
        nextStep: 'Set HOME, or name a known_hosts file in archive.sftp.known_hosts_file.',
      },
    );
  }
  return { path: join(home, '.ssh', 'known_hosts'), shown: '~/.ssh/known_hosts' };
}

function isTransient(error: unknown): boolean {
  if (error instanceof ArchiveStoreError) return false;
  if (error instanceof SftpSessionLost || isNetworkError(error)) return true;
  const level = typeof error === 'object' && error !== null && 'level' in error ? error.level : undefined;
  if (level === 'client-socket' || level === 'client-timeout') return true;
  return error instanceof Error && /^(No response from server|Not connected|Connection lost before handshake)$/.test(error.message);
}

export class SftpStore implements ArchiveStore {
  readonly display: string;
  private current: SftpSession | undefined;
  private connecting: Promise<SftpSession> | undefined;
  private closed = false;

  constructor(
    private readonly config: SftpStoreConfig,
    private readonly login: LoginMethods,
    private readonly knownHosts: KnownHostsFile,
  ) {
    this.display = config.display;
  }

  private pathOf(name: string): string {
    return posix.join(this.config.path, checkStoredName(name));
  }

  /** A live session: the current one, or a new connection. */
  private async session(): Promise<SftpSession> {
    if (this.closed) throw new Error(`the SFTP store ${this.display} is closed`);
    if (this.current?.alive === true) return this.current;
    this.connecting ??= SftpSession.open(this.config.server, this.login, this.knownHosts).finally(() => {
      this.connecting = undefined;
    });
    this.current = await this.connecting;
    return this.current;
  }

  /** Runs `operation` on a live session, retrying transient failures on a new one; failures become ArchiveStoreErrors. */
  private async run<T>(what: string, operation: (session: SftpSession) => Promise<T>): Promise<T> {
    try {
      return await withRetry(
        async () => {
          const session = await this.session();
          try {
            return await operation(session);
          } catch (error) {
            if (isTransient(error)) session.close();
            throw error;
          }
        },
        isTransient,
        this.config.retry,
        this.config.signal,
      );
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  private failure(what: string, error: unknown): Error {
    if (error instanceof ArchiveStoreError) return error;
    if (error instanceof Error && error.name === 'AbortError') return error;
    if (isTransient(error)) return unreachable(this.display, error);
    return sftpFailed(this.display, what, error);
  }

  async checkRoot(create: boolean): Promise<void> {
    const root = this.config.path;
    const found = await this.run('opening the archive directory', (session) => statOrUndefined(session, root));
    if (found?.isDirectory() === true) return;
    if (found === undefined && create) {
      await this.run('creating the archive directory', (session) => makeDirectories(session, root));
      return;
    }
    throw this.rootMissing(found !== undefined);
  }

  private rootMissing(notADirectory: boolean): ArchiveStoreError {
    return new ArchiveStoreError(
      'ARCHIVE_DIR_MISSING',
      notADirectory
        ? `The archive location ${this.display} is not a directory.`
        : `The archive directory ${this.display} does not exist on the server.`,
      {
        category: 'usage',
        nextStep: 'Check the path in the sftp:// URL (/~/dir for a directory under the login directory); capture creates it by itself.',
      },
    );
  }

  async list(prefix: string): Promise<StoredFile[]> {
    const cut = prefix.lastIndexOf('/');
    const start = cut < 0 ? '' : checkStoredName(prefix.slice(0, cut));
    return this.run('listing files', async (session) => {
      const files: StoredFile[] = [];
      await this.walk(session, start, prefix, files);
      return sortByName(files);
    });
  }

  private async walk(session: SftpSession, dir: string, prefix: string, files: StoredFile[]): Promise<void> {
    let entries;
    try {
      entries = await readDirectory(session, dir === '' ? this.config.path : posix.join(this.config.path, dir));
    } catch (error) {
      if (!isNoSuchFile(error)) throw error;
      if (dir === '') throw this.rootMissing(false);
      return;
    }
    for (const entry of entries) {
      if (entry.filename === '.' || entry.filename === '..') continue;
      const name = dir === '' ? entry.filename : `${dir}/${entry.filename}`;
      if (entry.attrs.isDirectory()) {
        if (name.startsWith(prefix) || prefix.startsWith(name + '/')) await this.walk(session, name, prefix, files);
      } else if (entry.attrs.isFile() && name.startsWith(prefix) && !isTempName(name)) {
        files.push({ name, size: entry.attrs.size });
      }
    }
  }

  async read(name: string): Promise<Readable> {
    const path = this.pathOf(name);
    const open = (): Promise<OpenedRemoteFile> =>
      this.run(`opening ${name}`, async (session) => {
        let handle: Buffer;
        try {
          handle = await openRemote(session, path, 'r');
        } catch (error) {
          if (isNoSuchFile(error)) throw fileMissing(this.display, name, error);
          throw error;
        }
        const stats = await session.call<{ size: number }>((sftp, done) => sftp.fstat(handle, done));
        return { session, handle, size: stats.size };
      });
    return new SftpReadStream({ open, isTransient, fail: (error) => this.failure(`reading ${name}`, error) }, await open());
  }

  async exists(name: string): Promise<boolean> {
    const path = this.pathOf(name);
    const found = await this.run(`looking for ${name}`, (session) => statOrUndefined(session, path));
    return found?.isFile() === true;
  }

  async put(name: string, file: SpoolFile): Promise<void> {
    const path = this.pathOf(name);
    const dir = posix.dirname(path);
    await this.run(`putting ${name}`, async (session) => {
      await makeDirectories(session, dir);
      const temp = `${path}${TEMP_MARK}${randomBytes(6).toString('hex')}`;
      try {
        const handle = await openRemote(session, temp, 'w');
        try {
          await upload(session, handle, file.path, file.size);
          await flushRemote(session, handle);
        } finally {
          await closeRemote(session, handle).catch(() => undefined);
        }
        await renameOver(session, temp, path);
      } catch (error) {
        if (session.alive) await removeRemote(session, temp).catch(() => undefined);
        throw error;
      }
      const stored = await statOrUndefined(session, path);
      if (stored?.size !== file.size) {
        throw new ArchiveStoreError(
          'ARCHIVE_PUT_MISMATCH',
          `${name} was stored in ${this.display} with ${stored?.size ?? 'no'} bytes instead of ${file.size}.`,
          {
            nextStep: 'Check the SFTP server (disk space, quotas); the file will be put again on the next run.',
          },
        );
      }
    });
  }

  async remove(name: string): Promise<void> {
    const path = this.pathOf(name);
    await this.run(`removing ${name}`, async (session) => {
      try {
        await removeRemote(session, path);
      } catch (error) {
        if (!isNoSuchFile(error)) throw error;
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.current?.close();
    this.current = undefined;
  }
}
