/**
 * A slow target must slow the source down, not fill pgtwin's memory. The
 * target table has a statement trigger that sleeps before COPY reads a row,
 * so for seconds the target accepts nothing while the source could send the
 * whole table; the Buffers pgtwin holds must stay far below the table's size.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { assertTablesEqual } from '../support/compare.js';
import { loadSettings } from '../../src/config/index.js';
import { runSync } from '../../src/sync/sync.js';

// What pgtwin holds is what stays reachable: Buffers already let go of but not
// yet collected made the plain reading swing between 0 and 19 MB run to run.
setFlagsFromString('--expose_gc');
const collectGarbage = runInNewContext('gc') as () => void;

const ROWS = 12_000;
const ROW_BYTES = 4_000;

describe('backpressure', () => {
  let dbs: TestDatabases;
  before(async () => {
    dbs = await createTestDatabases('backpressure');
    await onBoth(dbs, `CREATE TABLE wide (id int PRIMARY KEY, payload text NOT NULL)`);
    // Random text does not compress, so the source really ships ROWS * ROW_BYTES bytes.
    await dbs.source.query(
      `INSERT INTO wide SELECT g, (SELECT string_agg(md5(random()::text || g || i), '') FROM generate_series(1, ${ROW_BYTES / 32}) i) FROM generate_series(1, ${ROWS}) g`,
    );
    await dbs.target
      .query(`CREATE FUNCTION slow_start() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$;
      CREATE TRIGGER slow_start BEFORE INSERT ON wide FOR EACH STATEMENT EXECUTE FUNCTION slow_start();
      -- The load runs with session_replication_role = replica: only an ALWAYS trigger still stalls it.
      ALTER TABLE wide ENABLE ALWAYS TRIGGER slow_start;`);
  });
  after(async () => dbs.drop());

  // Unmasked bytes are piped; masked ones go through worker threads and back. Either way the stall must reach the source.
  for (const masked of [false, true]) {
    it(`reads no further ahead of a stalled target than a few buffers${masked ? ' (masked on 2 worker threads)' : ''}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pgtwin-backpressure-'));
      const env: Record<string, string> = masked ? { PGTWIN_SECRET: '00112233445566778899aabbccddeeff' } : {};
      // `partial` keeps the length, so the masked stream is as large as the source's.
      if (masked)
        await writeFile(join(dir, 'pgtwin.yaml'), 'anonymize:\n  wide:\n    payload: { strategy: partial, keep_last: 0, mask_char: x }\n');
      try {
        await stalledCopy(dir, env, masked ? 2 : undefined);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      if (!masked) await assertTablesEqual(dbs, ['public.wide']);
      else
        assert.equal(
          (await dbs.target.query<{ n: number }>(`SELECT count(*)::int AS n FROM wide WHERE payload <> repeat('x', ${ROW_BYTES})`)).rows[0]
            ?.n,
          0,
        );
    });
  }

  async function stalledCopy(cwd: string, env: Record<string, string>, maskWorkers: number | undefined): Promise<void> {
    const settings = await loadSettings({ cwd, env, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl, jobs: 1, maskWorkers } });
    let copyStarted = 0;
    collectGarbage();
    // Bytes that passed pgtwin's transform towards the target, while the target's trigger still sleeps.
    let aheadDuringStall = 0;
    const baseline = process.memoryUsage().arrayBuffers;
    let peakDuringStall = baseline;
    const sampler = setInterval(() => {
      if (copyStarted > 0 && performance.now() - copyStarted < 2500) {
        collectGarbage();
        peakDuringStall = Math.max(peakDuringStall, process.memoryUsage().arrayBuffers);
      }
    }, 25);
    try {
      const report = await runSync({
        settings,
        env,
        confirm: async () => true,
        observer: {
          phase: (phase) => {
            if (phase === 'copy') copyStarted = performance.now();
          },
          tableProgress: (_table, _rows, bytes) => {
            if (performance.now() - copyStarted < 2500) aheadDuringStall = Math.max(aheadDuringStall, bytes);
          },
        },
      });
      assert.equal(report.totalRows, ROWS);
    } finally {
      clearInterval(sampler);
    }
    const tableBytes = ROWS * ROW_BYTES;
    const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
    // Socket buffers on loopback alone can hold a few MB (kernel autotuning), and the threaded path has up to four
    // 256 KB blocks out; with backpressure broken, the whole table (48 MB) goes ahead.
    assert.ok(aheadDuringStall < tableBytes / 4, `${mb(aheadDuringStall)} of a ${mb(tableBytes)} table went ahead of the stalled target`);
    assert.ok(peakDuringStall - baseline < tableBytes / 4, `${mb(peakDuringStall - baseline)} of Buffers held while the target stalled`);
  }
});
