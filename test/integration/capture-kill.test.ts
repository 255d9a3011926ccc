/**
 * pgtwin capture killed with SIGKILL under a steady write load, again and
 * again, then run to the end: the change files, read in chain order, hold
 * every source transaction committed after the base exactly once (none
 * missing, none twice), and their chain is whole. Capture runs as a real
 * process (the CLI), so the kill lands wherever it lands: mid-file,
 * mid-put, between a put and the slot's acknowledgement. Then `pgtwin stop`
 * ends a running capture cleanly, and a second capture of the archive is
 * refused with a clear error.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { changeRecords } from '../support/archive-files.js';
import { pgtwin, spawnPgtwin } from '../support/cli.js';

const SECRET = '1f4a7d0c3b6e9f2a5d8c1b4e7a0d3f6c9b2e5a8d1c4f7b0e3a6d9c2f5b8e1a4d';

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 30_000; !(await check());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('pgtwin capture killed under load', () => {
  let dbs: TestDatabases;
  let dir: string;
  let archive: string;
  const env = { PGTWIN_SECRET: SECRET };

  before(async () => {
    dbs = await createTestDatabases('capture_kill');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-capture-kill-'));
    archive = join(dir, 'archive');
    await writeFile(join(dir, 'pgtwin.yaml'), 'anonymize:\n  ledger:\n    email: email\n');
    await dbs.source.query(`
      CREATE TABLE ledger (k int PRIMARY KEY, email text, note text);
      INSERT INTO ledger SELECT -g, 'old' || g || '@source.example', 'base' FROM generate_series(1, 500) g;
      CREATE PUBLICATION pgtwin FOR TABLE ledger;`);
  });
  after(async () => {
    await dbs.source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()`)
      .catch(() => undefined);
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses and doubles no transaction across kills', async () => {
    const args = ['capture', '--from', dbs.sourceUrl, '--archive', archive, '--spool-dir', dir];
    const first = await pgtwin([...args, '--once'], { env, cwd: dir });
    assert.equal(first.code, 0, first.stderr);

    let writing = true;
    let committed = 0;
    const writer = (async () => {
      const w = new pg.Client({ connectionString: dbs.sourceUrl });
      await w.connect();
      try {
        for (let k = 1; writing; k++) {
          // Each transaction inserts one row and updates the one before: each shows in the archive as a pair.
          await w.query('BEGIN');
          await w.query(`INSERT INTO ledger VALUES ($1::int, 'w' || $1::text || '@source.example', 'new')`, [k]);
          await w.query(`UPDATE ledger SET note = 'seen' WHERE k = $1`, [k - 1]);
          await w.query('COMMIT');
          committed = k;
        }
      } finally {
        await w.end();
      }
    })();

    for (let round = 0; round < 4; round++) {
      const child = spawnPgtwin([...args, '--file-age', '1', '--file-size', '4KB'], { env, cwd: dir });
      await child.waitFor(/archiving the changes/);
      await sleep(700 + round * 300);
      child.kill('SIGKILL');
      await child.done;
    }
    writing = false;
    await writer;
    // The slot may still be held by the killed process's walsender for a moment.
    let last = await pgtwin([...args, '--once'], { env, cwd: dir });
    for (let i = 0; i < 20 && last.code !== 0 && /active/.test(last.stderr); i++) {
      await sleep(500);
      last = await pgtwin([...args, '--once'], { env, cwd: dir });
    }
    assert.equal(last.code, 0, last.stderr);
    assert.ok(committed > 50, `load: ${committed} transactions`);
    // The killed captures' half-written spool files are gone: the next capture removed them.
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith('.spool')),
      [],
    );

    const records = await changeRecords(archive);
    const files = [...new Set(records.map((r) => r.file))];
    assert.ok(files.length > 4, `${files.length} files`);
    // The chain: numbered 1.. with no gap, each naming the one before.
    const headers = records.flatMap((r) => (r.record.t === 'header' ? [r.record] : []));
    headers.forEach((h, i) => {
      assert.equal(h.seq, i + 1);
      assert.equal(h.prev?.name, i === 0 ? undefined : files[i - 1]);
    });
    const inserted = records.flatMap((r) => (r.record.t === 'insert' ? [Number(r.record.new['k'])] : []));
    const counts = new Map<number, number>();
    for (const k of inserted) counts.set(k, (counts.get(k) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
    assert.deepEqual(twice, [], 'no transaction twice');
    const source = await dbs.source.query<{ k: number }>('SELECT k FROM ledger WHERE k > 0 ORDER BY k');
    const missing = source.rows.map((r) => r.k).filter((k) => !counts.has(k));
    assert.deepEqual(missing, [], 'no transaction missing');
    assert.equal(counts.size, committed);
    const begins = records.filter((r) => r.record.t === 'begin').length;
    assert.equal(begins, committed);
  });

  it('pgtwin stop ends a running capture: the file in hand stored, the slot acknowledged past it; a second capture is refused', async () => {
    const spool = join(dir, 'spool');
    await mkdir(spool);
    const args = ['capture', '--from', dbs.sourceUrl, '--archive', archive, '--spool-dir', spool];
    const child = spawnPgtwin(args, { env, cwd: dir });
    try {
      await child.waitFor(/archiving the changes/);
      const slot = `SELECT slot_name, active, confirmed_flush_lsn::text AS flushed FROM pg_replication_slots WHERE database = current_database()`;
      await until('the capture to stream', async () => (await dbs.source.query<{ active: boolean }>(slot)).rows[0]?.active === true);

      // From the same directory its pid file refuses at once; from another one the busy slot does.
      const here = await pgtwin([...args, '--once', '--json'], { env, cwd: dir });
      const other = join(dir, 'elsewhere');
      await mkdir(other);
      await copyFile(join(dir, 'pgtwin.yaml'), join(other, 'pgtwin.yaml'));
      const there = await pgtwin([...args, '--once', '--json'], { env, cwd: other });
      for (const second of [here, there]) {
        assert.equal(second.code, 1, second.stderr);
        assert.equal((JSON.parse(second.stdout) as { error: { code: string } }).error.code, 'CAPTURE_RUNNING', second.stderr);
        assert.match(second.stderr, /next: .*pgtwin stop/);
      }

      // A transaction in the file being written (its spool file exists) when the stop comes.
      await dbs.source.query(`INSERT INTO ledger VALUES (1000000, 'stop@source.example', 'at the stop')`);
      await until('the transaction to reach the spool file', async () => (await readdir(spool)).some((f) => f.endsWith('.spool')));
      const stopped = await pgtwin(['stop', '--archive', archive], { cwd: dir });
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stdout, /Stopping capture of archive .* \(pid \d+\)[^]*Stopped/);
      const result = await child.done;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /capture stopped/);

      const records = await changeRecords(archive);
      assert.ok(
        records.some((r) => r.record.t === 'insert' && r.record.new['k'] === '1000000'),
        'the file in hand at the stop is stored',
      );
      const last = records.filter((r) => r.record.t === 'trailer').at(-1)?.record;
      assert.ok(last?.t === 'trailer');
      await until('the slot to be acknowledged past the last file', async () => {
        const state = (await dbs.source.query<{ active: boolean; flushed: string }>(slot)).rows[0];
        const past = await dbs.source.query<{ ok: boolean }>('SELECT $1::pg_lsn >= $2::pg_lsn AS ok', [state?.flushed, last.end_lsn]);
        return state?.active === false && past.rows[0]?.ok === true;
      });
      assert.deepEqual(await readdir(spool), [], 'no spool file left');
      assert.deepEqual(
        (await readdir(join(dir, '.pgtwin'))).filter((f) => f.startsWith('capture-')),
        [],
        'its pid file removed',
      );
    } finally {
      child.kill('SIGKILL'); // a no-op once it has exited; never left running by a failed assertion
    }
  });
});
