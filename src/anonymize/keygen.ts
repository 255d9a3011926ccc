/**
 * `pgtwin keygen`: a new random masking secret. The file is created with mode
 * 0600 in the same system call that creates it (no window where it is readable),
 * and an existing file is replaced only when asked (force): replacing a key changes
 * every masked value, which breaks joins with previously masked twins.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { PgtwinError, SafetyError, UsageError } from '../errors.js';

/** 256 bits; more than the 128 SipHash uses, so the HMAC derivation has margin. */
const KEY_BYTES = 32;

/** A new secret as 64 hex characters (the form PGTWIN_SECRET and secret files take). */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('hex');
}

/** Writes a new secret to `path` (0600) and returns nothing about it. Refuses an existing file. */
export async function writeKeyFile(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new UsageError('KEY_FILE_EXISTS', `${path} already exists; pgtwin keygen never overwrites a key`, {
        nextStep: 'choose another path, or delete the old key first if you really mean to change every masked value',
      });
    }
    throw new UsageError('KEY_FILE_WRITE', `cannot create ${path} (${code ?? 'error'})`, { cause: err });
  }
  try {
    // The umask cannot widen 0600, but a filesystem might ignore the mode; chmod makes sure.
    await handle.chmod(0o600);
    await handle.writeFile(`${generateKey()}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface WriteMaskingKeyOptions {
  /** Replace an existing key file (every masked value changes). */
  readonly force: boolean;
  /** The file as messages name it (relative to the working directory when inside it). */
  readonly shown: string;
}

/** A new key in `file` (0600), its directory created (0700) if needed; an existing file only with `force`. */
export async function writeMaskingKey(file: string, options: WriteMaskingKeyOptions): Promise<{ readonly replaced: boolean }> {
  const { shown } = options;
  // 0700: the directory also holds the embedded server's data and credentials by default.
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw new UsageError(
      'KEY_FILE_WRITE',
      `Cannot create the directory of ${shown} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      {
        cause: error,
        nextStep: 'Choose another --output path, or check the permissions of its directory.',
      },
    );
  });
  return { replaced: options.force ? await replaceKeyFile(file, shown) : await createKeyFile(file, shown) };
}

async function createKeyFile(file: string, shown: string): Promise<boolean> {
  try {
    await writeKeyFile(file);
  } catch (error) {
    if (error instanceof PgtwinError && error.code === 'KEY_FILE_EXISTS') throw existsError(shown);
    throw error;
  }
  return false;
}

/** --force: the new key is written beside the old one and renamed over it, so there is never a moment without a complete key. */
async function replaceKeyFile(file: string, shown: string): Promise<boolean> {
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory() === true) {
    throw new UsageError('KEY_FILE_WRITE', `${shown} is a directory.`, { nextStep: 'Pass the path of a file to --output.' });
  }
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  await writeKeyFile(temporary);
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new UsageError('KEY_FILE_WRITE', `Cannot replace ${shown} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      cause: error,
      nextStep: 'Check the permissions of the file and its directory.',
    });
  }
  return existing !== undefined;
}

function existsError(shown: string): SafetyError {
  return new SafetyError(
    'KEY_FILE_EXISTS',
    `${shown} already exists; pgtwin keygen does not overwrite a masking key, because a new key changes every masked value.`,
    {
      nextStep: `Keep using the existing key (nothing to do), write elsewhere with --output, or pass --force to replace it if you really mean to (twins masked with the old key will no longer match).`,
    },
  );
}
