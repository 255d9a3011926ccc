import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { algorithmsFor, blobKeyType, checkHostKey, knownKeyTypes, parseKnownHosts } from '../../src/store/known-hosts.js';

function blob(type: string, body: string): Buffer {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, Buffer.from(body)]);
}

const ed = blob('ssh-ed25519', 'key-one');
const edOther = blob('ssh-ed25519', 'key-two');
const rsa = blob('ssh-rsa', 'rsa-key');
const line = (hosts: string, key: Buffer, marker = ''): string =>
  `${marker}${hosts} ${blobKeyType(key)} ${key.toString('base64')} comment here`;

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  it('matches plain names, lists, wildcards and negation, case-insensitively', () => {
    const lines = parseKnownHosts(
      ['# comment', '', line('archive.internal,10.0.0.5', ed), line('*.backup.example,!bad.backup.example', rsa)].join('\n'),
    );
    assert.equal(checkHostKey(lines, 'archive.internal', 22, ed), 'known');
    assert.equal(checkHostKey(lines, 'ARCHIVE.internal', 22, ed), 'known');
    assert.equal(checkHostKey(lines, '10.0.0.5', 22, ed), 'known');
    assert.equal(checkHostKey(lines, 'eu.backup.example', 22, rsa), 'known');
    assert.equal(checkHostKey(lines, 'bad.backup.example', 22, rsa), 'unknown');
    assert.equal(checkHostKey(lines, 'elsewhere', 22, ed), 'unknown');
  });

  it('names a server off port 22 as [host]:port, and port 22 as the bare host', () => {
    const lines = parseKnownHosts([line('[archive.internal]:2222', ed), line('plain.host', ed)].join('\n'));
    assert.equal(checkHostKey(lines, 'archive.internal', 2222, ed), 'known');
    assert.equal(checkHostKey(lines, 'archive.internal', 22, ed), 'unknown');
    assert.equal(checkHostKey(lines, 'plain.host', 2222, ed), 'unknown');
    assert.equal(checkHostKey(parseKnownHosts(line('[h]:?22?', ed)), 'h', 2222, ed), 'known', 'wildcards in the port part');
  });

  it('matches hashed names (HashKnownHosts)', () => {
    const lines = parseKnownHosts([line(hashed('archive.internal'), ed), line(hashed('[other]:2022'), rsa)].join('\n'));
    assert.equal(checkHostKey(lines, 'archive.internal', 22, ed), 'known');
    assert.equal(checkHostKey(lines, 'other', 2022, rsa), 'known');
    assert.equal(checkHostKey(lines, 'other', 22, rsa), 'unknown');
  });

  it('calls a different key for a known host changed, and honours @revoked', () => {
    const lines = parseKnownHosts([line('archive.internal', ed), line('archive.internal', edOther, '@revoked ')].join('\n'));
    assert.equal(checkHostKey(lines, 'archive.internal', 22, rsa), 'changed');
    assert.equal(checkHostKey(lines, 'archive.internal', 22, edOther), 'revoked');
    assert.equal(checkHostKey(parseKnownHosts(line('h', ed, '@cert-authority ')), 'h', 22, ed), 'unknown', 'a CA line is no host key');
  });

  it('asks the server first for the key types known_hosts holds', () => {
    const lines = parseKnownHosts([line('h', rsa), line('h', ed), line('other', blob('ecdsa-sha2-nistp256', 'x'))].join('\n'));
    assert.deepEqual(knownKeyTypes(lines, 'h', 22), ['ssh-rsa', 'ssh-ed25519']);
    assert.deepEqual(algorithmsFor(knownKeyTypes(lines, 'h', 22)), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
    assert.deepEqual(algorithmsFor(['sk-ssh-ed25519@openssh.com']), []);
  });
});
