import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin, spawnPgtwin } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';
import { runSync } from '../../src/sync/sync.js';
import { loadSettings } from '../../src/config/index.js';
import { tableChecksum } from '../../src/verify/table-checksum.js';

// A where clause that sleeps per row turns a small table into a slow copy,
// so a test can act while the copy is in flight.
const SLOW_FILTER = 'pg_sleep(0.001) IS NOT NULL';

describe('pgtwin sync: one instant of the source, and interruption', () => {
  let dbs: TestDatabases;
  let dir: string;
  before(async () => {
    dbs = await createTestDatabases('snapshot');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-snapshot-'));
    await writeFile(join(dir, 'pgtwin.yaml'), `tables:\n  filters:\n    slow: { where: "${SLOW_FILTER}" }\noptions:\n  jobs: 1\n`);
    await onBoth(dbs, `CREATE TABLE slow (id int PRIMARY KEY, payload text); CREATE TABLE fast (id int PRIMARY KEY, payload text);`);
    await dbs.source.query(
      `INSERT INTO slow SELECT g, repeat('p', 200) FROM generate_series(1, 2500) g; INSERT INTO fast SELECT g, 'f' FROM generate_series(1, 100) g`,
    );
  });
  after(async () => dbs.drop());

  it('writes made on the source during the sync do not reach the target', async () => {
    const expectedSlow = await tableChecksum(dbs.source, { schema: 'public', name: 'slow' }, ['id', 'payload']);
    const expectedFast = await tableChecksum(dbs.source, { schema: 'public', name: 'fast' }, ['id', 'payload']);
    const settings = await loadSettings({ cwd: dir, env: {}, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
    let writes: Promise<unknown> | undefined;
    const report = await runSync({
      settings,
      env: {},
      confirm: async () => true,
      observer: {
        tableStarted: (table) => {
          // The slow table is copied first (largest); the fast one only after these writes committed.
          if (table.key === 'public.slow') {
            writes = dbs.source.query(
              `BEGIN; INSERT INTO fast SELECT g, 'new' FROM generate_series(101, 150) g; UPDATE slow SET payload = 'changed' WHERE id <= 100; DELETE FROM fast WHERE id <= 10; COMMIT;`,
            );
          }
        },
      },
    });
    await writes;
    assert.deepEqual(
      report.tables.map((t) => t.table),
      ['public.slow', 'public.fast'],
    );
    assert.deepEqual(await tableChecksum(dbs.target, { schema: 'public', name: 'slow' }, ['id', 'payload']), expectedSlow);
    assert.deepEqual(await tableChecksum(dbs.target, { schema: 'public', name: 'fast' }, ['id', 'payload']), expectedFast);
    const changed = await tableChecksum(dbs.source, { schema: 'public', name: 'fast' }, ['id', 'payload']);
    assert.notDeepEqual(changed, expectedFast, 'the source really changed during the sync');
  });

  /** Resolves once a worker's COPY of the slow table is running on the source (polled, no fixed wait). */
  async function copyUnderWay(): Promise<void> {
    for (;;) {
      const r = await dbs.source.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pgtwin worker' AND query LIKE 'COPY%slow%' AND state = 'active'`,
      );
      if ((r.rows[0].n as number) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('SIGINT stops cleanly with exit 130 and says how to resume; a rerun completes', async () => {
    const child = spawnPgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes'], { cwd: dir });
    await child.waitFor(/copying 2 tables/);
    await copyUnderWay();
    child.kill('SIGINT');
    const result = await child.done;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /interrupted/);
    assert.match(result.stderr, /empty or rolled back: public\.slow/);
    assert.match(result.stderr, /next: Run the same command with --resume to copy only what is missing/);
    const slow = await dbs.target.query('SELECT count(*)::int AS n FROM slow');
    assert.equal(slow.rows[0].n, 0, 'the table being copied was rolled back, not half-loaded');
    const run = await dbs.target.query(`SELECT status FROM pgtwin.runs ORDER BY id DESC LIMIT 1`);
    assert.equal(run.rows[0].status, 'interrupted');

    const rerun = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--resume'], { cwd: dir });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stderr, /resuming run \d+/);
    await assertTablesEqual(dbs, ['public.slow', 'public.fast']);
    const again = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--resume'], { cwd: dir });
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /completed; there is nothing to resume/);
  });

  it('a worker whose source session is killed mid-copy copies the table again under the same snapshot', async () => {
    const settings = await loadSettings({ cwd: dir, env: {}, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
    const expected = await tableChecksum(dbs.source, { schema: 'public', name: 'slow' }, ['id', 'payload']);
    const warnings: string[] = [];
    let killed = 0;
    const report = await runSync({
      settings,
      env: {},
      confirm: async () => true,
      observer: {
        warning: (m) => warnings.push(m),
        tableStarted: (table) => {
          if (table.key !== 'public.slow' || killed > 0) return;
          killed = -1;
          void copyUnderWay()
            .then(() =>
              dbs.source.query(
                `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'pgtwin worker' AND query LIKE 'COPY%'`,
              ),
            )
            .then((r) => (killed = r.rows[0].n as number));
        },
      },
    });
    assert.equal(killed, 1, 'one COPY session was terminated');
    assert.ok(
      warnings.some((w) => /public\.slow: .*terminat.*copying it again/.test(w)),
      warnings.join('\n'),
    );
    assert.equal(report.tables.find((t) => t.table === 'public.slow')?.rows, 2500);
    assert.deepEqual(await tableChecksum(dbs.target, { schema: 'public', name: 'slow' }, ['id', 'payload']), expected);
  });
});
