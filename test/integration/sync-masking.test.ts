import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';
import { compileMasks, MaskingKey } from '../../src/anonymize/index.js';

const SECRET = '2d5e3ef45c3bc99703a754c52aff49588e8091c0b9f2619903d43444c041e580';
const OTHER_SECRET = '9fbd3cf90a504935b613131b2c6d52e227eb64e561d0107676400f8b70ada4ea';

const CONFIG = `
strict: true
anonymize:
  customers:
    email: email
    phone: phone
    first_name: first_name
    last_name: { strategy: last_name }
  support_tickets:
    contact_email: email
    body: lorem
keep:
  customers: [id, created_at]
  orders: [id, amount]
  support_tickets: [id]
`;

describe('pgtwin sync with masking', () => {
  let dbs: TestDatabases;
  let dir: string;
  const sync = (extra: readonly string[] = [], secret: string | null = SECRET) =>
    pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', ...extra], {
      cwd: dir,
      env: secret === null ? {} : { PGTWIN_SECRET: secret },
    });

  before(async () => {
    dbs = await createTestDatabases('masking');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-mask-'));
    await writeFile(join(dir, 'pgtwin.yaml'), CONFIG);
    await onBoth(
      dbs,
      `CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, phone text, first_name text, last_name text NOT NULL, created_at timestamptz NOT NULL);
       CREATE TABLE orders (id bigint PRIMARY KEY, customer_email text NOT NULL REFERENCES customers (email), amount numeric(12,2));
       CREATE TABLE support_tickets (id bigint PRIMARY KEY, contact_email text, body text);`,
    );
    await dbs.source.query(
      `INSERT INTO customers SELECT g, 'person' || g || '@mail.example.net', CASE WHEN g % 7 = 0 THEN NULL ELSE '+1 (555) ' || lpad(g::text, 3, '0') || '-' || lpad((g * 37 % 10000)::text, 4, '0') END,
              'First' || g, 'Last' || g, timestamptz '2024-01-01 00:00:00.123456+00' + g * interval '1 minute'
       FROM generate_series(1, 400) g`,
    );
    await dbs.source.query(
      `INSERT INTO orders SELECT g, 'person' || (1 + g % 400) || '@mail.example.net', g * 1.5 FROM generate_series(1, 1500) g`,
    );
    await dbs.source.query(
      `INSERT INTO support_tickets SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'person' || (1 + g % 400) || '@mail.example.net' END, 'My card was charged twice, call me on 555-' || g FROM generate_series(1, 300) g`,
    );
  });
  after(async () => {
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('masks the configured columns, copies the rest exactly, and keeps foreign keys', async () => {
    // On worker threads here; the determinism test below masks on the copying thread and compares.
    const result = await sync(['--json', '--mask-workers', '2']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { tables: { table: string; rows: number; maskedColumns: string[] }[] };
    const masked = Object.fromEntries(report.tables.map((t) => [t.table, [...t.maskedColumns].sort()]));
    assert.deepEqual(masked, {
      'public.customers': ['email', 'first_name', 'last_name', 'phone'],
      // Inherited through the foreign key to customers.email.
      'public.orders': ['customer_email'],
      'public.support_tickets': ['body', 'contact_email'],
    });
    await assertTablesEqual(dbs, ['public.customers', 'public.orders', 'public.support_tickets'], {
      'public.customers': ['id', 'created_at'],
      'public.orders': ['id', 'amount'],
      'public.support_tickets': ['id'],
    });
    const fk = await dbs.target.query(`SELECT convalidated FROM pg_constraint WHERE contype = 'f' AND conrelid = 'orders'::regclass`);
    assert.deepEqual(fk.rows, [{ convalidated: true }], 'the foreign key on the masked column was restored and holds');
  });

  it('leaves no source value of a masked column in the target', async () => {
    const sourceValues = await dbs.source.query<{ v: string }>(
      `SELECT email AS v FROM customers UNION SELECT phone FROM customers WHERE phone IS NOT NULL UNION SELECT first_name FROM customers
       UNION SELECT last_name FROM customers UNION SELECT body FROM support_tickets`,
    );
    const values = sourceValues.rows.map((r) => r.v);
    const hits = await dbs.target.query(
      `SELECT count(*)::int AS n FROM (
         SELECT email AS v FROM customers UNION ALL SELECT phone FROM customers UNION ALL SELECT first_name FROM customers
         UNION ALL SELECT last_name FROM customers UNION ALL SELECT customer_email FROM orders
         UNION ALL SELECT contact_email FROM support_tickets UNION ALL SELECT body FROM support_tickets) t
       WHERE v = ANY($1)`,
      [values],
    );
    assert.equal(hits.rows[0].n, 0);
  });

  it('keeps NULLs, layouts, and joins between tables on masked values', async () => {
    const nulls = await dbs.target.query(
      `SELECT count(*) FILTER (WHERE phone IS NULL)::int AS phones, (SELECT count(*) FILTER (WHERE contact_email IS NULL)::int FROM support_tickets) AS emails FROM customers`,
    );
    assert.deepEqual(nulls.rows[0], { phones: 57, emails: 60 });
    const shapes = await dbs.target.query(
      `SELECT count(*)::int AS n FROM customers WHERE phone !~ '^\\+1 \\(\\d{3}\\) \\d{3}-\\d{4}$' OR email !~ '^[^@]+@[^@]+$'`,
    );
    assert.equal(shapes.rows[0].n, 0, 'masked phones keep their layout; emails stay addresses');
    const joins = `SELECT count(*)::int AS n FROM support_tickets t JOIN customers c ON c.email = t.contact_email`;
    const [source, target] = await Promise.all([dbs.source.query(joins), dbs.target.query(joins)]);
    assert.equal(target.rows[0].n, source.rows[0].n);
    assert.equal(target.rows[0].n, 240);
    const distinct = await dbs.target.query(`SELECT count(DISTINCT email)::int AS n FROM customers`);
    assert.equal(distinct.rows[0].n, 400, 'a unique masked column stays unique');
  });

  it('writes exactly what the engine computes for each source value (same key, same output)', async () => {
    const key = new MaskingKey(Buffer.from(SECRET, 'hex'));
    const masks = compileMasks(new Map([['email', { strategy: 'email', options: {} }]]), [{ name: 'email', type: 'text' }], {
      table: 'public.customers',
      key,
    });
    const mask = masks.get(0);
    assert.ok(mask !== undefined);
    const [source, target] = await Promise.all([
      dbs.source.query<{ id: string; email: string }>('SELECT id, email FROM customers ORDER BY id LIMIT 50'),
      dbs.target.query<{ id: string; email: string }>('SELECT id, email FROM customers ORDER BY id LIMIT 50'),
    ]);
    const row = { field: () => null };
    assert.deepEqual(
      target.rows.map((r) => r.email),
      source.rows.map((r) => mask(r.email, row)),
    );
  });

  it('is deterministic across runs and changes completely with another key', async () => {
    const everything = async (): Promise<unknown[]> =>
      Promise.all(
        ['customers', 'orders', 'support_tickets'].map(async (t) => (await dbs.target.query(`SELECT * FROM ${t} ORDER BY id`)).rows),
      );
    const before = await dbs.target.query<{ email: string; phone: string | null }>('SELECT email, phone FROM customers ORDER BY id');
    const beforeAll = await everything();
    // The first run masked on worker threads; this one on the copying thread: the same bytes.
    assert.equal((await sync(['--mask-workers', '0'])).code, 0);
    const again = await dbs.target.query<{ email: string; phone: string | null }>('SELECT email, phone FROM customers ORDER BY id');
    assert.deepEqual(again.rows, before.rows);
    assert.deepEqual(await everything(), beforeAll);
    const other = await sync([], OTHER_SECRET);
    assert.equal(other.code, 0, other.stderr);
    const changed = await dbs.target.query<{ email: string }>('SELECT email FROM customers ORDER BY id');
    const same = changed.rows.filter((r, i) => r.email === before.rows[i]?.email).length;
    assert.equal(same, 0);
    assert.ok(!other.stdout.includes(OTHER_SECRET) && !other.stderr.includes(OTHER_SECRET));
  });

  it('refuses to mask without a key, before touching the target', async () => {
    const count = async (): Promise<number> =>
      (await dbs.target.query<{ n: number }>('SELECT count(*)::int AS n FROM customers')).rows[0]?.n ?? -1;
    const rows = await count();
    const result = await sync([], null);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /no masking secret/);
    assert.match(result.stderr, /pgtwin keygen/);
    assert.equal(await count(), rows);
  });
});
