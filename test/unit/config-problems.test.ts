import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadError, visibleText, withDir } from '../fixtures/config/temp-config.js';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('loadSettings: problems are collected and reported together', () => {
  it('reports four problems in one error, with positions, in file order', async () => {
    const text = yaml(
      'options:',
      '  jobs: 0', // line 2
      '  mask_workers: -1', // line 3
      'tables:',
      '  include: ["public.*", ""]', // line 4
      '  filters:',
      '    orders: { limit: -5 }', // line 6
    );
    await withDir({ 'pgtwin.yaml': text }, async (dir) => {
      const error = await loadError(dir);
      assert.ok(error instanceof ConfigError);
      assert.equal(error.exitCode, 2);
      assert.equal(error.message, 'pgtwin.yaml has 4 problems');
      assert.deepEqual(error.details, [
        'pgtwin.yaml:2:9: options.jobs: expected a positive integer, got 0',
        'pgtwin.yaml:3:17: options.mask_workers: expected a non-negative integer, got -1',
        'pgtwin.yaml:5:25: tables.include[1]: must not be empty',
        'pgtwin.yaml:7:22: tables.filters.orders.limit: expected a non-negative integer, got -5',
      ]);
      assert.match(error.nextStep ?? '', /Fix the problems listed in pgtwin\.yaml/);
    });
  });

  it('reports unknown keys with a suggestion, at every level', async () => {
    const text = yaml(
      'anonymise: { users: { email: email } }',
      'options:',
      '  batch: 10',
      '  jbos: 2',
      'tables:',
      '  filters:',
      '    orders: { were: "id > 1" }',
      'environments:',
      '  prod: { uri: "postgres://x/y" }',
      'zzz: 1',
    );
    await withDir({ 'pgtwin.yaml': text }, async (dir) => {
      const error = await loadError(dir);
      assert.deepEqual(error.details, [
        'pgtwin.yaml:1:1: anonymise: unknown key (did you mean `anonymize`?)',
        'pgtwin.yaml:3:3: options.batch: unknown key (did you mean `batch_size`?)',
        'pgtwin.yaml:4:3: options.jbos: unknown key (did you mean `jobs`?)',
        'pgtwin.yaml:7:15: tables.filters.orders.were: unknown key (did you mean `where`?)',
        "pgtwin.yaml:9:9: environments.prod: missing `url` (or Confiture's `database:`)",
        'pgtwin.yaml:9:11: environments.prod.uri: unknown key (did you mean `url`?)',
        'pgtwin.yaml:10:1: zzz: unknown key',
      ]);
    });
  });

  it('checks types and strategy shapes, but not strategy names', async () => {
    const text = yaml(
      'strict: yes',
      'tables: "users"',
      'anonymize:',
      '  users:',
      '    email: 42',
      '    phone: { keep_country: true }',
      '    name: { stratgy: fake }',
      '    notes: [redact]',
      '    ssn: no_such_strategy_is_fine_here',
      'keep: { users: id }',
    );
    await withDir({ 'pgtwin.yaml': text }, async (dir) => {
      const error = await loadError(dir);
      assert.deepEqual(error.details, [
        'pgtwin.yaml:1:9: strict: expected true or false, got a string (write true or false; yes/no/on/off are strings in YAML 1.2)',
        'pgtwin.yaml:2:9: tables: expected a mapping with include/exclude/filters, or a list of table names, got a string',
        'pgtwin.yaml:5:12: anonymize.users.email: expected a strategy name or {strategy: <name>, ...options}, got an integer',
        'pgtwin.yaml:6:12: anonymize.users.phone: missing `strategy`: expected a strategy name or {strategy: <name>, ...options}',
        'pgtwin.yaml:7:11: anonymize.users.name: missing `strategy`: expected a strategy name or {strategy: <name>, ...options} (is `stratgy` meant to be `strategy`?)',
        // A list is Confiture's rule list only at the table level, not per column.
        'pgtwin.yaml:8:12: anonymize.users.notes: expected a strategy name or {strategy: <name>, ...options}, got a list',
        'pgtwin.yaml:10:16: keep.users: expected a list of column names, got a string',
      ]);
    });
  });

  it('reports a YAML syntax error with its position', async () => {
    await withDir({ 'pgtwin.yaml': yaml('source: production', 'target: staging: x') }, async (dir) => {
      const error = await loadError(dir);
      assert.equal(error.message, 'pgtwin.yaml has 1 problem');
      assert.deepEqual(error.details, ['pgtwin.yaml:2:9: YAML syntax: Nested mappings are not allowed in compact mappings']);
    });
  });

  it('reports TOML problems by key path, and TOML syntax errors with a position', async () => {
    await withDir({ 'pgtwin.toml': '[options]\njobs = -1\ncascde = true\n' }, async (dir) => {
      const error = await loadError(dir);
      assert.deepEqual(error.details, [
        'pgtwin.toml: options.jobs: expected a positive integer, got -1',
        'pgtwin.toml: options.cascde: unknown key (did you mean `cascade`?)',
      ]);
    });
    await withDir({ 'pgtwin.toml': 'strict = = true\n' }, async (dir) => {
      const error = await loadError(dir);
      assert.equal(error.details.length, 1);
      assert.match(error.details[0] ?? '', /^pgtwin\.toml:1:\d+: TOML syntax: /);
    });
  });

  it('rejects two keys that set the same thing', async () => {
    const text = yaml('source: production', 'source_url: "postgres://x/y"', 'options: { jobs: 2 }', 'parallel: true');
    await withDir({ 'pgtwin.yaml': text }, async (dir) => {
      const error = await loadError(dir);
      assert.deepEqual(error.details, [
        'pgtwin.yaml:2:1: source_url: sets the same thing as `source`; keep only one of them',
        'pgtwin.yaml:4:1: parallel: sets the same thing as `options.jobs`; keep only one of them',
      ]);
    });
  });

  it('rejects a column that is both masked and kept', async () => {
    await withDir({ 'pgtwin.yaml': yaml('anonymize: { users: { email: email } }', 'keep: { users: [id, email] }') }, async (dir) => {
      const error = await loadError(dir);
      assert.deepEqual(error.details, [
        'pgtwin.yaml:2:21: keep.users[1]: column `email` is also in `anonymize`; a column is either masked or kept',
      ]);
    });
  });

  it('includes problems of flags and environment variables', async () => {
    await withDir({}, async (dir) => {
      const error = await loadError(dir, {
        env: { PGTWIN_TARGET_URL: 'mysql://root:hunter2@db/app' },
        overrides: { source: 'mysql://root:hunter2@db/app', jobs: 0, include: [''] },
      });
      assert.equal(error.message, 'The configuration has 4 problems');
      assert.deepEqual(error.details, [
        '--from: expected an environment name or a postgres:// or postgresql:// URL (value not shown)',
        'environment variable PGTWIN_TARGET_URL: expected a postgres:// or postgresql:// URL (value not shown)',
        '--include: table names and globs must not be empty',
        '--jobs: expected a positive integer',
      ]);
      assert.doesNotMatch(visibleText(error), /hunter2/);
    });
  });
});

