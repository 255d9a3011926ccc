/**
 * Confiture configs read unchanged where their meaning is clear:
 * confiture.yaml environments (`database:` as parts or a URL), SyncConfig's
 * `parallelism`, `verbose`, `checkpoint_file`, `batch_size` with a stated
 * meaning, and a key in the wrong section pointed at its place.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { KEY_SECTIONS } from '../../src/config/key-sections.js';
import { load, loadError, visibleText, withDir } from '../fixtures/config/temp-config.js';

// confiture-api-reference.md, "Configuration" (verbatim).
const CONFITURE_YAML = `# confiture.yaml
version: 1

environments:
  local:
    database:
      host: localhost
      port: 5432
      database: myapp_local
      user: postgres
      password: postgres

    schema_dirs:
      - db/schema

    seed_dirs:
      - db/seeds/common
      - db/seeds/development

  production:
    database:
      url: \${DATABASE_URL}  # Environment variable

    schema_dirs:
      - db/schema
`;

describe('Confiture: confiture.yaml environments', () => {
  it('reads `database:` parts and `database: {url}` into environment URLs', async () => {
    await withDir({ 'confiture.yaml': CONFITURE_YAML }, async (dir) => {
      const settings = await load(dir, { configPath: 'confiture.yaml', env: { DATABASE_URL: 'postgresql://app:pw@prod.example.com/app' } });
      assert.equal(settings.environments.get('local')?.url, 'postgresql://postgres:postgres@localhost:5432/myapp_local');
      assert.equal(settings.environments.get('production')?.url, 'postgresql://app:pw@prod.example.com/app');
      // schema_dirs / seed_dirs belong to Confiture's build and migrate: said, not silently dropped.
      assert.equal(settings.warnings.length, 3);
      for (const warning of settings.warnings) assert.match(warning, /(schema|seed)_dirs: ignored: Confiture's build and migrate read it/);
    });
  });

  it('percent-encodes the parts, takes a socket directory and an IPv6 host, never shows the password', async () => {
    const yaml = `environments:
  a: { database: { host: /var/run/postgresql, database: "my db", user: "me@corp", password: "p@ss/w:rd" } }
  b: { database: { host: "::1", port: 6543, database: app, sslmode: require } }
`;
    await withDir({ 'pgtwin.yaml': yaml }, async (dir) => {
      const settings = await load(dir);
      assert.equal(settings.environments.get('a')?.url, 'postgresql://me%40corp:p%40ss%2Fw%3Ard@/my%20db?host=%2Fvar%2Frun%2Fpostgresql');
      assert.equal(settings.environments.get('b')?.url, 'postgresql://[::1]:6543/app?sslmode=require');
    });
    const bad = `environments:
  a: { database: { url: "postgres://x:topsecret@h/d", user: me } }
  b: { database: { host: h, databse: app, password: topsecret } }
  c: { url: "postgres://h/d", database: { database: d } }
`;
    await withDir({ 'pgtwin.yaml': bad }, async (dir) => {
      const text = visibleText(await loadError(dir));
      assert.match(text, /environments\.a\.database: give either `url` or the parts \(`user`\), not both/);
      assert.match(text, /environments\.b\.database\.databse: unknown key \(did you mean `database`\?\)/);
      assert.match(text, /environments\.b\.database: missing `database` \(the database name\) or `url`/);
      assert.match(text, /environments\.c\.database: give either `url` or `database`, not both/);
      assert.doesNotMatch(text, /topsecret/);
    });
  });

  it('refuses a version other than 1', async () => {
    await withDir({ 'pgtwin.yaml': 'version: 2\n' }, async (dir) => {
      assert.match(visibleText(await loadError(dir)), /version: expected 1/);
    });
  });
});

describe('Confiture: SyncConfig keys', () => {
  it('reads parallelism as jobs, verbose, and checkpoint_file relative to the file', async () => {
    const yaml = 'parallelism: 4\nverbose: true\ncheckpoint_file: tmp/sync_checkpoint.json\nbatch_size: 2000\n';
    await withDir({ 'pgtwin.yaml': yaml }, async (dir) => {
      const settings = await load(dir);
      assert.equal(settings.options.jobs, 4);
      assert.equal(settings.options.verbose, true);
      assert.equal(settings.options.checkpointFile, path.join(dir, 'tmp', 'sync_checkpoint.json'));
      assert.equal(settings.options.batchSize, 2000);
      const notes = (settings.notes ?? []).join('\n');
      assert.match(
        notes,
        /batch_size 2000: `follow` applies at most 2000 changes in one target transaction; `sync` copies each table .* with one COPY stream/,
      );
      assert.match(notes, /verbose: `sync` writes one line per table and phase/);
    });
  });

  it('takes options.verbose and options.checkpoint_file too, once', async () => {
    await withDir(
      { 'pgtwin.yaml': 'options: { verbose: true, checkpoint_file: c.json }\nverbose: false\nparallel: 2\nparallelism: 3\n' },
      async (dir) => {
        const text = visibleText(await loadError(dir));
        assert.match(text, /verbose: sets the same thing as `options\.verbose`/);
        assert.match(text, /parallelism: sets the same thing as `parallel`/);
      },
    );
  });

  it('the command line wins: --checkpoint and --verbose', async () => {
    await withDir({ 'pgtwin.yaml': 'checkpoint_file: a.json\n' }, async (dir) => {
      const settings = await load(dir, { overrides: { checkpointFile: '/elsewhere/b.json', verbose: true } });
      assert.equal(settings.options.checkpointFile, '/elsewhere/b.json');
      assert.equal(settings.options.verbose, true);
    });
  });
});

describe('a key in the wrong section', () => {
  it('is pointed at the section it belongs to', async () => {
    const yaml =
      'jobs: 4\ninclude: [users]\ntables:\n  cascade: true\noptions:\n  where: "id > 1"\n  strict: true\nenvironments:\n  prod:\n    url: "postgres://h/d"\n    host: h\njob: 2\n';
    await withDir({ 'pgtwin.yaml': yaml }, async (dir) => {
      const error = await loadError(dir);
      assert.deepEqual(error.details, [
        'pgtwin.yaml:1:1: jobs: unknown key (did you mean `options.jobs`?)',
        'pgtwin.yaml:2:1: include: unknown key (did you mean `tables.include`?)',
        'pgtwin.yaml:4:3: tables.cascade: unknown key (did you mean `options.cascade`?)',
        'pgtwin.yaml:6:3: options.where: unknown key (did you mean `tables.filters.<table>.where`?)',
        'pgtwin.yaml:7:3: options.strict: unknown key (did you mean `strict`?)',
        'pgtwin.yaml:11:5: environments.prod.host: unknown key (did you mean `environments.<name>.database.host`?)',
        'pgtwin.yaml:12:1: job: unknown key (did you mean `options.jobs`?)',
      ]);
    });
  });

  it('lists only keys that are accepted where they are listed', async () => {
    // A value of the right shape for each key, so only an unknown key can fail.
    const sample: Record<string, string> = {
      environments: '{}',
      source: 'a',
      target: 'b',
      tables: '[]',
      anonymize: '{}',
      keep: '{}',
      strict: 'true',
      strategies: 'm.js',
      secret_file: 's',
      archive: 'backups',
      location: 'backups',
      new_base_after: '7d',
      options: '{}',
      source_url: 'postgres://h/d',
      target_url: 'postgres://h/e',
      batch_size: '1',
      show_progress: 'true',
      parallel: '1',
      parallelism: '1',
      verbose: 'true',
      anonymization: '{}',
      checkpoint_file: 'c.json',
      version: '1',
      jobs: '1',
      allow_remote_target: 'true',
      cascade: 'true',
      mask_workers: '1',
      split_tables_larger_than: '1MB',
      include: '[a]',
      exclude: '[b]',
      filters: '{}',
      where: 'x',
      limit: '1',
      url: 'postgres://h/d',
      database: '{ database: d }',
      embedded: 'false',
      port: '1',
      data_dir: 'd',
      schema_dirs: '[]',
      seed_dirs: '[]',
      host: 'h',
      user: 'u',
      password: 'p',
      sslmode: 'require',
    };
    const wrap = (label: string, body: string): string => {
      if (label === '') return body;
      if (label === 'tables.filters.<table>') return `tables: { filters: { t: ${body} } }`;
      if (label === 'environments.<name>') return `environments: { e: ${body} }`;
      if (label === 'environments.<name>.database') return `environments: { e: { database: ${body} } }`;
      return `${label}: ${body}`;
    };
    for (const section of KEY_SECTIONS) {
      for (const key of section.keys) {
        const value = section.label === 'environments.<name>.database' && key === 'database' ? 'd' : (sample[key] ?? '');
        let body = section.label === '' ? `${key}: ${value}\n` : `{ ${key}: ${value} }`;
        // An environment needs its server, and port/version only go with an embedded one.
        if (section.label === 'environments.<name>' && ['embedded', 'port', 'data_dir', 'version'].includes(key))
          body = `{ embedded: true, ${key === 'embedded' ? '' : `${key}: ${value}`} }`;
        else if (section.label === 'environments.<name>' && key !== 'url' && key !== 'database')
          body = `{ url: "postgres://h/d", ${key}: ${value} }`;
        if (section.label === 'environments.<name>.database' && key !== 'database' && key !== 'url')
          body = `{ database: d, ${key}: ${value} }`;
        await withDir({ 'pgtwin.yaml': `${wrap(section.label, body)}\n` }, async (dir) => {
          try {
            await load(dir);
          } catch (error) {
            assert.fail(`${section.label || '(top)'}.${key}: ${error instanceof Error ? visibleText(error as never) : String(error)}`);
          }
        });
      }
    }
  });
});

describe('Confiture rules written in YAML', () => {
  it('a bare `null` (no value in YAML) is refused with the way to write the `null` strategy', async () => {
    await withDir({ 'pgtwin.yaml': 'anonymize:\n  users:\n    password_hash: null\n' }, async (dir) => {
      assert.match(
        visibleText(await loadError(dir)),
        /anonymize\.users\.password_hash: expected a strategy name .*, got an empty value \(for the `null` strategy, quote it: "null"\)/,
      );
    });
  });
});
