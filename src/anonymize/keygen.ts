/**
 * `pgtwin keygen`: a new random masking secret. The file is created with mode
 * 0600 in the same system call that creates it (no window where it is readable),
 * and an existing file is never overwritten: replacing a key silently changes
 * every masked value, which breaks joins with previously masked twins.
 */
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';

import { UsageError } from '../errors.js';

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
