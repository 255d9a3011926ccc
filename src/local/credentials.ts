/**
 * The local server's superuser password: generated at initialisation, kept in
 * `credentials.json` readable by its owner only, and never printed except by
 * `pgtwin local url` (where the user asked for it).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { LOCAL_USER } from '../config/index.js';
import { LocalServerError } from './errors.js';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export function newCredentials(): Credentials {
  // base64url: no character needs escaping in a URL, a shell or a pwfile.
  return { user: LOCAL_USER, password: randomBytes(24).toString('base64url') };
}

/** Written to a temporary name and renamed, so a crash never leaves half a file. */
export async function writeCredentials(path: string, credentials: Credentials): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(temporary, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600, flag: 'w' });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

export async function readCredentials(path: string): Promise<Credentials> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new LocalServerError(
      'LOCAL_CREDENTIALS_MISSING',
      `The local server exists but its credentials file ${path} is missing or unreadable.`,
      {
        cause: error,
        nextStep: 'Restore the file, or start over with `pgtwin local destroy` and `pgtwin local start` (this deletes the local data).',
      },
    );
  }
  if (typeof parsed === 'object' && parsed !== null && 'user' in parsed && 'password' in parsed) {
    const { user, password } = parsed;
    if (typeof user === 'string' && typeof password === 'string' && password !== '') return { user, password };
  }
  throw new LocalServerError('LOCAL_CREDENTIALS_MISSING', `The credentials file ${path} does not hold a user and password.`, {
    nextStep: 'Restore the file, or start over with `pgtwin local destroy` and `pgtwin local start` (this deletes the local data).',
  });
}
