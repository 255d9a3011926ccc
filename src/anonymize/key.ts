/**
 * The masking secret and the keys derived from it. Anyone holding the secret can
 * recompute masked values from guessed inputs, so the secret bytes are kept in a
 * module-private WeakMap: no property, toString, JSON or inspect output of a
 * MaskingKey can reveal them.
 *
 * Each domain (a strategy with its options) gets its own SipHash keys derived
 * with HMAC-SHA-256. HMAC costs microseconds, but only once per domain at
 * compile time; per value, only SipHash runs.
 */
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';

import { type SipKey, sipKeyFromBytes } from './siphash.js';

/** 128 bits: the least the issue allows, and SipHash's key size. */
export const MIN_SECRET_BYTES = 16;

const secrets = new WeakMap<MaskingKey, Buffer>();
const derivedKeys = new WeakMap<MaskingKey, Map<string, SipKey>>();

export type KeySource = 'env' | 'file' | 'given';

export class MaskingKey {
  /** Where the secret came from (PGTWIN_SECRET, a secret_file, or code), for messages. */
  readonly source: KeySource;

  /** `secret` is copied; at least 16 bytes. */
  constructor(secret: Uint8Array, source: KeySource = 'given') {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new RangeError(`a masking secret needs at least ${MIN_SECRET_BYTES} bytes, got ${secret.length}`);
    }
    secrets.set(this, Buffer.from(secret));
    this.source = source;
  }

  /**
   * A short public identifier of the key (a keyed hash of a fixed label), so a
   * run record can tell that the key changed without holding anything that
   * helps recover it.
   */
  fingerprint(): string {
    return createHmac('sha256', secretOf(this)).update('pgtwin/fingerprint/v1').digest('hex').slice(0, 16);
  }

  toString(): string {
    return '[MaskingKey]';
  }

  toJSON(): string {
    return '[MaskingKey]';
  }

  [inspect.custom](): string {
    return `MaskingKey { source: '${this.source}' }`;
  }
}

/**
 * The SipHash key for block `index` of `domain` (engine-internal: not exported
 * from the package, so no public API hands out key material). Distinct domains
 * and indexes give independent keys; the same ones always give the same key.
 */
export function derivedSipKey(key: MaskingKey, domain: string, index = 0): SipKey {
  let cache = derivedKeys.get(key);
  if (cache === undefined) {
    cache = new Map();
    derivedKeys.set(key, cache);
  }
  const id = `${index}\u0000${domain}`;
  let derived = cache.get(id);
  if (derived === undefined) {
    const mac = createHmac('sha256', secretOf(key)).update('pgtwin/prf/v1\u0000').update(id, 'utf8').digest();
    derived = sipKeyFromBytes(mac.subarray(0, 16));
    cache.set(id, derived);
  }
  return derived;
}

/**
 * A copy of the secret, to rebuild the same key in a masking worker thread of
 * this process (structured clone cannot carry the private WeakMap entry).
 * Engine-internal: not exported from the package.
 */
export function secretForWorker(key: MaskingKey): Uint8Array {
  return Uint8Array.from(secretOf(key));
}

function secretOf(key: MaskingKey): Buffer {
  const secret = secrets.get(key);
  if (secret === undefined) throw new TypeError('not a MaskingKey');
  return secret;
}

/**
 * Decodes a secret written as hex (an even number of hex digits) or base64
 * (standard or URL-safe). Hex wins when both readings are possible, because
 * `pgtwin keygen` and `openssl rand -hex` write hex. Returns a problem text on
 * failure, never the secret.
 */
export function decodeSecret(text: string): Buffer | string {
  const trimmed = text.trim();
  if (trimmed === '') return 'is empty';
  let bytes: Buffer;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(trimmed)) {
    bytes = Buffer.from(trimmed, 'hex');
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) && trimmed.replace(/=+$/, '').length % 4 !== 1) {
    bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  } else {
    return 'is neither hex nor base64';
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    return `has only ${bytes.length * 8} bits; at least ${MIN_SECRET_BYTES * 8} are needed`;
  }
  // A placeholder such as 000…0 or ffff…f is not a secret.
  if (bytes.every((b) => b === bytes[0])) return 'repeats a single byte; it must be random';
  return bytes;
}
