import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { Settings } from '../../src/config/index.js';
import { FIXTURES, load, loadError, withDir } from '../fixtures/config/temp-config.js';

const fixture = (name: string): Promise<string> => readFile(path.join(FIXTURES, name), 'utf8');
const PROD_URL = 'postgres://reader:s3cr3t-pw@prod.example.com:5432/app';

/** Settings without the fields that legitimately differ between two files. */
function comparable(settings: Settings): Omit<Settings, 'configPath' | 'warnings'> {
  const { configPath: _configPath, warnings: _warnings, ...rest } = settings;
  return rest;
}

describe('loadSettings: pgtwin shape', () => {
  it('reads a full YAML file into Settings', async () => {
    await withDir({ 'pgtwin.yaml': await fixture('full.yaml') }, async (dir) => {
      const settings = await load(dir, { env: { PROD_URL } });
      assert.equal(settings.configPath, path.join(dir, 'pgtwin.yaml'));
      assert.deepEqual(settings.environments.get('production'), { name: 'production', url: PROD_URL });
      assert.equal(settings.source, 'production');
      assert.equal(settings.target, 'staging');
      assert.deepEqual(settings.tables.include, ['public.*', 'billing.invoices']);
      assert.deepEqual(settings.tables.exclude, ['*_log']);
      assert.deepEqual(settings.tables.filters.get('public.orders'), {
        where: "created_at > now() - interval '90 days'",
        limit: 100000,
      });
      assert.deepEqual(settings.tables.filters.get('audit_events'), { where: undefined, limit: 0 });
      assert.deepEqual(settings.anonymize.get('users')?.get('phone'), { strategy: 'phone', options: { keep_country: true } });
      assert.deepEqual(settings.anonymize.get('users')?.get('email'), { strategy: 'email', options: {} });
      // `$$` is a literal dollar.
      assert.deepEqual(settings.anonymize.get('billing.*')?.get('iban')?.options, { replacement: '$REDACTED' });
      assert.deepEqual(settings.keep.get('users'), ['id', 'created_at']);
      assert.equal(settings.strict, true);
      assert.equal(settings.strategiesModule, path.join(dir, 'masks.ts'));
      assert.equal(settings.secretFile, path.join(dir, 'secret.key'));
      assert.deepEqual(settings.options, {
        jobs: 4,
        splitTablesLargerThan: 256 * 1024 * 1024,
        maskWorkers: 0,
        batchSize: 5000,
        allowRemoteTarget: false,
        showProgress: true,
        cascade: false,
        checkpointFile: undefined,
        verbose: undefined,
      });
      assert.deepEqual(settings.warnings, []);
    });
  });

  it('gives equal Settings for the same config in YAML and TOML', async () => {
    const env = { PROD_URL };
    const fromYaml = await withDir({ 'pgtwin.yaml': await fixture('full.yaml') }, (dir) => load(dir, { env }));
    const fromToml = await withDir({ 'pgtwin.toml': await fixture('full.toml') }, (dir) => load(dir, { env }));
    // strategiesModule/secretFile are absolute paths in different temp dirs; compare their names.
    assert.equal(path.basename(fromYaml.strategiesModule ?? ''), path.basename(fromToml.strategiesModule ?? ''));
    assert.deepEqual(
      { ...comparable(fromYaml), strategiesModule: '', secretFile: '' },
      { ...comparable(fromToml), strategiesModule: '', secretFile: '' },
    );
  });

  it('uses defaults when there is no config file', async () => {
    await withDir({}, async (dir) => {
      const settings = await load(dir);
      assert.equal(settings.configPath, undefined);
      assert.equal(settings.source, undefined);
      assert.equal(settings.target, undefined);
      assert.deepEqual(settings.tables.include, []);
      assert.deepEqual(settings.tables.exclude, []);
      assert.equal(settings.tables.filters.size, 0);
      assert.equal(settings.anonymize.size, 0);
      assert.equal(settings.strict, false);
      assert.deepEqual(settings.options, {
        jobs: undefined,
        splitTablesLargerThan: 256 * 1024 * 1024,
        maskWorkers: undefined,
        batchSize: 10000,
        allowRemoteTarget: false,
        showProgress: undefined,
        cascade: false,
        checkpointFile: undefined,
        verbose: undefined,
      });
    });
  });

  it('treats an empty file as an empty config', async () => {
    await withDir({ 'pgtwin.yaml': '# nothing yet\n' }, async (dir) => {
      const settings = await load(dir);
      assert.equal(settings.configPath, path.join(dir, 'pgtwin.yaml'));
      assert.equal(settings.options.batchSize, 10000);
    });
  });

  it('prefers pgtwin.yaml over pgtwin.yml and pgtwin.toml, with a warning', async () => {
    await withDir({ 'pgtwin.yml': 'strict: true\n', 'pgtwin.toml': 'strict = false\n' }, async (dir) => {
      const settings = await load(dir);
      assert.equal(settings.configPath, path.join(dir, 'pgtwin.yml'));
      assert.equal(settings.strict, true);
      assert.equal(settings.warnings.length, 1);
      assert.match(settings.warnings[0] ?? '', /pgtwin\.toml is ignored/);
    });
  });

  it('reads the file named by --config, resolving paths against its directory', async () => {
    await withDir({ 'custom.toml': 'strategies = "lib/masks.js"\n' }, async (dir) => {
      const settings = await load('/', { configPath: path.join(dir, 'custom.toml') });
      assert.equal(settings.strategiesModule, path.join(dir, 'lib', 'masks.js'));
    });
  });
});

