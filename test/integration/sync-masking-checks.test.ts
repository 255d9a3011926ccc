import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';

const SECRET = '5f0c4e2a9b7d13e8c6a1f04b2d9e7c35a8b6d1f0e3c7a9b2d4f6e8a0c1b3d5e7';

/** A custom strategy module as a user writes it (imports pgtwin by package name). */
const MASKS_MODULE = `
import { defineStrategy } from 'pgtwin';

defineStrategy({
  name: 'card_last4',
  mask(value, ctx) {
    const digits = value.replace(/\\D/g, '');
    let hidden = '';
    for (let i = 0; i < digits.length - 4; i++) hidden += String(ctx.prf.int(digits + '/' + i, 10));
    return hidden + digits.slice(-4);
  },
});

defineStrategy({
  name: 'email_from_id',
  injective: true,
  mask(_value, ctx) {
    return 'user' + ctx.row.get('id') + '@test.local';
  },
});

defineStrategy({
  name: 'explodes',
  mask(value) {
    if (value.startsWith('boom')) throw new Error('cannot mask ' + value);
    return 'fine';
  },
});
`;

describe('masking rules checked before any row moves', () => {
  let dbs: TestDatabases;
  let dir: string;
  const run = async (command: 'plan' | 'sync', config: string, extra: readonly string[] = []) => {
    await writeFile(join(dir, 'pgtwin.yaml'), config);
    return pgtwin([command, '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', ...extra], {
      cwd: dir,
      env: { PGTWIN_SECRET: SECRET },
    });
  };
  const targetRows = async (table: string): Promise<number> =>
    (await dbs.target.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? -1;

  before(async () => {
    dbs = await createTestDatabases('mask_checks');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-mask-checks-'));
    await writeFile(join(dir, 'masks.ts'), MASKS_MODULE);
    // As if pgtwin were installed in the user's project (the module imports it by name).
    await mkdir(join(dir, 'node_modules'));
    await symlink(fileURLToPath(new URL('../..', import.meta.url)), join(dir, 'node_modules', 'pgtwin'), 'dir');
    await onBoth(
      dbs,
      `CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, age integer, born date NOT NULL, nickname text NOT NULL, card text);
       CREATE TABLE logins (id bigint PRIMARY KEY, account_email text REFERENCES accounts (email), ip inet);`,
    );
    await dbs.source.query(
      `INSERT INTO accounts SELECT g, 'a' || g || '@corp.example', 20 + g % 50, date '1980-01-01' + g, 'nick' || g, '4111 1111 1111 ' || lpad(g::text, 4, '0') FROM generate_series(1, 50) g`,
    );
    await dbs.source.query(
      `INSERT INTO logins SELECT g, 'a' || (1 + g % 50) || '@corp.example', ('10.0.0.' || (g % 250))::inet FROM generate_series(1, 120) g`,
    );
  });
  after(async () => {
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const cases: readonly (readonly [string, string, RegExp])[] = [
    [
      'a strategy that does not fit the type',
      'anonymize:\n  accounts:\n    age: email\n',
      /accounts\.age: `email` does not fit column age of type integer; strategies that fit: .*number/,
    ],
    [
      'redact on a date',
      'anonymize:\n  accounts:\n    born: redact\n',
      /accounts\.born: `redact` does not fit column born of type date; strategies that fit: .*date/,
    ],
    [
      'null on a NOT NULL column',
      'anonymize:\n  accounts:\n    nickname: "null"\n',
      /accounts\.nickname: nickname is NOT NULL, so `null` cannot be used/,
    ],
    [
      'a non-injective strategy on a unique column',
      'anonymize:\n  accounts:\n    email: redact\n',
      /accounts\.email: email is unique .* and referenced by a foreign key, and `redact` can give two values the same output; use an injective strategy: .*email/,
    ],
    [
      'a foreign key configured differently from its parent',
      'anonymize:\n  accounts:\n    email: email\n  logins:\n    account_email: { strategy: email, domain: other.test }\n',
      /logins\.account_email: references public\.accounts\.email, which is masked by `email` with other options/,
    ],
    [
      'a rule on a column that does not exist',
      'anonymize:\n  accounts:\n    emial: email\n',
      /accounts\.emial: no column `emial` in public\.accounts \(did you mean `email`\?\)/,
    ],
    [
      'a rule on a table that does not exist',
      'anonymize:\n  acounts:\n    email: email\n',
      /acounts\.\*: `anonymize:` names a table that does not exist on the source \(did you mean public\.accounts\?\)/,
    ],
    ['an unknown strategy', 'anonymize:\n  accounts:\n    email: emial\n', /unknown strategy `emial` \(did you mean `email`\?\)/],
  ];
  for (const [what, config, message] of cases) {
    it(`refuses ${what}, naming the column (exit 2), in plan and in sync`, async () => {
      const before = await targetRows('accounts');
      for (const command of ['plan', 'sync'] as const) {
        const result = await run(command, config);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, /the masking rules have \d+ problems?/);
        assert.match(result.stderr, message);
        assert.match(result.stderr, /next: fix the `anonymize:` rules/);
      }
      assert.equal(await targetRows('accounts'), before, 'nothing written');
    });
  }

  it('strict mode refuses an unreviewed column and names it; keep: lets it through', async () => {
    const rules =
      'anonymize:\n  accounts:\n    email: email\n    card: { strategy: credit_card }\nkeep:\n  accounts: [id, age, born, nickname]\n  logins: [id]\n';
    const refused = await run('plan', `strict: true\n${rules}`);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /public\.logins\.ip is neither masked nor listed under `keep:` \(strict mode\)/);
    assert.doesNotMatch(refused.stderr, /account_email is neither/, 'an inherited rule counts as a decision');
    const accepted = await run('plan', `strict: true\n${rules.replace('logins: [id]', 'logins: [id, ip]')}`);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stdout, /public\.logins .*masked: account_email/);
  });

  it('applies custom strategies from a module: last four digits kept, email built from the row id', async () => {
    const config = 'strategies: ./masks.ts\nanonymize:\n  accounts:\n    card: card_last4\n    nickname: email_from_id\n';
    // Worker threads load the module themselves.
    const result = await run('sync', config, ['--mask-workers', '2']);
    assert.equal(result.code, 0, result.stderr);
    const rows = await dbs.target.query<{ id: string; card: string; nickname: string }>(
      'SELECT id, card, nickname FROM accounts ORDER BY id',
    );
    assert.equal(rows.rows.length, 50);
    for (const row of rows.rows) {
      assert.equal(row.nickname, `user${row.id}@test.local`);
      assert.match(row.card, /^\d{16}$/);
      assert.equal(row.card.slice(-4), row.id.padStart(4, '0'));
      assert.notEqual(row.card.slice(0, 12), '411111111111');
    }
  });

  it('fails the table when a custom strategy throws: AnonymizationError naming table, column and strategy, nothing half-masked', async () => {
    await dbs.source.query(`UPDATE accounts SET nickname = 'boom-' || id WHERE id = 37`);
    try {
      // On the copying thread, then on a worker thread (the error crosses the thread boundary).
      for (const workers of ['0', '1']) {
        const result = await run('sync', 'strategies: ./masks.ts\nanonymize:\n  accounts:\n    nickname: explodes\n', [
          '--jobs',
          '1',
          '--mask-workers',
          workers,
        ]);
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, /strategy `explodes` failed on a value of public\.accounts\.nickname/);
        assert.match(result.stderr, /cannot mask <value>/);
        assert.doesNotMatch(result.stderr, /boom-37/, 'the value itself never reaches the message');
        assert.equal(await targetRows('accounts'), 0, 'the table was rolled back as a whole');
      }
    } finally {
      await dbs.source.query(`UPDATE accounts SET nickname = 'nick' || id WHERE id = 37`);
    }
  });
});
