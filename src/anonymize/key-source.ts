/**
 * Where the masking secret comes from: the PGTWIN_SECRET environment variable,
 * else the file named by `secret_file:`. Never from pgtwin.yaml itself (the
 * config reader rejects secret-looking keys), never written to the target.
 *
 * The environment wins over the file so that CI can override a developer's
 * file without editing the config.
 */
import { readFile, stat } from 'node:fs/promises';

import { badSecretError, noSecretError, unsafeSecretFileError } from './errors.js';
import { decodeSecret, MaskingKey } from './key.js';

export const SECRET_ENV = 'PGTWIN_SECRET';

export interface KeySourceOptions {
  /** Defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Absolute path from `secret_file:` (Settings.secretFile). */
  readonly secretFile?: string | undefined;
}

/** The masking key, or undefined when neither source is set. Throws on a bad secret or an unsafe file. */
export async function loadMaskingKey(options: KeySourceOptions = {}): Promise<MaskingKey | undefined> {
  const env = options.env ?? process.env;
  const fromEnv = env[SECRET_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const bytes = decodeSecret(fromEnv);
    if (typeof bytes === 'string') throw badSecretError(SECRET_ENV, bytes);
    return new MaskingKey(bytes, 'env');
  }
  if (options.secretFile === undefined) return undefined;
  return new MaskingKey(await readSecretFile(options.secretFile), 'file');
}

/** As loadMaskingKey, but a missing key is an error that says how to make one (code NO_SECRET). */
export async function requireMaskingKey(options: KeySourceOptions = {}): Promise<MaskingKey> {
  const key = await loadMaskingKey(options);
  if (key === undefined) throw noSecretError();
  return key;
}

async function readSecretFile(path: string): Promise<Buffer> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw badSecretError(`secret_file ${path}`, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!info.isFile()) throw badSecretError(`secret_file ${path}`, 'is not a regular file');
  // Windows has no POSIX modes; there the file's ACL is the user's business.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) throw unsafeSecretFileError(path, info.mode);
  const bytes = decodeSecret(await readFile(path, 'utf8'));
  if (typeof bytes === 'string') throw badSecretError(`secret_file ${path}`, bytes);
  return bytes;
}
