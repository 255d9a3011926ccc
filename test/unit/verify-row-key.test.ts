import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ColumnInfo, TableInfo } from '../../src/catalog/table-facts.js';
import { rowKeyOf } from '../../src/verify/row-key.js';
import { clearExtraction, maskedExtraction, valueSelects } from '../../src/verify/cell-values.js';
import type { CopiedTable } from '../../src/verify/copied-table.js';

function column(name: string, notNull: boolean): ColumnInfo {
  return { name, attnum: 1, type: 'text', notNull, generated: false, identity: '' };
}

function table(primaryKey: string[], uniqueKeys: string[][], notNull: string[], masked: string[]): CopiedTable {
  const names = ['id', 'email', 'code', 'tenant', 'note'];
  const info: TableInfo = {
    oid: 1,
    schema: 'public',
    name: 't',
    kind: 'table',
    partitionRoot: undefined,
    columns: names.map((n) => column(n, notNull.includes(n))),
    primaryKey,
    uniqueKeys,
    estimatedRows: 0,
    bytes: 0,
  };
  return { key: 'public.t', source: info, target: info, columns: names, maskedColumns: masked };
}

describe('rowKeyOf', () => {
  it('takes the primary key when none of its columns is masked', () => {
    assert.deepEqual(rowKeyOf(table(['id'], [['id'], ['email']], ['id', 'email'], ['email'])), ['id']);
  });
  it('falls back to a unique key over NOT NULL, unmasked columns', () => {
    assert.deepEqual(rowKeyOf(table(['email'], [['email'], ['code'], ['tenant', 'code']], ['email', 'tenant', 'code'], ['email'])), [
      'code',
    ]);
    assert.equal(rowKeyOf(table([], [['code']], [], [])), undefined, 'a nullable unique column does not identify a row');
  });
  it('has no key when every key contains a masked column', () => {
    assert.equal(rowKeyOf(table(['email'], [['email']], ['email'], ['email'])), undefined);
  });
});

describe('value extraction', () => {
  it('searches text, arrays of text and JSON in clear, and nothing else', () => {
    assert.equal(clearExtraction('text'), 'whole');
    assert.equal(clearExtraction('text-array'), 'elements');
    assert.equal(clearExtraction('json'), 'whole-and-json-strings');
    assert.equal(clearExtraction('other'), undefined);
    assert.equal(clearExtraction('array'), undefined);
  });
  it('takes masked values whole, or element by element for arrays', () => {
    assert.equal(maskedExtraction('json'), 'whole');
    assert.equal(maskedExtraction('other'), 'whole');
    assert.equal(maskedExtraction('array'), 'elements');
  });
  it('quotes the column and tags the branches', () => {
    assert.deepEqual(valueSelects('t', 'we"ird', 'elements', 3), ['SELECT 3, e::text FROM unnest(t."we""ird") e']);
    assert.equal(valueSelects('t', 'doc', 'whole-and-json-strings').length, 2);
  });
});