describe('loadSettings: secrets', () => {
  it('rejects a masking secret in the file, at the top, in options and in strategy options', async () => {
    const text = yaml(
      'secret: "k3y-material"',
      'secret_key: "k3y-material"',
      'options: { key: "k3y-material" }',
      'anonymize: { users: { email: { strategy: email, salt: "k3y-material" } } }',
      'secret_file: ./pgtwin.secret',
    );
    await withDir({ 'pgtwin.yaml': text }, async (dir) => {
      const error = await loadError(dir);
      const rows = error.details.map((line) => line.split(': a masking secret')[0]);
      assert.deepEqual(rows, [
        'pgtwin.yaml:1:1: secret',
        'pgtwin.yaml:2:1: secret_key',
        'pgtwin.yaml:3:12: options.key',
        'pgtwin.yaml:4:49: anonymize.users.email.salt',
      ]);
      for (const line of error.details) assert.match(line, /PGTWIN_SECRET environment variable, or point `secret_file:`/);
      assert.doesNotMatch(visibleText(error), /k3y-material/);
    });
  });

  it('never shows a password from the file, the environment or flags', async () => {
    const password = 'Pa55-w0rd-do-not-print';
    const text = yaml(
      'environments:',
      `  prod: { url: "mysql://app:${password}@prod/app", password: "${password}" }`,
      `  staging: { url: "postgres://app:${password}@staging/app", extra: 1 }`,
      `  dev: { url: "postgres://app:\${DEV_PASSWORD}@\${MISSING_HOST}/app" }`,
      `source: "postgress://app:${password}@prod/app"`,
      `target: { url: "postgres://app:${password}@x/y" }`,
      'options: { jobs: "${JOBS}" }',
    );
    await withDir({ 'pgtwin.yaml': text }, async (dir) => {
      const error = await loadError(dir, { env: { DEV_PASSWORD: password, JOBS: password } });
      assert.equal(error.details.length, 7);
      const shown = visibleText(error);
      assert.doesNotMatch(shown, new RegExp(password));
      assert.doesNotMatch(shown, /Pa55/);
    });
  });

  it('never shows a password from a YAML or TOML syntax error', async () => {
    const password = 'Pa55-w0rd-do-not-print';
    for (const [name, text] of [
      ['pgtwin.yaml', `source: "postgres://app:${password}@prod/app\n`],
      ['pgtwin.yaml', `source: postgres://app:${password}@prod/app: x\n`],
      ['pgtwin.toml', `source = "postgres://app:${password}@prod/app\n`],
      ['pgtwin.toml', `source = postgres://app:${password}@prod/app\n`],
    ] as const) {
      await withDir({ [name]: text }, async (dir) => {
        const error = await loadError(dir);
        assert.ok(error.details.length > 0);
        assert.doesNotMatch(visibleText(error), new RegExp(password), `${name}: ${visibleText(error)}`);
      });
    }
  });
});

describe('loadSettings: --config', () => {
  it('fails with a usage error when the named file does not exist', async () => {
    await withDir({ 'pgtwin.yaml': 'strict: true\n' }, async (dir) => {
      const error = await loadError(dir, { configPath: 'missing.yaml' });
      assert.ok(error instanceof ConfigError);
      assert.equal(error.exitCode, 2);
      assert.equal(error.message, 'Config file missing.yaml does not exist');
      assert.match(error.nextStep ?? '', /--config/);
    });
  });

  it('fails when --config names a directory', async () => {
    await withDir({}, async (dir) => {
      const error = await loadError(dir, { configPath: path.join(dir) });
      assert.match(error.message, /is a directory/);
    });
  });
});
