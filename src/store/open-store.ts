/**
 * One entry point from an `--archive` value to a store. The SFTP and S3
 * stores are loaded only when a location names them, so commands that never
 * touch them do not pay for loading ssh2 or the AWS SDK.
 */
import { userInfo } from 'node:os';
import { openDirStore } from './dir-store.js';
import { parseStoreLocation, type StoreLocation } from './location.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import type { ArchiveStore } from './store.js';

/** SFTP settings from pgtwin.yaml; without them keys and host keys are found the OpenSSH way. */
export interface SftpStoreOptions {
  /** A private key file to log in with, instead of ssh-agent and ~/.ssh/id_*. */
  readonly identityFile?: string;
  /** The known_hosts file to check the server's host key against, instead of ~/.ssh/known_hosts. */
  readonly knownHostsFile?: string;
}

export interface S3StoreOptions {
  /** Keys per list request (S3's maximum, 1000, by default). */
  readonly listPageSize?: number;
}

export interface OpenStoreOptions {
  /** Where HOME, SSH_AUTH_SOCK and the AWS_* variables are read. */
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  /** Create the archive's directory when it is missing (capture); apply and verify never create one. */
  readonly create?: boolean;
  /** Relative directory paths are resolved against it; process.cwd() by default. */
  readonly cwd?: string;
  readonly sftp?: SftpStoreOptions;
  readonly s3?: S3StoreOptions;
  /** How network calls are retried (SFTP, S3); about 15 s of backoff by default. */
  readonly retry?: RetryPolicy;
}

export async function openStore(location: string, options: OpenStoreOptions): Promise<ArchiveStore> {
  const parsed = parseStoreLocation(location, { cwd: options.cwd ?? process.cwd(), env: options.env, localUser: localUser(options.env) });
  return openParsedStore(parsed, options);
}

/** How a location is shown (a directory made absolute, the SFTP user filled in), without opening it: what names a capture's pid file. */
export function locationDisplay(location: string, options: Pick<OpenStoreOptions, 'cwd' | 'env'>): string {
  return parseStoreLocation(location, { cwd: options.cwd ?? process.cwd(), env: options.env, localUser: localUser(options.env) }).display;
}

export async function openParsedStore(location: StoreLocation, options: OpenStoreOptions): Promise<ArchiveStore> {
  switch (location.kind) {
    case 'dir':
      return openDirStore(location.path, {
        create: options.create === true,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    case 'sftp': {
      const { openSftpStore } = await import('./sftp-store.js');
      return openSftpStore({
        server: { host: location.host, port: location.port, user: location.user },
        path: location.path,
        display: location.display,
        env: options.env,
        ...(options.sftp?.identityFile === undefined ? {} : { identityFile: options.sftp.identityFile }),
        ...(options.sftp?.knownHostsFile === undefined ? {} : { knownHostsFile: options.sftp.knownHostsFile }),
        create: options.create === true,
        retry: options.retry ?? DEFAULT_RETRY,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    }
    case 's3': {
      const { openS3Store } = await import('./s3-store.js');
      return openS3Store({
        bucket: location.bucket,
        prefix: location.prefix,
        display: location.display,
        env: options.env,
        retry: options.retry ?? DEFAULT_RETRY,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.s3?.listPageSize === undefined ? {} : { listPageSize: options.s3.listPageSize }),
      });
    }
  }
}

/** The SFTP user when the URL names none: like ssh, the local user. */
function localUser(env: NodeJS.ProcessEnv): string {
  const named = env['USER'] ?? env['LOGNAME'];
  if (named !== undefined && named !== '') return named;
  try {
    return userInfo().username;
  } catch {
    return ''; // the URL must then name the user
  }
}
