import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStoreLocation, type StoreLocation } from '../../src/store/index.js';
import { PgtwinError } from '../../src/errors.js';

const context = { cwd: '/work/here', env: { HOME: '/home/ann' }, localUser: 'ann' };
const parse = (location: string): StoreLocation => parseStoreLocation(location, context);

function refused(location: string, code: string): PgtwinError {
  let caught: unknown;
  try {
    parse(location);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof PgtwinError, `${location} should be refused`);
  assert.equal(caught.code, code);
  assert.equal(caught.category, 'usage');
  return caught;
}

describe('archive locations', () => {
  it('resolves directory paths: relative to the working directory, ~ to HOME, file:// URLs', () => {
    assert.deepEqual(parse('/backups/shop/'), { kind: 'dir', path: '/backups/shop', display: '/backups/shop' });
    assert.deepEqual(parse('archive/shop'), { kind: 'dir', path: '/work/here/archive/shop', display: '/work/here/archive/shop' });
    assert.deepEqual(parse('../x'), { kind: 'dir', path: '/work/x', display: '/work/x' });
    assert.deepEqual(parse('~/archives/shop'), { kind: 'dir', path: '/home/ann/archives/shop', display: '/home/ann/archives/shop' });
    assert.deepEqual(parse('file:///srv/a%20b'), { kind: 'dir', path: '/srv/a b', display: '/srv/a b' });
    refused('file://otherhost/srv', 'ARCHIVE_LOCATION_INVALID');
  });

  it('parses sftp URLs: user (or the local one), port (22 by default), absolute or home-relative path', () => {
    assert.deepEqual(parse('sftp://backup@archive.internal/backups/shop'), {
      kind: 'sftp',
      user: 'backup',
      host: 'archive.internal',
      port: 22,
      path: '/backups/shop',
      display: 'sftp://backup@archive.internal/backups/shop',
    });
    assert.deepEqual(parse('sftp://archive.internal:2222/~/shop/'), {
      kind: 'sftp',
      user: 'ann',
      host: 'archive.internal',
      port: 2222,
      path: 'shop',
      display: 'sftp://ann@archive.internal:2222/~/shop',
    });
    const v6 = parse('SFTP://b@[::1]:2022/a');
    assert.equal(v6.kind === 'sftp' && v6.host, '::1');
    assert.equal(v6.display, 'sftp://b@[::1]:2022/a');
    refused('sftp://backup@host', 'ARCHIVE_LOCATION_INVALID');
    refused('sftp://backup@host/~/', 'ARCHIVE_LOCATION_INVALID');
  });

  it('refuses a password in an sftp URL without repeating it', () => {
    const error = refused('sftp://backup:hunter2@archive.internal/backups', 'ARCHIVE_URL_PASSWORD');
    const text = [error.message, error.nextStep ?? '', ...error.details].join('\n');
    assert.ok(!text.includes('hunter2'), text);
    assert.match(error.message, /sftp:\/\/backup:\*\*\*@archive\.internal\/backups/);
    assert.match(error.nextStep ?? '', /key/);
  });

  it('parses s3 URLs into bucket and prefix, refusing credentials and bad bucket names', () => {
    assert.deepEqual(parse('s3://twin-archive/shop/eu/'), {
      kind: 's3',
      bucket: 'twin-archive',
      prefix: 'shop/eu',
      display: 's3://twin-archive/shop/eu',
    });
    assert.deepEqual(parse('s3://twin-archive'), { kind: 's3', bucket: 'twin-archive', prefix: '', display: 's3://twin-archive' });
    const error = refused('s3://AKIA:topsecret@bucket/x', 'ARCHIVE_URL_PASSWORD');
    assert.ok(!error.message.includes('topsecret'), error.message);
    refused('s3://Bad_Bucket/x', 'ARCHIVE_LOCATION_INVALID');
    refused('s3://bucket/a/../b', 'ARCHIVE_LOCATION_INVALID');
  });

  it('names the accepted forms for an unknown scheme, and rewrites scp-style locations as sftp URLs', () => {
    const unknown = refused('ftp://host/x', 'ARCHIVE_LOCATION_INVALID');
    assert.match(unknown.nextStep ?? '', /sftp:\/\/user@host\[:port\]\/path or s3:\/\/bucket\/prefix/);
    const scp = refused('backup@archive.internal:/backups/shop', 'ARCHIVE_LOCATION_INVALID');
    assert.match(scp.nextStep ?? '', /sftp:\/\/backup@archive\.internal\/backups\/shop/);
    refused('  ', 'ARCHIVE_LOCATION_INVALID');
  });
});
