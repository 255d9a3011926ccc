import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectPii } from '../../src/anonymize/detect.js';
import { PgtwinError } from '../../src/errors.js';
import { proposeRules, starterConfig, type ScanResult, type ScannedColumn, type ScannedTable } from '../../src/scan/index.js';
import { load, withDir } from '../fixtures/config/temp-config.js';

function col(name: string, type: string, extra: { generated?: boolean } = {}): ScannedColumn {
  return {
    name,
    type,
    notNull: false,
    generated: extra.generated ?? false,
    findings: extra.generated === true ? [] : detectPii({ name, type, values: [] }),
  };
}

function table(name: string, columns: ScannedColumn[], uniques: string[][] = []): ScannedTable {
  return {
    schema: 'public',
    name,
    key: `public.${name}`,
    estimatedRows: 10,
    sampledRows: 10,
    problem: undefined,
    primaryKey: ['id'],
    uniqueKeys: [['id'], ...uniques],
    columns,
  };
}

const pub = (name: string) => ({ schema: 'public', name });
const fk = (from: string, column: string, to: string, referenced: string) => ({
  table: pub(from),
  columns: [column],
  referencedTable: pub(to),
  referencedColumns: [referenced],
});

const SCAN: ScanResult = {
  source: 'postgres://reader@db/app',
  sampleSize: 10,
  warnings: [],
  tables: [
    table(
      'customers',
      [
        col('id', 'integer'),
        col('email', 'text'),
        col('full_name', 'text'),
        col('notes', 'text'),
        col('created_at', 'timestamp with time zone'),
        col('search', 'text', { generated: true }),
        col('display_name', 'text'),
        col('short_email', 'character varying(8)'),
      ],
      [['display_name'], ['short_email']],
    ),
    table('orders', [
      col('id', 'integer'),
      col('customer_id', 'integer'),
      col('customer_email', 'text'),
      col('billing_phone', 'text'),
      col('backup_email', 'text'),
      col('contact_name', 'text'),
      col('total', 'numeric(10,2)'),
    ]),
  ],
  foreignKeys: [
    fk('orders', 'customer_id', 'customers', 'id'),
    fk('orders', 'customer_email', 'customers', 'email'),
    fk('orders', 'billing_phone', 'contacts', 'phone'),
    fk('orders', 'backup_email', 'customers', 'notes'),
    fk('orders', 'contact_name', 'customers', 'full_name'),
  ],
};

const EXISTING = {
  anonymize: new Map([['customers', new Map([['full_name', { strategy: 'first_name', options: {} }]])]]),
  keep: new Map([
    ['*', ['created_at']],
    ['customers', ['notes']],
  ]),
};

describe('proposeRules', () => {
  const proposal = proposeRules(SCAN, EXISTING);
  const decision = (t: string, c: string) => proposal.decisions.get(`public.${t}`)?.get(c);

  it('suggests rules for undecided PII columns under the existing key for the table, and keeps the rest', () => {
    assert.deepEqual(
      proposal.anonymize.get('customers')?.map((r) => [r.column, r.rule.strategy]),
      [
        ['email', 'email'],
        ['display_name', 'hash'],
        ['short_email', 'email'],
      ],
    );
    assert.deepEqual(proposal.keep.get('customers'), ['id']);
    assert.deepEqual(proposal.keep.get('public.orders'), ['id', 'customer_id', 'total']);
    assert.equal(decision('customers', 'full_name')?.kind, 'configured');
    assert.equal(decision('customers', 'notes')?.kind, 'kept');
    assert.equal(decision('customers', 'created_at')?.kind, 'kept', 'a glob keep counts');
    assert.equal(decision('customers', 'search')?.kind, 'generated');
  });

  it('picks the first rule that passes the plan checks on the column: an injective one on a unique column', () => {
    const d = decision('customers', 'display_name');
    assert.equal(d?.kind, 'suggested');
    assert.deepEqual(d?.kind === 'suggested' ? [d.rule, d.review] : [], [{ strategy: 'hash', options: {} }, []]);
    assert.match(
      proposal.anonymize.get('customers')?.[1]?.comment ?? '',
      /^name \(high\): column name `display_name` suggests a person's name$/,
    );
  });

  it('flags a suggestion that cannot work on its column, in the decision and the comment', () => {
    const d = decision('customers', 'short_email');
    assert.equal(d?.kind, 'suggested');
    assert.match(d?.kind === 'suggested' ? d.review.join() : '', /more than character varying\(8\) holds/);
    assert.match(
      proposal.anonymize.get('customers')?.[2]?.comment ?? '',
      /^email \(high\): column name `short_email` suggests an email address: REVIEW: masked addresses are 29 characters/,
    );
  });

  it('follows foreign keys: inherits, moves a rule to the referenced column, or leaves the decision to the user', () => {
    assert.deepEqual(decision('orders', 'contact_name'), {
      kind: 'inherited',
      rule: { strategy: 'first_name', options: {} },
      from: 'public.customers.full_name',
    });
    assert.equal(decision('orders', 'customer_email')?.kind, 'suggested', 'the same rule as the referenced column');
    const moved = proposal.anonymize.get('public.contacts')?.[0];
    assert.deepEqual([moved?.column, moved?.rule.strategy], ['phone', 'phone']);
    assert.match(moved?.comment ?? '', /referenced by public\.orders\.billing_phone, which looks like phone/);
    const undecided = decision('orders', 'backup_email');
    assert.equal(undecided?.kind, 'undecided');
    assert.ok(!(proposal.keep.get('public.orders') ?? []).includes('backup_email'));
    assert.deepEqual(proposal.notes, []);
  });
});

