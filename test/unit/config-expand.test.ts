import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandString } from '../../src/config/index.js';

describe('expandString', () => {
  const env = { USER: 'app', EMPTY: '' };

  it('substitutes variables and defaults', () => {
    assert.equal(expandString('postgres://${USER}@${HOST:-localhost}/db', env).value, 'postgres://app@localhost/db');
    assert.equal(expandString('${EMPTY:-fallback}', env).value, 'fallback');
    assert.equal(expandString('${EMPTY}', env).value, '');
    assert.equal(expandString('${NOPE:-}', env).value, '');
    assert.equal(expandString('${NOPE:-a:-b}', env).value, 'a:-b');
  });

  it('keeps lone dollars and turns $$ into $', () => {
    const result = expandString('pa$word $1 $$ $${USER} end$', env);
    assert.equal(result.value, 'pa$word $1 $ ${USER} end$');
    assert.equal(result.substituted, false);
  });

  it('reports missing variables once each, and malformed references', () => {
    assert.deepEqual(expandString('${A}${B}${A}', {}).missing, ['A', 'B']);
    assert.equal(expandString('${1X}', {}).malformed, 1);
    assert.equal(expandString('${NOT CLOSED', {}).unterminated, true);
  });
});
