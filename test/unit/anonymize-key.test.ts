import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';

import { decodeSecret, derivedSipKey, MaskingKey } from '../../src/anonymize/key.js';
import { loadMaskingKey, requireMaskingKey } from '../../src/anonymize/key-source.js';
import { generateKey, writeKeyFile } from '../../src/anonymize/keygen.js';
import { PgtwinError } from '../../src/errors.js';

const HEX = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const posix = process.platform !== 'win32';

async function rejectsWith(promise: Promise<unknown>, code: string, text?: RegExp): Promise<PgtwinError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof PgtwinError, `expected a PgtwinError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (text !== undefined) assert.match(`${err.message} ${err.nextStep ?? ''}`, text);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('decodeSecret', () => {
  it('reads hex and base64 (standard and URL-safe), trimming whitespace', () => {
    assert.equal((decodeSecret(`${HEX}\n`) as Buffer).toString('hex'), HEX);
    const bytes = Buffer.from(HEX, 'hex');
    assert.deepEqual(decodeSecret(bytes.toString('base64')), bytes);
    assert.deepEqual(decodeSecret(bytes.toString('base64url')), bytes);
  });

  it('refuses short, empty and malformed secrets without echoing them', () => {
    assert.match(decodeSecret('00112233') as string, /32 bits; at least 128/);
    assert.equal(decodeSecret('   '), 'is empty');
    assert.equal(decodeSecret('not a secret!'), 'is neither hex nor base64');
    assert.match(decodeSecret('00'.repeat(32)) as string, /single byte/);
  });
});

describe('MaskingKey', () => {
  it('never shows the secret through strings, JSON, inspection or properties', () => {
    const key = new MaskingKey(Buffer.from(HEX, 'hex'));
    // Nothing on the object or its prototype returns key material.
    assert.deepEqual(Object.getOwnPropertyNames(Object.getPrototypeOf(key)).sort(), ['constructor', 'fingerprint', 'toJSON', 'toString']);
    const fragments = [HEX.slice(0, 16), Buffer.from(HEX, 'hex').toString('base64').slice(0, 12)];
    const views = [String(key), JSON.stringify({ key }), inspect(key, { showHidden: true, depth: 5 }), JSON.stringify(Object.entries(key))];
    for (const view of views) for (const fragment of fragments) assert.ok(!view.includes(fragment), view);
  });

  it('derives the same keys for the same domain and different ones otherwise', () => {
    const key = new MaskingKey(Buffer.from(HEX, 'hex'));
    const again = new MaskingKey(Buffer.from(HEX, 'hex'));
    assert.deepEqual(derivedSipKey(key, 'email\u0000{}'), derivedSipKey(again, 'email\u0000{}'));
    assert.notDeepEqual(derivedSipKey(key, 'email\u0000{}'), derivedSipKey(key, 'phone\u0000{}'));
    assert.notDeepEqual(derivedSipKey(key, 'email\u0000{}', 0), derivedSipKey(key, 'email\u0000{}', 1));
    assert.equal(key.fingerprint(), again.fingerprint());
    assert.match(key.fingerprint(), /^[0-9a-f]{16}$/);
  });

  it('refuses fewer than 128 bits', () => {
    assert.throws(() => new MaskingKey(Buffer.alloc(15)), /at least 16 bytes/);
  });
});

describe('loading the key', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-key-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes PGTWIN_SECRET first, then secret_file', async () => {
    const file = join(dir, 'env-first');
    await writeFile(file, generateKey(), { mode: 0o600 });
    const fromEnv = await loadMaskingKey({ env: { PGTWIN_SECRET: HEX }, secretFile: file });
    assert.equal(fromEnv?.source, 'env');
    const fromFile = await loadMaskingKey({ env: {}, secretFile: file });
    assert.equal(fromFile?.source, 'file');
    assert.notEqual(fromEnv?.fingerprint(), fromFile?.fingerprint());
  });

  it('returns undefined without a source, and requireMaskingKey says how to make one', async () => {
    assert.equal(await loadMaskingKey({ env: {} }), undefined);
    const err = await rejectsWith(requireMaskingKey({ env: { PGTWIN_SECRET: '' } }), 'NO_SECRET', /pgtwin keygen/);
    assert.match(err.nextStep ?? '', /PGTWIN_SECRET/);
  });

  it('rejects a bad PGTWIN_SECRET without printing it', async () => {
    const err = await rejectsWith(loadMaskingKey({ env: { PGTWIN_SECRET: 'deadbeef' } }), 'SECRET_INVALID', /PGTWIN_SECRET/);
    assert.ok(!err.message.includes('deadbeef'));
  });

  it('refuses a secret file that group or others can read, with the chmod fix', { skip: !posix }, async () => {
    const file = join(dir, 'too-open');
    await writeFile(file, HEX);
    await chmod(file, 0o644);
    await rejectsWith(loadMaskingKey({ env: {}, secretFile: file }), 'SECRET_FILE_UNSAFE', /chmod 600 .*too-open/);
    await chmod(file, 0o600);
    assert.ok(await loadMaskingKey({ env: {}, secretFile: file }));
  });

  it('reports a missing secret file', async () => {
    await rejectsWith(loadMaskingKey({ env: {}, secretFile: join(dir, 'absent') }), 'SECRET_INVALID', /ENOENT/);
  });
});

describe('keygen', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-keygen-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates 256-bit hex keys, different each time', () => {
    const a = generateKey();
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, generateKey());
  });

  it('writes a 0600 key file that loads, and never overwrites one', async () => {
    const file = join(dir, 'pgtwin.key');
    await writeKeyFile(file);
    if (posix) assert.equal((await stat(file)).mode & 0o777, 0o600);
    const content = await readFile(file, 'utf8');
    assert.match(content, /^[0-9a-f]{64}\n$/);
    assert.ok(await loadMaskingKey({ env: {}, secretFile: file }));
    await rejectsWith(writeKeyFile(file), 'KEY_FILE_EXISTS', /never overwrites/);
    assert.equal(await readFile(file, 'utf8'), content);
  });
});
