/**
 * The demo at a small scale (full scale is `npm run demo`): it succeeds, and
 * whether it succeeds, fails or is interrupted, no server process and no data
 * directory is left behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runDemo } from '../../src/demo/run-demo.js';
import { InterruptedError } from '../../src/errors.js';
import { BIN, spawnPgtwin } from '../support/cli.js';
import { processesUnder } from '../support/server-processes.js';

const SCALE = 0.02;
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pgtwin-demo-test-'));
  dirs.push(dir);
  return dir;
}

async function assertLeftNothing(dir: string): Promise<void> {
  assert.deepEqual(await processesUnder(dir), [], 'no server process is left');
  assert.deepEqual(
    (await readdir(dir)).filter((name) => name.startsWith('pgtwin-demo-')),
    [],
    'no data directory is left',
  );
}

describe('pgtwin demo', () => {
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('seeds production, syncs the twin, prints the report and samples, and stops everything', async () => {
    const dir = await tempDir();
    let stdout = '';
    let stderr = '';
    const result = await runDemo({ stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, { scale: SCALE, tempDir: dir });
    assert.ok(result.seeded.totalRows > 2_000, `${result.seeded.totalRows} rows`);
    assert.equal(result.sync.totalRows, result.seeded.totalRows, 'the twin got every row');
    assert.equal(result.sync.tables.length, 6);
    assert.match(stdout, /Synced 6 tables/);
    assert.match(stdout, /customers#1\.email +\S+@\S+ +\S+@\S+/);
    assert.match(stdout, /payments#\d+\.card_number +\d{15,16} +\d{15,16}/);
    assert.match(stderr, /filling production/);
    await assertLeftNothing(dir);
  });

  it('stops everything when interrupted while seeding', async () => {
    const dir = await tempDir();
    const controller = new AbortController();
    const io = {
      stdout: () => undefined,
      stderr: (text: string) => {
        if (text.includes('filling production')) controller.abort(new Error('test interrupt'));
      },
    };
    await assert.rejects(runDemo(io, { scale: SCALE, tempDir: dir, signal: controller.signal }), InterruptedError);
    await assertLeftNothing(dir);
  });

  it('`pgtwin demo` exits 0 as a process and leaves nothing behind', async () => {
    const dir = await tempDir();
    const result = await spawnPgtwin(['demo', '--scale', String(SCALE)], { env: { TMPDIR: dir } }).done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Demo finished/);
    await assertLeftNothing(dir);
  });

  // bin/pgtwin exits with main's code, so a failed demo exits 1. This runs the real bin/pgtwin
  // (the build from `npm ci`), because tsx itself needs a usable TMPDIR.
  it('`pgtwin demo` exits 1 as a process when it fails', async () => {
    const notADirectory = join(await tempDir(), 'a-file');
    await writeFile(notADirectory, '');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'demo', '--scale', String(SCALE)], {
        env: { PATH: process.env['PATH'], TMPDIR: notADirectory },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.match(result.stderr, /Cannot create a temporary directory/);
    assert.equal(result.code, 1);
  });

  it('`pgtwin demo` stops its servers on SIGINT (exit 130)', async () => {
    const dir = await tempDir();
    const cli = spawnPgtwin(['demo', '--scale', '0.5'], { env: { TMPDIR: dir } });
    await cli.waitFor(/filling production/);
    cli.kill('SIGINT');
    const result = await cli.done;
    assert.equal(result.code, 130, result.stderr);
    await assertLeftNothing(dir);
  });
});
