/**
 * Split tables and resume. A table above --split-tables-larger-than is copied
 * in chunks (integer key ranges, or ctid page ranges without one), all under
 * the run's one snapshot; each chunk commits with its record, so after a
 * kill -9 `--resume` copies only what did not commit, and every row arrives
 * exactly once. The table without a primary key is the duplicate detector.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin, spawnPgtwin } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';
import { loadSettings } from '../../src/config/index.js';
import { openClient } from '../../src/pg/connect.js';
import { ensureStateSchema, startRun } from '../../src/pg/state-schema.js';
import { toEndpoint } from '../../src/pg/endpoint.js';
import { planSync } from '../../src/sync/sync.js';
import { openSnapshotReader } from '../../src/snapshot/source-reader.js';
import { openTargetWriter } from '../../src/snapshot/target-writer.js';
import { REPLICA_MODE } from '../../src/pg/replica-session.js';
import { runCopyWorkers } from '../../src/snapshot/copy-workers.js';
import { exportSnapshot } from '../../src/snapshot/snapshot-session.js';
import type { Endpoints } from '../../src/pg/connect-endpoints.js';

const TABLES = ['public.keyed', 'public.heap'];

describe('split tables and --resume', () => {
  let dbs: TestDatabases;
  let dir: string;
  const split = ['--split-tables-larger-than', '64kB'];
  const chunksOf = async (table: string): Promise<number> =>
    (
      await dbs.target.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgtwin.run_chunks WHERE run_id = (SELECT max(id) FROM pgtwin.runs) AND table_name = $1`,
        [table],
      )
    ).rows[0]?.n ?? 0;

  before(async () => {
    dbs = await createTestDatabases('split');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-split-'));
    await onBoth(dbs, `CREATE TABLE keyed (id bigint PRIMARY KEY, payload text NOT NULL); CREATE TABLE heap (n int, payload text)`);
    // Keys with gaps and negatives, so ranges drawn from min/max are uneven.
    await dbs.source.query(`INSERT INTO keyed SELECT g * 7 - 50000, repeat(md5(g::text), 3) FROM generate_series(1, 40000) g`);
    await dbs.source.query(
      `INSERT INTO heap SELECT CASE WHEN g % 11 = 0 THEN NULL ELSE g % 1000 END, repeat(md5(g::text), 3) FROM generate_series(1, 40000) g`,
    );
    // Duplicates in the table without a key are data, and must stay exactly so many.
    await dbs.source.query(`INSERT INTO heap SELECT n, payload FROM heap WHERE n = 7`);
    await dbs.source.query('ANALYZE keyed; ANALYZE heap');
  });
  after(async () => {
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies key ranges and ctid page ranges in parallel chunks, complete and identical', async () => {
    const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--jobs', '3', ...split], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.ok((await chunksOf('public.keyed')) > 3, 'keyed was split');
    assert.ok((await chunksOf('public.heap')) > 3, 'heap was split');
    await assertTablesEqual(dbs, TABLES);
  });

  it('every chunk reads the one snapshot: rows committed on the source after it are not copied', async () => {
    const settings = await loadSettings({
      cwd: dir,
      env: {},
      overrides: { source: dbs.sourceUrl, target: dbs.targetUrl, splitTablesLargerThan: 64 * 1024, jobs: 2 },
    });
    const { plan } = await planSync({ settings, env: {} });
    const keyed = plan.tables.find((t) => t.key === 'public.keyed');
    assert.ok(keyed !== undefined && keyed.chunks.length > 2);
    const endpoints: Endpoints = {
      source: toEndpoint({ name: 's', url: dbs.sourceUrl }, 'source', {}),
      target: toEndpoint({ name: 't', url: dbs.targetUrl }, 'target', {}),
    };
    const holder = await openClient(endpoints.source, { readOnly: true });
    const control = await openClient(endpoints.target, { readOnly: false });
    try {
      const snapshotId = await exportSnapshot(holder);
      // After the snapshot: below the first key, above the last, and between them.
      await dbs.source.query(
        `INSERT INTO keyed VALUES (-999999, 'late'), (999999999, 'late'), (3, 'late'); INSERT INTO heap VALUES (-1, 'late')`,
      );
      await ensureStateSchema(control);
      const runId = await startRun(control, 'sync', 'test', TABLES);
      await dbs.target.query('TRUNCATE keyed, heap');
      const outcome = await runCopyWorkers({
        ends: {
          openReader: (stop) => openSnapshotReader(endpoints.source, snapshotId, stop),
          openWriter: (stop) => openTargetWriter(endpoints.target, { runId, writeMode: REPLICA_MODE }, stop),
        },
        tables: plan.tables,
        jobs: 2,
        signal: new AbortController().signal,
        observer: {},
        masksFor: () => new Map(),
      });
      assert.equal(outcome.error, undefined);
      const late = await dbs.target.query(
        `SELECT (SELECT count(*) FROM keyed WHERE payload = 'late')::int + (SELECT count(*) FROM heap WHERE n = -1)::int AS n`,
      );
      assert.equal(late.rows[0].n, 0);
      const counts = `SELECT (SELECT count(*) FROM keyed WHERE payload <> 'late')::int AS keyed, (SELECT count(*) FROM heap WHERE n IS DISTINCT FROM -1)::int AS heap`;
      const [source, target] = await Promise.all([dbs.source.query(counts), dbs.target.query(counts)]);
      assert.deepEqual(target.rows[0], source.rows[0]);
      assert.equal(target.rows[0].keyed, 40000);
    } finally {
      await holder.end();
      await control.end();
      await dbs.source.query(`DELETE FROM keyed WHERE payload = 'late'; DELETE FROM heap WHERE n = -1`);
    }
  });

  it('kill -9 at random points, then --resume: identical to the source, no duplicates', async () => {
    const delays = [0, 150, 400, 800];
    const partial: string[] = [];
    for (const delay of delays) {
      const child = spawnPgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--jobs', '2', ...split], { cwd: dir });
      await child.waitFor(/copying 2 tables/).catch(() => undefined);
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      const killed = await child.done;
      let resumed = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--resume', '--jobs', '2', ...split], {
        cwd: dir,
      });
      if (resumed.code === 2 && /nothing to resume/.test(resumed.stderr)) {
        // Killed before the truncation committed (or after the run completed): a plain sync is the way on.
        assert.match(
          resumed.stderr,
          /stopped before it changed any table|completed; there is nothing to resume/,
          `${killed.stderr}\n${resumed.stderr}`,
        );
        resumed = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', ...split], { cwd: dir });
      }
      assert.equal(resumed.code, 0, `after kill at ${delay} ms: ${resumed.stderr}`);
      const left = /resuming run \d+: (\d+) of (\d+) chunks left/.exec(resumed.stderr);
      if (left !== null && Number(left[1]) > 0 && Number(left[1]) < Number(left[2])) partial.push(left[0]);
      await assertTablesEqual(dbs, TABLES);
      const runs = await dbs.target.query(`SELECT status FROM pgtwin.runs ORDER BY id DESC LIMIT 1`);
      assert.equal(runs.rows[0].status, 'succeeded');
    }
    assert.ok(partial.length > 0, 'at least one kill landed between chunks, so a resume copied only the rest');
  });

  it('refuses to resume with another selection, naming the difference', async () => {
    const child = spawnPgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--jobs', '1', ...split], { cwd: dir });
    await child.waitFor(/public\.keyed: /);
    child.kill('SIGKILL');
    await child.done;
    const other = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--resume', '--tables', 'keyed', ...split], {
      cwd: dir,
    });
    if (other.code === 2 && /nothing to resume/.test(other.stderr)) return; // the run finished before the kill landed
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, /cannot be resumed with this configuration/);
    assert.match(other.stderr, /public\.heap was part of run \d+ but is not selected now/);
    const finish = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--resume', ...split], { cwd: dir });
    assert.equal(finish.code, 0, finish.stderr);
    await assertTablesEqual(dbs, TABLES);
  });
});
