/**
 * Unique stays unique, and no masked value equals its source: `sync` into an
 * empty target masks unique integer columns holding negative values and a
 * unique column of short digit strings with `digits` (and a unique short phone
 * column with `phone`), then builds their unique indexes on the loaded rows.
 * Before masking was a derangement, `-7` and `8` could both become `0` (the
 * sign lost in `-0`), so the index build failed, and some short values masked
 * to themselves.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';

const SECRET = '6b1f0c9e2d4a7358e1c0b9a8f7e6d5c4b3a29180f7e6d5c4b3a2918007f6e5d4';

const CONFIG = `
strict: true
anonymize:
  ledger:
    balance_key: digits
    code: digits
    big_key: digits
    pin: digits
    extension: phone
keep:
  ledger: [id]
`;

interface Row {
  id: number;
  balance_key: string;
  code: string;
  big_key: string;
  pin: string;
  extension: string;
}

describe('sync keeps unique columns unique and never writes a source value', () => {
  let dbs: TestDatabases;
  let dir: string;

  before(async () => {
    dbs = await createTestDatabases('unique_masks');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-unique-'));
    await writeFile(join(dir, 'pgtwin.yaml'), CONFIG);
    // Only on the source: sync creates the table and builds the unique indexes after the load.
    await dbs.source.query(
      `CREATE TABLE ledger (
         id int PRIMARY KEY,
         balance_key integer NOT NULL UNIQUE,
         code smallint UNIQUE,
         big_key bigint NOT NULL UNIQUE,
         pin text NOT NULL UNIQUE,
         extension text NOT NULL UNIQUE
       )`,
    );
    // Every integer in [-1000, 1000]; every digit string of 1, 2 and 3 digits, then 4-digit ones;
    // the same as phone extensions (`ext 07`: a trunk 0 and one digit to mask).
    await dbs.source.query(
      `INSERT INTO ledger
       SELECT g + 1001, g, g, g * 1000003,
              CASE WHEN g < -990 THEN (g + 1000)::text
                   WHEN g < -890 THEN lpad((g + 990)::text, 2, '0')
                   WHEN g < 110 THEN lpad((g + 890)::text, 3, '0')
                   ELSE lpad((g - 110)::text, 4, '0') END,
              'ext ' || CASE WHEN g < -990 THEN (g + 1000)::text
                   WHEN g < -890 THEN lpad((g + 990)::text, 2, '0')
                   WHEN g < 110 THEN lpad((g + 890)::text, 3, '0')
                   ELSE '0' || lpad((g - 110)::text, 3, '0') END
       FROM generate_series(-1000, 1000) g`,
    );
  });
  after(async () => {
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('masks every row to a value other than its own, and restores every unique index', async () => {
    const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes'], {
      cwd: dir,
      env: { PGTWIN_SECRET: SECRET },
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);

    const uniques = await dbs.target.query<{ name: string; valid: boolean }>(
      `SELECT i.indexrelid::regclass::text AS name, i.indisvalid AS valid FROM pg_index i
        WHERE i.indrelid = 'ledger'::regclass AND i.indisunique ORDER BY 1`,
    );
    assert.equal(uniques.rows.length, 6, JSON.stringify(uniques.rows));
    assert.ok(uniques.rows.every((r) => r.valid));

    const select = 'SELECT id, balance_key::text, code::text, big_key::text, pin, extension FROM ledger ORDER BY id';
    const source = (await dbs.source.query<Row>(select)).rows;
    const target = (await dbs.target.query<Row>(select)).rows;
    assert.equal(target.length, 2001);
    const same: string[] = [];
    for (const [i, masked] of target.entries()) {
      const original = source[i] as Row;
      assert.equal(masked.id, original.id);
      for (const column of ['balance_key', 'code', 'big_key', 'pin', 'extension'] as const) {
        if (masked[column] === original[column]) same.push(`${column} of row ${original.id}: ${original[column]}`);
      }
      for (const column of ['balance_key', 'code', 'big_key'] as const) {
        assert.equal(
          masked[column].startsWith('-'),
          original[column].startsWith('-'),
          `${column} of row ${original.id}: ${original[column]} -> ${masked[column]} changed sign`,
        );
        assert.equal(
          masked[column].replace('-', '').length,
          original[column].replace('-', '').length,
          `${column} of row ${original.id}: digit count`,
        );
      }
      assert.equal(masked.pin.length, original.pin.length);
      assert.equal(masked.extension.length, original.extension.length);
    }
    assert.deepEqual(same, [], 'masked values equal to their source values');
  });
});
