import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sanitizeUrl } from '../../src/config/index.js';

describe('sanitizeUrl', () => {
  it('masks the password of a URL and keeps the rest as written', () => {
    assert.equal(sanitizeUrl('postgres://app:secret@db.example.com:5432/app'), 'postgres://app:***@db.example.com:5432/app');
    assert.equal(sanitizeUrl('postgresql://:secret@db/app'), 'postgresql://:***@db/app');
    assert.equal(sanitizeUrl('postgres://app@db/app'), 'postgres://app@db/app');
    assert.equal(sanitizeUrl('postgres://db/app'), 'postgres://db/app');
  });

  it('masks secret query parameters', () => {
    assert.equal(
      sanitizeUrl('postgres://app@db/app?sslmode=require&password=x&sslpassword=y#frag'),
      'postgres://app@db/app?sslmode=require&password=***&sslpassword=***#frag',
    );
    assert.equal(sanitizeUrl('postgres://app:a@db/app?PASSWORD=x'), 'postgres://app:***@db/app?PASSWORD=***');
  });

  it('masks passwords that contain URL delimiters', () => {
    for (const password of ['p#ss', 'p?ss', 'p/ss', 'p@ss', 'p:ss', '12345']) {
      assert.equal(sanitizeUrl(`postgres://app:${password}@db/app`), 'postgres://app:***@db/app', password);
    }
  });

  it('handles strings that are not URLs', () => {
    assert.equal(sanitizeUrl('production'), 'production');
    assert.equal(sanitizeUrl(''), '');
    assert.equal(sanitizeUrl('host=db password=secret user=app'), 'host=db password=*** user=app');
    assert.equal(sanitizeUrl("host=db password='with space' user=app"), 'host=db password=*** user=app');
    assert.equal(sanitizeUrl('app:secret@db:5432/app'), 'app:***@db:5432/app');
    assert.equal(sanitizeUrl('not a url: just text'), 'not a url: just text');
  });

  it('never returns any password it was given (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.constantFrom('postgres', 'postgresql', 'mysql'), (password, scheme) => {
        assert.equal(sanitizeUrl(`${scheme}://app:${password}@db.internal/app`), `${scheme}://app:***@db.internal/app`);
      }),
    );
  });
});
