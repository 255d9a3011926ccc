/**
 * `npm run bench`: pgtwin against a raw COPY pipe on the same servers in the
 * same run. Starts embedded source and target, generates the users table of
 * issue 5 (1,000,000 rows by default), then runs each case RUNS times and
 * reports the median: rows/s, MB/s, peak RSS, and ratios against the baseline.
 *
 *   npm run bench [-- --rows 1000000 --runs 3]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { startEmbeddedServer } from '../src/pg/embedded-server.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(String(process.argv[i]).replace(/^--/, ''), String(process.argv[i + 1]));
const ROWS = Number(args.get('rows') ?? 1_000_000);
const RUNS = Number(args.get('runs') ?? 3);
const PASSWORD = 'bench-password';

const USERS_DDL = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, phone text, first_name text, last_name text,
  ssn text, created_at timestamptz NOT NULL, balance numeric(12,2), bio text)`;

const USERS_DATA = `INSERT INTO users
SELECT g, 'user' || g || '@mail' || (g % 97) || '.example.org', '+1 (' || lpad((g % 1000)::text, 3, '0') || ') 555-' || lpad((g % 10000)::text, 4, '0'),
  (ARRAY['John','Maria','Wei','Amélie','Olusegun','Sven','Priya','José'])[1 + g % 8], (ARRAY['Smith','García','Chen','Dubois','Adeyemi','Larsson','Patel','Müller'])[1 + (g / 8) % 8],
  lpad((g % 1000)::text, 3, '0') || '-' || lpad((g % 100)::text, 2, '0') || '-' || lpad((g % 10000)::text, 4, '0'),
  TIMESTAMPTZ '2020-01-01' + g * interval '17 seconds', (g % 100000) / 100.0,
  CASE WHEN g % 10 = 0 THEN NULL ELSE 'Loves hiking, coffee and databases; member since ' || (2000 + g % 24) END
FROM generate_series(1, ${ROWS}) g`;

interface CaseResult {
  readonly name: string;
  readonly seconds: number[];
  readonly medianSeconds: number;
  readonly rowsPerSecond: number;
  readonly mbPerSecond: number;
  readonly peakRssMb: number | undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function hasPsql(): boolean {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function run(command: string, argv: readonly string[], withRss: boolean): Promise<{ seconds: number; rssKb: number | undefined }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe', ...(withRss ? (['pipe'] as const) : [])] });
    let stderr = '';
    let rss = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (withRss) (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => (rss += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${command} ${argv.join(' ')} exited ${code}: ${stderr}`));
      const parsed = rss === '' ? undefined : (JSON.parse(rss) as { maxRssKb: number }).maxRssKb;
      resolve({ seconds: (performance.now() - started) / 1000, rssKb: parsed });
    });
  });
}

async function main(): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'pgtwin-bench-'));
  const settings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_wal_size: '4GB', shared_buffers: '512MB' };
  const [source, target] = await Promise.all([
    startEmbeddedServer({ dataDir: join(base, 'source'), password: PASSWORD, ephemeral: true, settings: { ...settings, wal_level: 'logical' } }),
    startEmbeddedServer({ dataDir: join(base, 'target'), password: PASSWORD, ephemeral: true, settings }),
  ]);
  const sourceUrl = source.url();
  const targetUrl = target.url();
  try {
    const s = new pg.Client({ connectionString: sourceUrl });
    const t = new pg.Client({ connectionString: targetUrl });
    await Promise.all([s.connect(), t.connect()]);
    process.stderr.write(`generating ${ROWS.toLocaleString('en-US')} rows...\n`);
    await s.query(USERS_DDL);
    await s.query(USERS_DATA);
    await s.query('VACUUM ANALYZE users');
    await t.query(USERS_DDL);
    const bytes = Number((await s.query<{ n: string }>(`SELECT sum(octet_length(u::text))::bigint AS n FROM users u`)).rows[0]?.n ?? 0);

    const cwd = await mkdtemp(join(tmpdir(), 'pgtwin-bench-cfg-'));
    await writeFile(join(cwd, 'pgtwin.yaml'), `options:\n  show_progress: false\n`);
    // The built CLI, as users run it (npm run build first; `npm run bench` does).
    const cli = fileURLToPath(new URL('./support/cli-with-rss.mjs', import.meta.url));
    const pgtwinArgs = (extra: readonly string[]) => [cli, 'sync', '--from', sourceUrl, '--to', targetUrl, '--yes', '--config', join(cwd, 'pgtwin.yaml'), ...extra];

    const psql = hasPsql();
    const cases: Array<{ name: string; once: () => Promise<{ seconds: number; rssKb: number | undefined }> }> = [
      {
        name: psql ? 'a: psql COPY pipe (baseline)' : 'a: pg-copy-streams pipe (baseline; psql not on PATH)',
        once: async () => {
          await t.query('TRUNCATE users');
          if (psql) return run('bash', ['-c', `psql "${sourceUrl}" -qc "COPY users TO STDOUT" | psql "${targetUrl}" -qc "COPY users FROM STDIN"`], false);
          const started = performance.now();
          await pipeline(s.query(copyStreams.to('COPY users TO STDOUT')), t.query(copyStreams.from('COPY users FROM STDIN')));
          return { seconds: (performance.now() - started) / 1000, rssKb: undefined };
        },
      },
      { name: 'b: pgtwin sync, unmasked', once: () => run(process.execPath, pgtwinArgs([]), true) },
      { name: 'b1: pgtwin sync, unmasked, --jobs 1', once: () => run(process.execPath, pgtwinArgs(['--jobs', '1']), true) },
    ];

    const results: CaseResult[] = [];
    for (const c of cases) {
      const seconds: number[] = [];
      const rss: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = await c.once();
        seconds.push(r.seconds);
        if (r.rssKb !== undefined) rss.push(r.rssKb);
        process.stderr.write(`${c.name}: run ${i + 1}: ${r.seconds.toFixed(2)} s\n`);
      }
      const med = median(seconds);
      results.push({ name: c.name, seconds, medianSeconds: med, rowsPerSecond: ROWS / med, mbPerSecond: bytes / 1e6 / med, peakRssMb: rss.length > 0 ? Math.max(...rss) / 1024 : undefined });
    }
    await Promise.all([s.end(), t.end()]);

    const baseline = results[0]?.medianSeconds ?? 1;
    const lines = results.map((r) => {
      const ratio = baseline / r.medianSeconds;
      return `${r.name.padEnd(52)} ${r.medianSeconds.toFixed(2).padStart(6)} s ${Math.round(r.rowsPerSecond).toLocaleString('en-US').padStart(9)} rows/s ${r.mbPerSecond.toFixed(1).padStart(6)} MB/s  ratio ${ratio.toFixed(2)}${r.peakRssMb !== undefined ? `  peak RSS ${r.peakRssMb.toFixed(0)} MB` : ''}`;
    });
    const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, PostgreSQL 18 (embedded) on both sides`;
    process.stdout.write(`\n${ROWS.toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(0)} MB of COPY text; median of ${RUNS}; ratio = baseline time / case time (higher is faster)\n${machine}\n${lines.join('\n')}\n`);
    const out = join(fileURLToPath(new URL('./results/', import.meta.url)), `sync-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(out, JSON.stringify({ rows: ROWS, bytes, runs: RUNS, machine, results }, null, 2));
    process.stdout.write(`written ${out}\n`);
  } finally {
    await Promise.all([source.stop(), target.stop()]);
    await rm(base, { recursive: true, force: true });
  }
}

await main();
