/** `strategy: fake` without a kind: the kind from the column's name, type and sampled values. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferFakeKind, lacksKind } from '../../src/plan/infer-fake-kind.js';

const kind = (name: string, values: readonly string[] = [], type = 'text'): string | undefined =>
  inferFakeKind({ name, type, values: [...values] })?.kind;

describe('inferFakeKind', () => {
  it('reads the kind from the column name, in any naming style', () => {
    assert.equal(kind('first_name'), 'first_name');
    assert.equal(kind('lastName'), 'last_name');
    assert.equal(kind('city'), 'city');
    assert.equal(kind('billing_city', [], 'character varying(80)'), 'city');
    assert.equal(kind('home_country'), 'country');
    assert.equal(kind('zip'), 'postcode');
    assert.equal(kind('username'), 'username');
  });

  it('prefers the longest kind, then the one written first', () => {
    assert.equal(kind('company_name'), 'company');
    assert.equal(kind('customer_last_name'), 'last_name');
  });

  it('reads the kind from sampled values when the name says nothing', () => {
    assert.equal(kind('contact', ['Alice Johnson', 'Robert Smith', 'Maria Garcia', 'Wei Chen']), 'name');
    assert.equal(kind('line1', ['12 Main Street', '4 Elm Road', '77 Oak Avenue']), 'street_address');
  });

  it('gives the reason without the values', () => {
    const inferred = inferFakeKind({ name: 'contact', type: 'text', values: ['Alice Johnson', 'Robert Smith'] });
    assert.match(inferred?.reason ?? '', /sampled values look like personal names/);
    assert.doesNotMatch(inferred?.reason ?? '', /Alice/);
  });

  it('infers nothing for opaque columns, for other kinds of data, and for non-text types', () => {
    assert.equal(kind('sku', ['SKU-0001', 'SKU-0002']), undefined);
    assert.equal(kind('email', ['a@example.com']), undefined);
    assert.equal(kind('first_name', [], 'integer'), undefined);
  });

  it('lacksKind: only a fake rule without `kind`', () => {
    assert.equal(lacksKind({ strategy: 'fake', options: {} }), true);
    assert.equal(lacksKind({ strategy: 'fake', options: { kind: 'city' } }), false);
    assert.equal(lacksKind({ strategy: 'name', options: {} }), false);
  });
});