describe('loadSettings: Confiture dict shape', () => {
  it('maps tables list, list-form rules, top-level options and *_url aliases', async () => {
    await withDir({ 'pgtwin.yaml': await fixture('confiture.yaml') }, async (dir) => {
      const settings = await load(dir, { env: { PROD_PASSWORD: 'pw' } });
      assert.deepEqual(settings.tables.include, ['users', 'orders']);
      assert.deepEqual(settings.anonymize.get('users')?.get('ssn'), { strategy: 'redact', options: {} });
      assert.deepEqual(settings.anonymize.get('orders')?.get('billing_address'), {
        strategy: 'redact',
        options: { replacement: '[REDACTED]' },
      });
      assert.equal(settings.source, 'postgresql://reader:pw@prod.example.com/app');
      assert.equal(settings.target, 'postgresql://localhost/app_dev');
      assert.equal(settings.options.batchSize, 5000);
      assert.equal(settings.options.showProgress, true);
      assert.equal(settings.options.jobs, 3);
      assert.deepEqual(settings.warnings, []);
      // checkpoint_file marks a run in progress (resumed while it exists), relative to the file.
      assert.equal(settings.options.checkpointFile, path.join(dir, '.confiture_checkpoint.json'));
      assert.match((settings.notes ?? []).join('\n'), /batch_size 5000: `follow` applies at most 5000 changes in one target transaction/);
      assert.match((settings.notes ?? []).join('\n'), /checkpoint_file .*while it exists, `sync` resumes that run/);
    });
  });

  it('reads parallel: true as one job per CPU and parallel: false as one job', async () => {
    for (const [text, jobs] of [
      ['parallel: true\n', undefined],
      ['parallel: false\n', 1],
    ] as const) {
      await withDir({ 'pgtwin.yaml': text }, async (dir) => {
        assert.equal((await load(dir)).options.jobs, jobs);
      });
    }
  });

  it('accepts the SyncConfig field name `anonymization`', async () => {
    await withDir({ 'pgtwin.yaml': 'anonymization: { users: { email: email } }\n' }, async (dir) => {
      assert.equal((await load(dir)).anonymize.get('users')?.get('email')?.strategy, 'email');
    });
  });
});

