/**
 * What a sync loads that it does not use, measured in a real pgtwin process
 * (test/support/load-probe.ts): on Node 20 the pg driver's Cloudflare probe
 * loaded Node's bundled undici (fetch) on every command that connects, and
 * the SipHash WebAssembly module was assembled and compiled on import, by
 * syncs that mask nothing too; the config parsers and the embedded server's
 * code were loaded by runs that use neither. Process start is part of every
 * sync's time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';

interface Probe {
  readonly code: number | null;
  readonly stderr: string;
  readonly undici: boolean;
  readonly compiled: number;
  /** URLs of the modules the process resolved. */
  readonly modules: readonly string[];
}

async function probed(argv: readonly string[]): Promise<Probe> {
  const log = join(await mkdtemp(join(tmpdir(), 'pgtwin-load-probe-')), 'modules.txt');
  const child = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      '--import',
      import.meta.resolve('../support/load-probe.ts'),
      fileURLToPath(new URL('../support/cli-entry.ts', import.meta.url)),
      ...argv,
    ],
    { env: { PATH: process.env['PATH'], HOME: process.env['HOME'], PGTWIN_LOAD_PROBE_LOG: log }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const line = /^load-probe (.*)$/m.exec(stderr);
  if (line?.[1] === undefined) throw new Error(`no load-probe line in:\n${stderr}`);
  const modules = (await readFile(log, 'utf8')).split('\n').filter((m) => m !== '');
  return { code, stderr, modules, ...(JSON.parse(line[1]) as { undici: boolean; compiled: number }) };
}

describe('process start: a sync loads only what it uses', () => {
  let dbs: TestDatabases;
  before(async () => {
    dbs = await createTestDatabases('startup');
    await onBoth(dbs, 'CREATE TABLE items (id int PRIMARY KEY, label text)');
    await dbs.source.query(`INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g`);
  });
  after(async () => dbs.drop());

  it('an unmasked sync without a config file loads no undici, no config parser, no embedded-server code, and compiles no WebAssembly', async () => {
    const result = await probed(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.undici, false, 'undici (fetch) loaded');
    assert.equal(result.compiled, 0, 'WebAssembly compiled by a sync that masks nothing');
    assert.ok(
      result.modules.some((m) => m.includes('/src/sync/')),
      'the probe sees the modules pgtwin loads',
    );
    for (const unused of ['/node_modules/yaml/', '/node_modules/smol-toml/', '/src/local/'])
      assert.deepEqual(
        result.modules.filter((m) => m.includes(unused)),
        [],
        `${unused} loaded`,
      );
    const count = await dbs.target.query('SELECT count(*)::int AS n FROM items');
    assert.equal(count.rows[0].n, 100);
  });
});
