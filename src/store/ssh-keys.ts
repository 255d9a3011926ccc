/**
 * The keys an SFTP login tries, found the way OpenSSH finds them: the agent
 * at SSH_AUTH_SOCK, then ~/.ssh/id_ed25519, id_ecdsa and id_rsa; or only the
 * identity file named in the settings. A passphrase-protected key file is
 * skipped with a note (load it into ssh-agent), never prompted for.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AgentAuthMethod, PublicKeyAuthMethod } from 'ssh2';
import { ArchiveStoreError } from './errors.js';

export type LoginMethod = AgentAuthMethod | PublicKeyAuthMethod;

export interface LoginMethods {
  readonly methods: LoginMethod[];
  /** What was tried, for the message when the server refuses every method ("ssh-agent", "~/.ssh/id_ed25519"). */
  readonly tried: string[];
  /** Keys that could not be used, with why. */
  readonly skipped: string[];
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export async function findLoginMethods(user: string, env: NodeJS.ProcessEnv, identityFile: string | undefined): Promise<LoginMethods> {
  const methods: LoginMethod[] = [];
  const tried: string[] = [];
  const skipped: string[] = [];
  if (identityFile !== undefined) {
    const key = (await readKey(identityFile)) ?? 'the file does not exist';
    if (typeof key === 'string') {
      throw new ArchiveStoreError('ARCHIVE_SFTP_KEY_UNUSABLE', `The SFTP identity file ${identityFile} cannot be used: ${key}.`, {
        category: 'usage',
        nextStep:
          'Name an unencrypted private key in archive.sftp.identity_file, or remove the setting and load the key into ssh-agent (ssh-add).',
      });
    }
    return { methods: [{ type: 'publickey', username: user, key }], tried: [identityFile], skipped };
  }
  const agent = env['SSH_AUTH_SOCK'];
  if (agent !== undefined && agent !== '') {
    methods.push({ type: 'agent', username: user, agent });
    tried.push('ssh-agent');
  }
  const home = env['HOME'];
  if (home !== undefined && home !== '') {
    for (const name of DEFAULT_KEYS) {
      const path = join(home, '.ssh', name);
      const key = await readKey(path);
      if (key === undefined) continue;
      if (typeof key === 'string') {
        skipped.push(`~/.ssh/${name}: ${key}`);
        continue;
      }
      methods.push({ type: 'publickey', username: user, key });
      tried.push(`~/.ssh/${name}`);
    }
  }
  if (methods.length === 0) {
    throw new ArchiveStoreError(
      'ARCHIVE_SFTP_NO_KEY',
      'No SSH key to log in to the SFTP server with: no ssh-agent (SSH_AUTH_SOCK) and no usable ~/.ssh/id_ed25519, id_ecdsa or id_rsa.',
      {
        category: 'usage',
        details: skipped,
        nextStep:
          'Create a key (ssh-keygen -t ed25519) and install it on the server (ssh-copy-id), start ssh-agent, or name a key in archive.sftp.identity_file.',
      },
    );
  }
  return { methods, tried, skipped };
}

/** The key file's contents; undefined when there is none; a string saying why it cannot be used. */
async function readKey(path: string): Promise<Buffer | string | undefined> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return undefined;
    return error instanceof Error ? error.message : String(error);
  }
  const parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error) {
    return /encrypted|passphrase/i.test(parsed.message)
      ? 'it is passphrase-protected (load it into ssh-agent with ssh-add)'
      : parsed.message;
  }
  return data;
}
