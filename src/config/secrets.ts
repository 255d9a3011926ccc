/**
 * The masking secret must never be written in the config file: config files are
 * committed, shared and pasted into tickets, and anyone holding the secret can
 * recompute masked values from guessed inputs. Keys that look like a place for it
 * are rejected wherever a fixed key set or strategy options are read.
 */

/** Compared after lowercasing and dropping `_`/`-`, so `secretKey` and `secret-key` match too. */
const SECRET_NAMES = new Set([
  'secret',
  'key',
  'secretkey',
  'maskingkey',
  'masksecret',
  'maskingsecret',
  'hmackey',
  'hashkey',
  'encryptionkey',
  'pgtwinsecret',
  'salt',
  'seed',
  'pepper',
]);

export function isSecretKeyName(key: string): boolean {
  return SECRET_NAMES.has(key.toLowerCase().replace(/[_-]/g, ''));
}

export const SECRET_IN_FILE =
  'a masking secret must not be stored in the config file; remove this key and set the PGTWIN_SECRET ' +
  'environment variable, or point `secret_file:` at a file that holds the secret';
