import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { loadSettings } from '../../src/config/index.js';
import { planSync } from '../../src/sync/sync.js';
import { readCatalog } from '../../src/catalog/read-catalog.js';

/** Every statement sent by any client while `fn` runs, with the server and database it went to. */
async function recordQueries(fn: () => Promise<unknown>): Promise<Array<{ endpoint: string; text: string }>> {
  const sent: Array<{ endpoint: string; text: string }> = [];
  const original = pg.Client.prototype.query;
  const patched = function (this: pg.Client, ...args: unknown[]): unknown {
    const first = args[0];
    const text =
      typeof first === 'string' ? first : typeof first === 'object' && first !== null && 'text' in first ? String(first.text) : '';
    sent.push({ endpoint: `${this.port}/${this.database ?? ''}`, text });
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  pg.Client.prototype.query = patched as typeof original;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent;
}

describe('catalog reads', () => {
  let dbs: TestDatabases;
  before(async () => {
    dbs = await createTestDatabases('catalogreads');
    await onBoth(
      dbs,
      `CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);
       CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), total numeric(12,2));`,
    );
    await dbs.source.query(`INSERT INTO users (email) SELECT 'user' || g || '@example.org' FROM generate_series(1, 50) g`);
  });
  after(async () => dbs.drop());

  it('a sync plan reads each endpoint catalog once', async () => {
    const settings = await loadSettings({ cwd: process.cwd(), env: {}, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
    const sent = await recordQueries(() => planSync({ settings, env: {} }, true));
    // Every catalog read lists the columns of the user relations from pg_attribute.
    const columnReads = (endpoint: string): number =>
      sent.filter((q) => q.endpoint === endpoint && /FROM pg_attribute a\b/.test(q.text)).length;
    const endpoint = (url: string): string => `${new URL(url).port}${new URL(url).pathname}`;
    assert.equal(columnReads(endpoint(dbs.sourceUrl)), 1, 'source catalog read once');
    assert.equal(columnReads(endpoint(dbs.targetUrl)), 1, 'target catalog read once');
  });

  it('reads a whole catalog in four round trips, however many kinds of object it holds', async () => {
    const sent = await recordQueries(() => readCatalog(dbs.source, 'all'));
    assert.deepEqual(
      sent.map((q) => q.text.split(/\s+/)[0]),
      ['BEGIN', 'SELECT', 'SELECT', 'COMMIT'],
    );
    const catalog = await readCatalog(dbs.source, 'all');
    assert.deepEqual([...catalog.tables.keys()], ['public.orders', 'public.users']);
    assert.deepEqual([...catalog.objects.tables.values()].map((t) => t.name).sort(), ['orders', 'users']);
  });
});
