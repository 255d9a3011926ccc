/**
 * `npm run bench:archive-memory`: does archive mode stay bounded in memory
 * when a transaction or a base gets large? Starts an embedded source
 * (wal_level=logical) and target and, for each size, on a fresh database:
 *
 *   base         a table of SIZE rows, captured as a base (`capture --once`),
 *                then applied to an empty twin (`apply`);
 *   transaction  one source transaction inserting SIZE rows, captured
 *                (`capture --once`) and applied (`apply`).
 *
 * It prints each process's peak RSS by size: bounded means about the same at
 * every size, not growing with it. Each twin is checked (row count, and no
 * masked source value in it) before its figures count.
 *
 *   npm run bench:archive-memory [-- --sizes 100000,400000]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedServer } from '../src/pg/embedded-server.js';
import { runChild } from './support/run-child.js';

const { values: options } = parseArgs({ options: { sizes: { type: 'string', default: '100000,400000' } }, strict: true });
const SIZES = options.sizes.split(',').map((s) => {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--sizes takes whole numbers separated by commas, not ${options.sizes}`);
  return n;
});

const PASSWORD = 'bench-password';
const SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_wal_size: '4GB' };
const CONFIG = 'options:\n  show_progress: false\nanonymize:\n  people:\n    email: email\n';
const say = (message: string): void => void process.stderr.write(`${message}\n`);
const rows = (from: number, to: number): string =>
  `INSERT INTO people SELECT g, 'person' || g || '@mail.example.org', repeat('note ', 20) || g FROM generate_series(${from}, ${to}) g`;

interface Figures {
  readonly size: number;
  readonly kind: 'base' | 'transaction';
  readonly captureS: number;
  readonly captureRssKb: number | undefined;
  readonly applyS: number;
  readonly applyRssKb: number | undefined;
}

const base = await mkdtemp(join(tmpdir(), 'pgtwin-bench-archive-memory-'));
const [source, target] = await Promise.all([
  startEmbeddedServer({
    dataDir: join(base, 'source'),
    password: PASSWORD,
    ephemeral: true,
    settings: { ...SETTINGS, wal_level: 'logical', max_replication_slots: 8, max_wal_senders: 8 },
  }),
  startEmbeddedServer({ dataDir: join(base, 'target'), password: PASSWORD, ephemeral: true, settings: SETTINGS }),
]);
const cli = fileURLToPath(new URL('./support/cli-with-rss.mjs', import.meta.url));
const env = { PGTWIN_SECRET: randomBytes(32).toString('hex') };
const config = join(base, 'pgtwin.yaml');
await writeFile(config, CONFIG);
const pgtwin = async (argv: readonly string[]) => {
  const result = await runChild(process.execPath, [cli, ...argv, '--config', config], { rss: true, env });
  return result;
};

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The twin has every row and none of the source's e-mail addresses. */
async function checkTwin(url: string, size: number): Promise<void> {
  await withClient(url, async (twin) => {
    const r = await twin.query<{ n: string; leaked: string }>(
      `SELECT count(*)::text AS n, count(*) FILTER (WHERE email ~ '^person[0-9]+@mail\\.example\\.org$')::text AS leaked FROM people`,
    );
    const row = r.rows[0];
    if (Number(row?.n) !== size || Number(row?.leaked) !== 0)
      throw new Error(`twin has ${row?.n} rows (${size} expected), ${row?.leaked} unmasked`);
  });
}

const results: Figures[] = [];
try {
  for (const size of SIZES) {
    for (const kind of ['base', 'transaction'] as const) {
      const db = `m_${kind}_${size}`;
      await withClient(source.url(), (c) => c.query(`CREATE DATABASE ${db}`));
      await withClient(target.url(), (c) => c.query(`CREATE DATABASE ${db}`));
      const sourceUrl = source.url(db);
      const twinUrl = target.url(db);
      const archive = join(base, `archive-${db}`);
      await withClient(sourceUrl, async (c) => {
        await c.query('CREATE TABLE people (id bigint PRIMARY KEY, email text NOT NULL, note text)');
        await c.query('CREATE PUBLICATION pgtwin FOR TABLE people');
        if (kind === 'base') await c.query(rows(1, size));
      });
      say(`${kind}, ${size.toLocaleString('en-US')} rows: capture...`);
      let captured = await pgtwin(['capture', '--from', sourceUrl, '--archive', archive, '--once']);
      if (kind === 'transaction') {
        // The base is empty; the rows arrive as one source transaction.
        await withClient(sourceUrl, (c) => c.query(rows(1, size)));
        captured = await pgtwin(['capture', '--from', sourceUrl, '--archive', archive, '--once']);
      }
      say(`${kind}, ${size.toLocaleString('en-US')} rows: apply...`);
      const applied = await pgtwin(['apply', '--archive', archive, '--to', twinUrl, '--yes']);
      await checkTwin(twinUrl, size);
      results.push({
        size,
        kind,
        captureS: captured.seconds,
        captureRssKb: captured.rssKb,
        applyS: applied.seconds,
        applyRssKb: applied.rssKb,
      });
      await rm(archive, { recursive: true, force: true });
    }
  }
} finally {
  await Promise.all([source.stop(), target.stop()]);
  await rm(base, { recursive: true, force: true });
}

const mb = (kb: number | undefined): string => (kb === undefined ? '?' : `${Math.round(kb / 1024)} MB`);
console.log('\n# archive memory: peak RSS by size (bounded = flat across sizes)\n');
console.log('| what | rows | capture | capture peak RSS | apply | apply peak RSS |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  console.log(
    `| ${r.kind === 'base' ? 'one table in a base' : 'one source transaction'} | ${r.size.toLocaleString('en-US')} | ${r.captureS.toFixed(1)} s | ${mb(r.captureRssKb)} | ${r.applyS.toFixed(1)} s | ${mb(r.applyRssKb)} |`,
  );
}