describe('loadSettings: ${VAR} expansion', () => {
  it('expands variables and defaults in every string value', async () => {
    const yaml = [
      'environments:',
      '  prod: { url: "postgres://${DB_USER}:${DB_PASS}@${DB_HOST:-localhost}/app" }',
      'tables: { include: ["${SCHEMA:-public}.*"] }',
      'options: { jobs: "${JOBS:-2}", show_progress: "${PROGRESS}" }',
      'anonymize: { users: { note: { strategy: "${NOTE_STRATEGY:-redact}", price: "$$5 or $5" } } }',
      '',
    ].join('\n');
    await withDir({ 'pgtwin.yaml': yaml }, async (dir) => {
      const settings = await load(dir, { env: { DB_USER: 'u', DB_PASS: 'p', SCHEMA: '', PROGRESS: 'false' } });
      assert.equal(settings.environments.get('prod')?.url, 'postgres://u:p@localhost/app');
      // `:-` also applies when the variable is set but empty (shell semantics).
      assert.deepEqual(settings.tables.include, ['public.*']);
      // Substituted strings may stand for integers and booleans.
      assert.equal(settings.options.jobs, 2);
      assert.equal(settings.options.showProgress, false);
      assert.deepEqual(settings.anonymize.get('users')?.get('note'), { strategy: 'redact', options: { price: '$5 or $5' } });
    });
  });

  it('reports a missing variable with its name and the key path', async () => {
    await withDir({ 'pgtwin.yaml': 'environments:\n  production:\n    url: "${PROD_URL}"\n' }, async (dir) => {
      const error = await loadError(dir);
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.deepEqual(error.details, [
        'pgtwin.yaml:3:10: environments.production.url: environment variable `PROD_URL` is not set (set it, or give a default: ${PROD_URL:-value})',
      ]);
    });
  });

  it('does not read a literal string as a number', async () => {
    await withDir({ 'pgtwin.yaml': 'options: { jobs: "4" }\n' }, async (dir) => {
      const error = await loadError(dir);
      assert.deepEqual(error.details, ['pgtwin.yaml:1:18: options.jobs: expected a positive integer, got a string']);
    });
  });
});

describe('loadSettings: precedence flags > env > file', () => {
  const file = [
    'environments:',
    '  production: { url: "postgres://app@prod/app" }',
    '  staging: { url: "postgres://app@staging/app" }',
    'source: production',
    'target: staging',
    'tables: { include: [a], exclude: [b] }',
    'options: { jobs: 2, allow_remote_target: false, cascade: false }',
    '',
  ].join('\n');
  const ENV = { PGTWIN_SOURCE_URL: 'postgres://env-source/app', PGTWIN_TARGET_URL: 'postgres://env-target/app' };

  it('takes the file when nothing overrides it', async () => {
    await withDir({ 'pgtwin.yaml': file }, async (dir) => {
      const settings = await load(dir);
      assert.equal(settings.source, 'production');
      assert.equal(settings.target, 'staging');
    });
  });

  it('lets PGTWIN_SOURCE_URL / PGTWIN_TARGET_URL override the file (empty means unset)', async () => {
    await withDir({ 'pgtwin.yaml': file }, async (dir) => {
      const settings = await load(dir, { env: ENV });
      assert.equal(settings.source, ENV.PGTWIN_SOURCE_URL);
      assert.equal(settings.target, ENV.PGTWIN_TARGET_URL);
      const empty = await load(dir, { env: { PGTWIN_SOURCE_URL: '' } });
      assert.equal(empty.source, 'production');
    });
  });

  it('lets flags override both', async () => {
    await withDir({ 'pgtwin.yaml': file }, async (dir) => {
      const settings = await load(dir, {
        env: ENV,
        overrides: {
          source: 'staging',
          target: 'postgres://flag/app',
          include: ['c'],
          exclude: [],
          jobs: 8,
          allowRemoteTarget: true,
          cascade: true,
        },
      });
      assert.equal(settings.source, 'staging');
      assert.equal(settings.target, 'postgres://flag/app');
      assert.deepEqual(settings.tables.include, ['c']);
      assert.deepEqual(settings.tables.exclude, []);
      assert.equal(settings.options.jobs, 8);
      assert.equal(settings.options.allowRemoteTarget, true);
      assert.equal(settings.options.cascade, true);
    });
  });
});
