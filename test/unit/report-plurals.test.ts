/** Counts in messages agree with their nouns: "1 row holds", "2 rows hold", "1 foreign key is". */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countOf } from '../../src/report/format.js';
import { verifyToText } from '../../src/report/verify-text.js';
import { describeMismatch } from '../../src/verify/verify-errors.js';
import { foreignKeyError } from '../../src/sync/sync-errors.js';
import type { VerifyReport } from '../../src/verify/run-verify.js';

const report = (rows: number): VerifyReport => ({
  source: 's',
  target: 't',
  tables: {
    tables: [{ table: 'public.t', status: 'match', sourceRows: rows, targetRows: rows, comparedColumns: ['id'], checksumCompared: true }],
    mismatches: 0,
  },
  leaks: {
    leaks: 0,
    findings: [],
    origins: [{ table: 'public.t', column: 'name', values: 1, skippedShort: 0 }],
    coincidences: [{ table: 'public.t', column: 'name', rows }],
    scannedColumns: 1,
    minLength: 4,
  },
  warnings: [],
});

describe('plurals in messages', () => {
  it('countOf agrees with its count', () => {
    assert.equal(countOf(1, 'row'), '1 row');
    assert.equal(countOf(0, 'row'), '0 rows');
    assert.equal(countOf(1500, 'row'), '1,500 rows');
    assert.equal(countOf(2, 'missing row'), '2 missing rows');
  });

  it('verify text: "1 row holds", "3 rows hold", "1 row" in the table list', () => {
    const one = verifyToText(report(1));
    assert.match(one, /1 row holds another row's source value/);
    assert.match(one, /public\.t\s+1 row\s+ok/);
    assert.match(verifyToText(report(3)), /3 rows hold another row's source value/);
  });

  it('mismatch and foreign-key messages', () => {
    assert.equal(
      describeMismatch({
        table: 't',
        status: 'row-count-differs',
        sourceRows: 1,
        targetRows: 0,
        comparedColumns: [],
        checksumCompared: true,
      }),
      '1 row on the source, 0 on the target',
    );
    const fk = { table: { schema: 'public', name: 'c' }, name: 'c_fk', definition: '' };
    assert.match(foreignKeyError([{ foreignKey: fk, reason: 'x' }]).message, /but 1 foreign key does not hold/);
    assert.match(
      foreignKeyError([
        { foreignKey: fk, reason: 'x' },
        { foreignKey: fk, reason: 'y' },
      ]).message,
      /but 2 foreign keys do not hold/,
    );
  });
});
