/**
 * What went wrong with an SFTP archive, in the user's terms: an unknown or
 * changed host key (with the ssh-keyscan / ssh-keygen line that fixes it),
 * keys the server refused, a server that cannot be reached, and SFTP status
 * codes. Messages name the archive by its display URL, never a password.
 */
import { messageOf } from '../errors.js';
import { ArchiveStoreError } from './errors.js';
import { blobKeyType, fingerprint, hostName, type HostKeyVerdict } from './known-hosts.js';
import type { LoginMethods } from './ssh-keys.js';

interface Server {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

interface KnownHosts {
  readonly path: string;
  readonly shown: string;
}

function serverName(server: Server): string {
  return server.port === 22 ? server.host : `${server.host}:${server.port}`;
}

export function hostKeyRefused(server: Server, knownHosts: KnownHosts, verdict: HostKeyVerdict, key: Buffer): ArchiveStoreError {
  const type = blobKeyType(key) ?? 'unknown';
  const print = fingerprint(key);
  const scan = `ssh-keyscan ${server.port === 22 ? '' : `-p ${server.port} `}-t ${type} ${server.host} >> ${knownHosts.shown}`;
  if (verdict === 'unknown') {
    return new ArchiveStoreError(
      'ARCHIVE_SFTP_HOST_UNKNOWN',
      `The SFTP server ${serverName(server)} is not in ${knownHosts.shown}: its ${type} host key ${print} cannot be checked, so pgtwin does not log in.`,
      {
        category: 'connect',
        nextStep: `Check that fingerprint with the server's administrator, then add the key: ${scan} (or connect once with ssh and accept it).`,
      },
    );
  }
  const name = hostName(server.host, server.port);
  return new ArchiveStoreError(
    verdict === 'revoked' ? 'ARCHIVE_SFTP_HOST_KEY_REVOKED' : 'ARCHIVE_SFTP_HOST_KEY_CHANGED',
    verdict === 'revoked'
      ? `The SFTP server ${serverName(server)} presented a host key that ${knownHosts.shown} marks as revoked (${type} ${print}).`
      : `The host key of the SFTP server ${serverName(server)} is not the one in ${knownHosts.shown} (it presented ${type} ${print}): the key changed, or someone is intercepting the connection.`,
    {
      category: 'safety',
      nextStep: `Ask the server's administrator whether the host key was replaced; only if so, remove the old entry (ssh-keygen -R '${name}' -f ${knownHosts.shown}) and add the new one (${scan}).`,
    },
  );
}

export function authFailed(server: Server, login: LoginMethods, cause: unknown): ArchiveStoreError {
  return new ArchiveStoreError(
    'ARCHIVE_SFTP_AUTH_FAILED',
    `The SFTP server ${serverName(server)} refused the login of ${server.user} with ${login.tried.join(', ')}.`,
    {
      category: 'connect',
      cause,
      details: login.skipped,
      nextStep: `Install one of these public keys for ${server.user} on the server (ssh-copy-id ${server.user}@${server.host}), or name the right key in archive.sftp.identity_file.`,
    },
  );
}

export function unreachable(display: string, cause: unknown): ArchiveStoreError {
  return new ArchiveStoreError('ARCHIVE_SFTP_UNREACHABLE', `The SFTP archive ${display} cannot be reached: ${messageOf(cause)}.`, {
    category: 'connect',
    cause,
    nextStep:
      'Check that the server is up and reachable from here (ssh to it); the run can be started again: nothing was acknowledged past the last stored file.',
  });
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02). */
export const SFTP_NO_SUCH_FILE = 2;
export const SFTP_PERMISSION_DENIED = 3;

export function sftpStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') return error.code;
  return undefined;
}

export function sftpFailed(display: string, what: string, error: unknown): ArchiveStoreError {
  if (sftpStatus(error) === SFTP_PERMISSION_DENIED) {
    return new ArchiveStoreError('ARCHIVE_SFTP_PERMISSION_DENIED', `The SFTP archive ${display}: permission denied while ${what}.`, {
      cause: error,
      nextStep: 'Give the SFTP user read and write access to the archive directory on the server.',
    });
  }
  return new ArchiveStoreError('ARCHIVE_SFTP_FAILED', `The SFTP archive ${display}: ${what} failed: ${messageOf(error)}.`, {
    cause: error,
    nextStep: 'Check the archive directory on the server (space, permissions); the run can be started again.',
  });
}
