import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { didYouMean, editDistance } from '../../src/did-you-mean.js';

describe('didYouMean', () => {
  it('computes the distance with adjacent transpositions', () => {
    assert.equal(editDistance('jobs', 'jbos'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
  });

  it('suggests close keys and prefix matches', () => {
    const keys = ['environments', 'source', 'target', 'tables', 'anonymize', 'keep', 'strict', 'strategies', 'options', 'batch_size'];
    assert.equal(didYouMean('anonymise', keys), 'anonymize');
    assert.equal(didYouMean('trget', keys), 'target');
    assert.equal(didYouMean('Source', keys), 'source');
    assert.equal(didYouMean('batch-size', keys), 'batch_size');
    assert.equal(didYouMean('batch', keys), 'batch_size');
    assert.equal(didYouMean('environment', keys), 'environments');
    assert.equal(didYouMean('strategy', keys), 'strategies');
  });

  it('does not suggest unrelated keys', () => {
    assert.equal(didYouMean('zzz', ['source', 'target']), undefined);
    assert.equal(didYouMean('ab', ['cd']), undefined);
    assert.equal(didYouMean('x', []), undefined);
  });
});