describe('starterConfig', () => {
  it('writes a URL with its password replaced by a variable, $ escaped, and the file loads', async () => {
    const starter = starterConfig({ from: 'postgres://reader:s3cr$t-pw@db.example.com:5432/sh$p', env: {} });
    assert.ok(!starter.text.includes('s3cr'), starter.text);
    assert.match(starter.text, /url: "postgres:\/\/reader:\$\{PRODUCTION_PASSWORD\}@db\.example\.com:5432\/sh\$\$p"/);
    assert.equal(starter.source?.variable, 'PRODUCTION_PASSWORD');
    assert.equal(starter.source?.connectUrl, 'postgres://reader:s3cr$t-pw@db.example.com:5432/sh$p');
    await withDir({ 'pgtwin.yaml': starter.text }, async (dir) => {
      const settings = await load(dir, { env: { PRODUCTION_PASSWORD: 'pw' } });
      assert.equal(settings.environments.get('production')?.url, 'postgres://reader:pw@db.example.com:5432/sh$p');
      assert.equal(settings.source, 'production');
      assert.equal(settings.target, 'local');
      assert.equal(settings.strict, true);
      assert.equal(settings.secretFile, undefined, 'secret_file stays commented out until a key exists');
    });
  });

  it('reads a named environment from <NAME>_DATABASE_URL, and a second URL becomes the twin', async () => {
    const starter = starterConfig({
      from: 'prod-eu',
      to: 'postgres://twin@localhost/twin',
      secretFileExists: true,
      env: { PROD_EU_DATABASE_URL: 'postgres://r@db/app' },
    });
    assert.equal(starter.source?.connectUrl, 'postgres://r@db/app');
    assert.equal(starter.target?.variable, undefined, 'no password, no variable');
    await withDir({ 'pgtwin.yaml': starter.text }, async (dir) => {
      const settings = await load(dir, { env: { PROD_EU_DATABASE_URL: 'postgres://r@db/app' } });
      assert.equal(settings.environments.get('prod-eu')?.url, 'postgres://r@db/app');
      assert.equal(settings.environments.get('twin')?.url, 'postgres://twin@localhost/twin');
      assert.equal(settings.target, 'twin');
      assert.match(settings.secretFile ?? '', /\.pgtwin\/secret\.key$/);
    });
  });

  it('loads without any flag, and refuses what it cannot write safely', async () => {
    await withDir({ 'pgtwin.yaml': starterConfig({ env: {} }).text }, async (dir) => {
      const settings = await load(dir);
      assert.equal(settings.source, undefined);
      assert.equal(settings.target, 'local');
    });
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        return error instanceof PgtwinError ? error.code : 'other';
      }
      return undefined;
    };
    assert.equal(
      code(() => starterConfig({ from: 'postgres://reader@db/app?password=hunter22', env: {} })),
      'URL_NOT_WRITABLE',
    );
    assert.equal(
      code(() => starterConfig({ from: 'local', env: {} })),
      'BAD_FLAGS',
    );
    assert.equal(
      code(() => starterConfig({ from: 'prod', to: 'prod', env: {} })),
      'BAD_FLAGS',
    );
    assert.equal(
      code(() => starterConfig({ from: 'mysql://x@y/z', env: {} })),
      'BAD_FLAGS',
    );
  });
});
