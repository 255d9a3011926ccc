/**
 * Ownership remap (a Prisma sync script's `--user-id`): a `constant` rule on a
 * foreign-key column gives every copied row one owner. Allowed when the owner
 * is in the twin (copied, after filters and masking, or already on the target
 * when its table is not copied), refused before anything is written otherwise.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';

const SECRET = '0d3f5a7c9e1b2d4f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d1f3a5c7e9b0d2f';

describe('ownership remap: a constant on a foreign-key column', () => {
  let dbs: TestDatabases;
  let dir: string;
  const run = async (command: 'plan' | 'sync', config: string, extra: readonly string[] = []) => {
    await writeFile(join(dir, 'pgtwin.yaml'), config);
    return pgtwin([command, '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', ...extra], {
      cwd: dir,
      env: { PGTWIN_SECRET: SECRET },
    });
  };
  const targetPosts = async (): Promise<string> =>
    JSON.stringify((await dbs.target.query('SELECT id, user_id, title FROM posts ORDER BY id')).rows);
  const foreignKeyHolds = async (): Promise<void> => {
    const fk = await dbs.target.query<{ convalidated: boolean }>(
      "SELECT convalidated FROM pg_constraint WHERE conname = 'posts_user_id_fkey'",
    );
    assert.equal(fk.rows[0]?.convalidated, true, 'the foreign key is back and validated');
    const orphans = await dbs.target.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM posts p WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id)',
    );
    assert.equal(orphans.rows[0]?.n, 0);
  };
  /** A target as a developer has it: their own account (42) and some rows of their own. */
  const resetTarget = async (): Promise<void> => {
    await dbs.target.query('TRUNCATE posts, users');
    await dbs.target.query("INSERT INTO users VALUES (42, 'dev@example.test')");
    await dbs.target.query("INSERT INTO posts VALUES (1000, 42, 'my draft')");
  };

  before(async () => {
    dbs = await createTestDatabases('owner_remap');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-owner-'));
    await onBoth(
      dbs,
      `CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL UNIQUE);
       CREATE TABLE posts (id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id), title text);`,
    );
    await dbs.source.query(`INSERT INTO users SELECT g, 'person' || g || '@corp.example' FROM generate_series(1, 5) g`);
    await dbs.source.query(`INSERT INTO posts SELECT g, 1 + g % 5, 'post ' || g FROM generate_series(1, 40) g`);
  });
  after(async () => {
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('owner among the copied rows: sync succeeds, every post references it, the foreign key holds; plan shows it', async () => {
    await resetTarget();
    const config = 'anonymize:\n  posts:\n    user_id: { strategy: constant, value: 3 }\n';
    const plan = await run('plan', config);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /user_id: constant 3 \(every row references public\.users\.id = 3, which the twin holds\)/);
    const result = await run('sync', config);
    assert.equal(result.code, 0, result.stderr);
    const owners = await dbs.target.query<{ user_id: number; n: number }>('SELECT user_id, count(*)::int AS n FROM posts GROUP BY user_id');
    assert.deepEqual(owners.rows, [{ user_id: 3, n: 40 }]);
    await foreignKeyHolds();
  });

  it('owner missing from the copied rows (absent, or filtered out): refused before anything is written', async () => {
    for (const [config, reason] of [
      [
        'anonymize:\n  posts:\n    user_id: { strategy: constant, value: 99 }\n',
        /no row of public\.users that the sync copies has id = 99/,
      ],
      [
        'tables:\n  filters:\n    users: { where: "id <> 3" }\nanonymize:\n  posts:\n    user_id: { strategy: constant, value: "3" }\n',
        /no row of public\.users that the sync copies \(where id <> 3\) has id = 3/,
      ],
      [
        'tables:\n  filters:\n    users: { limit: 2 }\nanonymize:\n  posts:\n    user_id: { strategy: constant, value: 3 }\n',
        /public\.users is copied with `limit: 2`, so which of its rows reach the twin is known only after the copy/,
      ],
      [
        'anonymize:\n  posts:\n    user_id: { strategy: constant, value: "three" }\n',
        /the value is not a valid value of public\.users\.id/,
      ],
    ] as const) {
      await resetTarget();
      const before = await targetPosts();
      for (const command of ['plan', 'sync'] as const) {
        const result = await run(command, config);
        assert.equal(result.code, 2, `${command}: ${result.stderr}`);
        assert.match(result.stderr, /A constant foreign key value does not reference a row of the twin; nothing was written/);
        assert.match(result.stderr, /public\.posts\.user_id = /);
        assert.match(result.stderr, reason);
      }
      assert.equal(await targetPosts(), before, 'the target rows are unchanged');
    }
  });

  it('referenced table not copied: the owner must be on the target already', async () => {
    await resetTarget();
    const ok = await run('sync', 'anonymize:\n  posts:\n    user_id: { strategy: constant, value: 42 }\n', ['--tables', 'posts']);
    assert.equal(ok.code, 0, ok.stderr);
    const owners = await dbs.target.query<{ user_id: number; n: number }>('SELECT user_id, count(*)::int AS n FROM posts GROUP BY user_id');
    assert.deepEqual(owners.rows, [{ user_id: 42, n: 40 }]);
    await foreignKeyHolds();

    await resetTarget();
    const before = await targetPosts();
    const refused = await run('sync', 'anonymize:\n  posts:\n    user_id: { strategy: constant, value: 3 }\n', ['--tables', 'posts']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /public\.users is not copied, and the target has no row with id = 3/);
    assert.equal(await targetPosts(), before, 'nothing was truncated or copied');
  });

  it('referenced key masked: the owner is looked for among the masked values', async () => {
    await onBoth(
      dbs,
      'CREATE TABLE accounts (email text PRIMARY KEY); CREATE TABLE notes (id integer PRIMARY KEY, author text NOT NULL REFERENCES accounts (email));',
    );
    await dbs.source.query("INSERT INTO accounts SELECT 'member' || g || '@corp.example' FROM generate_series(1, 30) g");
    await dbs.source.query("INSERT INTO notes SELECT g, 'member' || (1 + g % 30) || '@corp.example' FROM generate_series(1, 60) g");
    const masking = 'tables: { include: [accounts, notes] }\nanonymize:\n  accounts:\n    email: email\n';
    const first = await run('sync', masking);
    assert.equal(first.code, 0, first.stderr);
    const masked = (await dbs.target.query<{ email: string }>('SELECT email FROM accounts ORDER BY email LIMIT 1')).rows[0]?.email ?? '';
    assert.doesNotMatch(masked, /corp\.example/);

    const remap = (value: string): string => `${masking}  notes:\n    author: { strategy: constant, value: "${value}" }\n`;
    const ok = await run('sync', remap(masked));
    assert.equal(ok.code, 0, ok.stderr);
    const authors = await dbs.target.query<{ author: string; n: number }>('SELECT author, count(*)::int AS n FROM notes GROUP BY author');
    assert.deepEqual(authors.rows, [{ author: masked, n: 60 }]);

    // The source's own value is not in the twin once masked.
    const refused = await run('sync', remap('member1@corp.example'));
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /no row of public\.accounts that the sync copies has email = member1@corp\.example once masked by `email`/,
    );
  });
});
