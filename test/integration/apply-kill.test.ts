/**
 * `pgtwin apply` killed with SIGKILL in the middle of an archive, then run
 * again: every row once, none lost, none doubled (`events` has no key, so a
 * change applied twice shows in its count). `pgtwin stop` ending a running
 * `apply --follow`. And the CLI's exit codes of `archive verify` on a whole
 * and on a damaged archive.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { ArchiveFixture, type Transaction } from '../support/archive-fixture.js';
import { pgtwin, spawnPgtwin } from '../support/cli.js';
import type { DdlStatement } from '../../src/schema/index.js';

const FILES = 40;
const TRANSACTIONS_PER_FILE = 10;
const ROWS_PER_TRANSACTION = 500;
const TOTAL = FILES * TRANSACTIONS_PER_FILE * ROWS_PER_TRANSACTION;

describe('pgtwin apply killed mid-way', () => {
  let dbs: TestDatabases;
  let dir: string;
  let archive: ArchiveFixture;

  before(async () => {
    dbs = await createTestDatabases('apply_kill');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-apply-kill-'));
    archive = new ArchiveFixture(join(dir, 'archive'), { tables: ['public.events'] });
    await archive.writeManifest();
    const ddl = { kind: 'table', object: 'table public.events', sql: 'CREATE TABLE public.events (n int, payload text)' } as DdlStatement;
    await archive.writeBase(1, 0x10n, { preData: [ddl], postData: [] }, [
      {
        schema: 'public',
        name: 'events',
        columns: [
          { name: 'n', type: 'integer' },
          { name: 'payload', type: 'text' },
        ],
        rows: [],
      },
    ]);
    let n = 0;
    let lsn = 0x100n;
    for (let f = 0; f < FILES; f++) {
      const transactions: Transaction[] = [];
      for (let t = 0; t < TRANSACTIONS_PER_FILE; t++) {
        const changes = Array.from({ length: ROWS_PER_TRANSACTION }, () => ({
          t: 'insert' as const,
          schema: 'public',
          table: 'events',
          new: { n: String(++n), payload: `row ${n}` },
        }));
        transactions.push({ lsn: (lsn += 0x100n), changes });
      }
      await archive.writeChanges(transactions);
    }
  });

  after(async () => {
    await dbs?.drop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('loses and doubles nothing when killed and run again', async () => {
    const args = ['apply', '--archive', archive.root, '--to', dbs.targetUrl];
    const child = spawnPgtwin(args, { cwd: dir });
    await child.waitFor(/applied changes\/0000000002-/);
    child.kill('SIGKILL');
    const killed = await child.done;
    assert.notEqual(killed.code, 0, 'killed, not finished');
    const at = await dbs.target.query<{ file: string }>("SELECT archive_file AS file FROM pgtwin.follow_state WHERE slot LIKE 'archive:%'");
    const seq = Number(/changes\/(\d+)-/.exec(at.rows[0]?.file ?? '')?.[1] ?? 0);
    assert.ok(seq >= 2 && seq < FILES, `killed mid-way (at file ${seq} of ${FILES})`);
    const partial = await dbs.target.query<{ n: string }>('SELECT count(*)::text AS n FROM public.events');
    assert.equal(Number(partial.rows[0]?.n), seq * TRANSACTIONS_PER_FILE * ROWS_PER_TRANSACTION, 'exactly the files recorded');

    const again = await pgtwin(args, { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    const rows = await dbs.target.query<{ n: string; distinct: string; max: string }>(
      'SELECT count(*)::text AS n, count(DISTINCT n)::text AS distinct, max(n)::text AS max FROM public.events',
    );
    assert.deepEqual(rows.rows[0], { n: String(TOTAL), distinct: String(TOTAL), max: String(TOTAL) });
  });

  it('pgtwin stop ends a running apply --follow cleanly; a second apply from here is refused', async () => {
    const args = ['apply', '--archive', archive.root, '--to', dbs.targetUrl, '--follow', '--interval', '0.1'];
    const child = spawnPgtwin(args, { cwd: dir });
    try {
      const file = await archive.writeChanges([
        { lsn: 0x1000000n, changes: [{ t: 'insert', schema: 'public', table: 'events', new: { n: '-1', payload: 'while following' } }] },
      ]);
      await child.waitFor(new RegExp(`applied ${file}`));
      const second = await pgtwin(['apply', '--archive', archive.root, '--to', dbs.targetUrl, '--json'], { cwd: dir });
      assert.equal(second.code, 1, second.stderr);
      assert.equal((JSON.parse(second.stdout) as { error: { code: string } }).error.code, 'APPLY_RUNNING');
      assert.match(second.stderr, /next: .*pgtwin stop/);

      const stopped = await pgtwin(['stop', '--to', dbs.targetUrl], { cwd: dir });
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stdout, /Stopping apply of twin .* \(pid \d+\)[^]*Stopped/);
      const result = await child.done;
      assert.equal(result.code, 0, result.stderr);
      const at = await dbs.target.query<{ file: string }>(
        "SELECT archive_file AS file FROM pgtwin.follow_state WHERE slot LIKE 'archive:%'",
      );
      assert.equal(at.rows[0]?.file, file);
      const row = await dbs.target.query(`SELECT 1 FROM public.events WHERE n = -1`);
      assert.equal(row.rowCount, 1);
      assert.deepEqual(
        (await readdir(join(dir, '.pgtwin'))).filter((f) => f.startsWith('apply-')),
        [],
        'its pid file removed',
      );
    } finally {
      child.kill('SIGKILL'); // a no-op once it has exited; never left running by a failed assertion
    }
  });

  it('archive verify exits 0 on a whole archive and 1 on a damaged one, listing the file', async () => {
    const ok = await pgtwin(['archive', 'verify', '--archive', archive.root], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /No problem found/);
    const fifth = (await readdir(join(archive.root, 'changes'))).sort()[4] ?? '';
    await writeFile(join(archive.root, 'changes', fifth), 'not gzip');
    const bad = await pgtwin(['archive', 'verify', '--archive', archive.root, '--json'], { cwd: dir });
    assert.equal(bad.code, 1);
    const check = JSON.parse(bad.stdout) as { problems: Array<{ file: string; code: string }> };
    assert.deepEqual(
      check.problems.map((p) => [p.file, p.code]),
      [[`changes/${fifth}`, 'ARCHIVE_CORRUPT']],
    );
  });
});
