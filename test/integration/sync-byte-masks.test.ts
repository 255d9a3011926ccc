/**
 * Through real servers, the strategies with a byte path (which mask a COPY
 * field's bytes without decoding them) must write exactly what their string
 * path computes for the same source value: ASCII and non-ASCII text, values
 * COPY escapes, NULLs, digit strings too long for the byte path, and list
 * values that would fake to themselves.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { compileMasks, MaskingKey } from '../../src/anonymize/index.js';

const SECRET = '6a0f1e3c9b7d5a2e4c8f0b1d3e5a7c9f2b4d6e8a0c1e3f5a7b9d1c3e5f7a9b0d';

const RULES: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
  ['email', 'email', {}],
  ['phone', 'phone', {}],
  ['ssn', 'digits', { keep_last: 2 }],
  ['card', 'credit_card', {}],
  ['token', 'hash', { length: 20 }],
  ['first', 'first_name', {}],
  ['last', 'last_name', {}],
  ['full_name', 'name', {}],
  ['city', 'fake', { kind: 'city' }],
];

const CONFIG = `anonymize:\n  people:\n${RULES.map(([column, strategy, options]) => `    ${column}: ${JSON.stringify({ strategy, ...options })}`).join('\n')}\n`;

describe('sync: byte-path masks write what the string path computes', () => {
  let dbs: TestDatabases;
  let dir: string;

  before(async () => {
    dbs = await createTestDatabases('byte_masks');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-bytes-'));
    await writeFile(join(dir, 'pgtwin.yaml'), CONFIG);
    await onBoth(dbs, `CREATE TABLE people (id int PRIMARY KEY, ${RULES.map(([c]) => `${c} text`).join(', ')})`);
    // Every 7th value escaped by COPY (TAB, LF, backslash), every 11th NULL, every 5th non-ASCII.
    await dbs.source.query(`
      INSERT INTO people
      SELECT g,
        CASE WHEN g % 11 = 0 THEN NULL WHEN g % 7 = 0 THEN E'tab\\there' || g || '@x.org' WHEN g % 5 = 0 THEN 'josé.' || g || '@bücher.de' ELSE 'user' || g || '@mail.example' END,
        CASE g % 6 WHEN 0 THEN '+1 (555) ' || lpad((g % 1000)::text, 3, '0') || '-' || lpad(g::text, 4, '0') WHEN 1 THEN '0' || lpad(g::text, 10, '0')
          WHEN 2 THEN '00 44 20 ' || g WHEN 3 THEN '+353' || g WHEN 4 THEN 'tel: ' || g || E'\\\\ext' ELSE '+٣' || g END,
        CASE WHEN g % 11 = 0 THEN NULL WHEN g % 9 = 0 THEN repeat('12', 15) || g ELSE lpad((g * 7919 % 1000)::text, 3, '0') || '-' || lpad((g % 100)::text, 2, '0') || '-' || lpad(g::text, 4, '0') END,
        CASE WHEN g % 4 = 0 THEN '4111 1111 1111 ' || lpad(g::text, 4, '0') WHEN g % 4 = 1 THEN lpad(g::text, 30, '9') ELSE '5500-0000-' || lpad(g::text, 8, '0') END,
        CASE WHEN g % 7 = 0 THEN E'tok\\n' || g ELSE 'token-' || g END,
        (ARRAY['Ada', 'José', 'Zoë', 'Wei', 'Olusegun', 'Maria', 'John', ''])[1 + g % 8],
        (ARRAY['Smith', 'García', 'Müller', 'Chen', 'Ólafsdóttir', 'Nguyễn', 'Patel', E'O\\\\Neil'])[1 + g % 8],
        CASE WHEN g % 11 = 0 THEN NULL ELSE (ARRAY['Ada Lovelace', 'Zoë Ünal', 'Grace Hopper'])[1 + g % 3] END,
        (ARRAY['Paris', 'Berlin', 'São Paulo', 'Tokyo', 'Lagos', 'x'])[1 + g % 6]
      FROM generate_series(1, 3000) g`);
  });
  after(async () => {
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('every masked column equals the string-path mask of its source value', async () => {
    const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes'], {
      cwd: dir,
      env: { PGTWIN_SECRET: SECRET },
    });
    assert.equal(result.code, 0, result.stderr);
    const key = new MaskingKey(Buffer.from(SECRET, 'hex'));
    const columns = RULES.map(([c]) => c).join(', ');
    const [source, target] = await Promise.all([
      dbs.source.query<Record<string, string | null>>(`SELECT id, ${columns} FROM people ORDER BY id`),
      dbs.target.query<Record<string, string | null>>(`SELECT id, ${columns} FROM people ORDER BY id`),
    ]);
    assert.equal(target.rows.length, 3000);
    const row = { field: (): string | null => null };
    for (const [column, strategy, options] of RULES) {
      const mask = compileMasks(new Map([[column, { strategy, options }]]), [{ name: column, type: 'text' }], {
        table: 'public.people',
        key,
      }).get(0);
      assert.ok(mask !== undefined);
      let changed = 0;
      source.rows.forEach((s, i) => {
        const expected = mask(s[column] ?? null, row);
        const actual = target.rows[i]?.[column] ?? null;
        assert.equal(actual, expected, `${column} (${strategy}) of id ${s['id']}: source ${JSON.stringify(s[column])}`);
        if (actual !== s[column]) changed++;
      });
      assert.ok(changed > 2000, `${column}: ${changed} of 3000 values changed`);
    }
  });
});
