/**
 * OpenSSH's known_hosts, read the way ssh reads it: host patterns (with `*`,
 * `?` and `!` negation), `[host]:port` for servers off port 22, hashed names
 * (`|1|salt|hmac`, from HashKnownHosts), and `@revoked` lines. Pure, so every
 * form is unit-tested; the SFTP store decides from the verdict.
 */
import { createHash, createHmac } from 'node:crypto';

export interface KnownHostLine {
  readonly marker: 'revoked' | 'cert-authority' | undefined;
  readonly patterns: string;
  readonly keyType: string;
  /** The key blob (the base64 field decoded), as the server presents it. */
  readonly key: Buffer;
}

export type HostKeyVerdict =
  /** A line for this host holds this key. */
  | 'known'
  /** No line names this host. */
  | 'unknown'
  /** Lines name this host, none with this key: it changed, or someone is in the middle. */
  | 'changed'
  /** The key is listed as @revoked. */
  | 'revoked';

export function parseKnownHosts(text: string): KnownHostLine[] {
  const lines: KnownHostLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostLine['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() === '@revoked' ? 'revoked' : 'cert-authority';
    const [patterns, keyType, encoded] = fields;
    if (patterns === undefined || keyType === undefined || encoded === undefined) continue;
    const key = Buffer.from(encoded, 'base64');
    if (key.length === 0) continue;
    lines.push({ marker, patterns, keyType, key });
  }
  return lines;
}

/** The name known_hosts stores for a server: `host`, or `[host]:port` off port 22. */
export function hostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function lineMatchesHost(line: KnownHostLine, host: string, port: number): boolean {
  const name = hostName(host, port).toLowerCase();
  if (line.patterns.startsWith('|1|')) return hashedMatches(line.patterns, name);
  let matched = false;
  for (const pattern of line.patterns.split(',')) {
    const negated = pattern.startsWith('!');
    if (wildcardMatches(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (salt === undefined || hash === undefined) return false;
  const expected = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return expected === hash;
}

function wildcardMatches(pattern: string, name: string): boolean {
  const source = pattern
    .toLowerCase()
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.+()[\]{}|]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(name);
}

/** The key types known for this host (to ask the server for one of them first, as ssh does). */
export function knownKeyTypes(lines: readonly KnownHostLine[], host: string, port: number): string[] {
  const types = lines.filter((line) => line.marker === undefined && lineMatchesHost(line, host, port)).map((line) => line.keyType);
  return [...new Set(types)];
}

export function checkHostKey(lines: readonly KnownHostLine[], host: string, port: number, presented: Buffer): HostKeyVerdict {
  const forHost = lines.filter((line) => lineMatchesHost(line, host, port));
  if (forHost.some((line) => line.marker === 'revoked' && line.key.equals(presented))) return 'revoked';
  const plain = forHost.filter((line) => line.marker === undefined);
  if (plain.some((line) => line.key.equals(presented))) return 'known';
  return plain.length === 0 ? 'unknown' : 'changed';
}

/** The key type named inside a key blob (its first SSH string). */
export function blobKeyType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (4 + length > blob.length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** SHA256:… as `ssh-keygen -l` prints it, so a user can compare with what the server's admin reads. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The host key algorithms that can present a key of these types, for ssh2's serverHostKey preference. */
export function algorithmsFor(keyTypes: readonly string[]): string[] {
  return keyTypes
    .flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]))
    .filter((name) => HOST_KEY_ALGORITHMS.has(name));
}

/** The host key algorithms ssh2 speaks (others in known_hosts, such as sk-* keys, cannot be asked for). */
const HOST_KEY_ALGORITHMS = new Set([
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
]);
