/**
 * `npm run bench:archive`: archive mode against `follow` in the same run
 * (issue 15 item 8). Starts an embedded source (wal_level=logical) and
 * target, creates the pgbench-like tables of bench/support/tpcb-load.ts with
 * two masked columns, and gives each side its start:
 *
 *   follow    a twin loaded by `pgtwin follow` from its slot, then stopped;
 *   capture   an archive with its base (`pgtwin capture --once`);
 *   apply     a second twin built from that base (`pgtwin apply`).
 *
 * Then, for each of --runs rounds, a backlog of --backlog transactions is
 * written while nothing runs, and each side is timed over the same backlog,
 * from process start to the backlog done:
 *
 *   capture --once    the masked changes into change files (changes/s);
 *   follow            started again, until its twin has applied them (changes/s);
 *   apply             the new change files into the second twin (changes/s).
 *
 * and prints capture/follow (goal ≥ 0.9), apply changes/s (goal ≥ 30,000),
 * compressed bytes per change, and peak RSS. Finally the two twins are
 * compared row for row (same key, same rules: they must be identical).
 *
 *   npm run bench:archive [-- --backlog 20000 --runs 3 --accounts 100000 --writers 4]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startEmbeddedServer } from '../src/pg/embedded-server.js';
import { cpuModel, postgresVersion } from './support/machine.js';
import { runChild } from './support/run-child.js';
import { CHANGES_PER_TRANSACTION, createTpcb, pgbenchVersion, runNodeLoad, runPgbench, tpcbScale } from './support/tpcb-load.js';

const { values: options } = parseArgs({
  options: {
    backlog: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
    accounts: { type: 'string', default: '100000' },
    writers: { type: 'string', default: '4' },
  },
  strict: true,
});
const wholeNumber = (name: string, text: string, min: number): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} takes a whole number of at least ${min}, not ${text}`);
  return n;
};
const WRITERS = wholeNumber('writers', options.writers, 1);
const BACKLOG = Math.ceil(wholeNumber('backlog', options.backlog, 1) / WRITERS) * WRITERS;
const RUNS = wholeNumber('runs', options.runs, 1);
const SCALE = tpcbScale(wholeNumber('accounts', options.accounts, 1000));
const CHANGES = BACKLOG * CHANGES_PER_TRANSACTION;
const GOAL_CAPTURE_RATIO = 0.9;
const GOAL_APPLY_RATE = 30_000;

const PASSWORD = 'bench-password';
const SERVER_SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_wal_size: '4GB', shared_buffers: '512MB' };
// A logical walsender sends only flushed WAL: the source commits synchronously, as production sources do (fsync is off).
const SOURCE_SETTINGS = {
  ...SERVER_SETTINGS,
  synchronous_commit: 'on',
  wal_level: 'logical',
  max_replication_slots: 8,
  max_wal_senders: 8,
};
const CONFIG = 'options:\n  show_progress: false\nanonymize:\n  accounts:\n    filler: lorem\n  history:\n    filler: lorem\n';

const say = (message: string): void => void process.stderr.write(`${message}\n`);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

interface Round {
  readonly captureS: number;
  readonly followS: number;
  readonly applyS: number;
  readonly captureRssKb: number | undefined;
  readonly applyRssKb: number | undefined;
  readonly archiveBytes: number;
  readonly load: string;
}

const base = await mkdtemp(join(tmpdir(), 'pgtwin-bench-archive-'));
const [source, target] = await Promise.all([
  startEmbeddedServer({ dataDir: join(base, 'source'), password: PASSWORD, ephemeral: true, settings: SOURCE_SETTINGS }),
  startEmbeddedServer({ dataDir: join(base, 'target'), password: PASSWORD, ephemeral: true, settings: SERVER_SETTINGS }),
]);
const withDb = (url: string, db: string): string => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};
const admin = new pg.Client({ connectionString: target.url() });
const src = new pg.Client({ connectionString: withDb(source.url(), 'postgres') });
try {
  await Promise.all([admin.connect(), src.connect()]);
  await admin.query('CREATE DATABASE twin_follow');
  await admin.query('CREATE DATABASE twin_apply');
  say(`creating the tables (${SCALE.accounts.toLocaleString('en-US')} accounts)...`);
  await createTpcb(src, SCALE);
  const sourceUrl = withDb(source.url(), 'postgres');
  const followUrl = withDb(target.url(), 'twin_follow');
  const applyUrl = withDb(target.url(), 'twin_apply');
  const archive = join(base, 'archive');
  const config = join(base, 'pgtwin.yaml');
  await writeFile(config, CONFIG);
  const env = { PGTWIN_SECRET: randomBytes(32).toString('hex') };
  const cli = fileURLToPath(new URL('./support/cli-with-rss.mjs', import.meta.url));
  const pgtwin = (argv: readonly string[]) => runChild(process.execPath, [cli, ...argv, '--config', config], { rss: true, env });
  const capture = () => pgtwin(['capture', '--from', sourceUrl, '--archive', archive, '--once']);
  const apply = () => pgtwin(['apply', '--archive', archive, '--to', applyUrl, '--yes']);
  const twin = new pg.Client({ connectionString: followUrl });

  /** follow until its twin has applied `changes` more changes than now; resolves with the seconds from spawn. */
  const followFor = async (changes: number): Promise<number> => {
    const applied = async (): Promise<number> => {
      const r = await twin.query<{ n: string }>(
        `SELECT coalesce(sum(changes), 0)::text AS n FROM pgtwin.follow_audit WHERE to_regclass('pgtwin.follow_audit') IS NOT NULL`,
      );
      return Number(r.rows[0]?.n ?? 0);
    };
    const before = changes === 0 ? 0 : await applied();
    const started = performance.now();
    const child = spawn(process.execPath, [cli, 'follow', '--from', sourceUrl, '--to', followUrl, '--yes', '--config', config], {
      stdio: ['ignore', 'ignore', 'pipe', 'ignore'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let done: number | undefined;
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`follow exited ${child.exitCode}:\n${stderr}`);
        const state = await twin
          .query<{ status: string }>(`SELECT status FROM pgtwin.follow_state`)
          .then((r) => r.rows[0]?.status)
          .catch(() => undefined);
        if (state === 'streaming' && (await applied()) - before >= changes) {
          done = (performance.now() - started) / 1000;
          break;
        }
        await sleep(20);
      }
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    return done;
  };

  say('follow: first load...');
  await twin.connect();
  await followFor(0);
  say('capture: the base...');
  await capture();
  say('apply: the second twin from the base...');
  await apply();

  const generator = (await pgbenchVersion()) === undefined ? 'node' : 'pgbench';
  const rounds: Round[] = [];
  for (let round = 1; round <= RUNS; round++) {
    say(`round ${round}: writing ${BACKLOG.toLocaleString('en-US')} transactions (${generator})...`);
    const request = { url: sourceUrl, scale: SCALE, writers: WRITERS, transactions: BACKLOG };
    if (generator === 'pgbench') await runPgbench(request, base);
    else await runNodeLoad(request);
    const bytesBefore = await changeBytes(archive);
    // Alternating which goes first, so neither always finds the source's caches warmer.
    const first = round % 2 === 1;
    let captured = first ? await capture() : undefined;
    const followS = await followFor(CHANGES);
    captured ??= await capture();
    const archiveBytes = (await changeBytes(archive)) - bytesBefore;
    const applied = await apply();
    rounds.push({
      captureS: captured.seconds,
      followS,
      applyS: applied.seconds,
      captureRssKb: captured.rssKb,
      applyRssKb: applied.rssKb,
      archiveBytes,
      load: load(),
    });
    say(
      `  capture ${captured.seconds.toFixed(2)} s, follow ${followS.toFixed(2)} s, apply ${applied.seconds.toFixed(2)} s (load ${load()})`,
    );
  }

  await compareTwins(followUrl, applyUrl);
  await twin.end();

  const rate = (s: number): number => Math.round(CHANGES / s);
  console.log(`\n# archive bench: ${BACKLOG.toLocaleString('en-US')} transactions, ${CHANGES.toLocaleString('en-US')} changes per round`);
  console.log(`machine: ${cpuModel()}, ${availableParallelism()} cores; PostgreSQL ${postgresVersion()}; generator ${generator}\n`);
  console.log('| round | capture | follow | apply | capture/follow | apply changes/s | bytes/change | capture RSS | apply RSS | load |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  rounds.forEach((r, i) =>
    console.log(
      `| ${i + 1} | ${r.captureS.toFixed(2)} s | ${r.followS.toFixed(2)} s | ${r.applyS.toFixed(2)} s | ${(r.followS / r.captureS).toFixed(2)} | ${rate(r.applyS).toLocaleString('en-US')} | ${(r.archiveBytes / CHANGES).toFixed(1)} | ${mb(r.captureRssKb)} | ${mb(r.applyRssKb)} | ${r.load} |`,
    ),
  );
  const ratio = median(rounds.map((r) => r.followS / r.captureS));
  const applyRate = median(rounds.map((r) => rate(r.applyS)));
  console.log(
    `\nmedian capture/follow throughput ${ratio.toFixed(2)} (goal ≥ ${GOAL_CAPTURE_RATIO}: ${ratio >= GOAL_CAPTURE_RATIO ? 'met' : 'not met'}); ` +
      `median apply ${applyRate.toLocaleString('en-US')} changes/s (goal ≥ ${GOAL_APPLY_RATE.toLocaleString('en-US')}: ${applyRate >= GOAL_APPLY_RATE ? 'met' : 'not met'})`,
  );
  console.log('the two twins (follow, apply) are identical row for row');
} finally {
  await Promise.all([admin.end().catch(() => undefined), src.end().catch(() => undefined)]);
  await Promise.all([source.stop(), target.stop()]);
  await rm(base, { recursive: true, force: true });
}

function mb(kb: number | undefined): string {
  return kb === undefined ? '' : `${Math.round(kb / 1024)} MB`;
}

async function changeBytes(archive: string): Promise<number> {
  const dir = join(archive, 'changes');
  const names = await readdir(dir).catch(() => [] as string[]);
  let total = 0;
  for (const name of names) if (name.endsWith('.jsonl.gz')) total += (await stat(join(dir, name))).size;
  return total;
}

/** Every table of both twins, row for row (masked with the same key and rules, they must be equal). */
async function compareTwins(a: string, b: string): Promise<void> {
  const [x, y] = [new pg.Client({ connectionString: a }), new pg.Client({ connectionString: b })];
  await Promise.all([x.connect(), y.connect()]);
  try {
    for (const table of ['accounts', 'tellers', 'branches', 'history']) {
      const sql = `SELECT count(*)::text AS n, coalesce(sum(hashtext(t::text)::bigint), 0)::text AS h FROM ${table} t`;
      const [l, r] = await Promise.all([x.query(sql), y.query(sql)]);
      if (JSON.stringify(l.rows[0]) !== JSON.stringify(r.rows[0]))
        throw new Error(
          `${table} differs between the follow twin ${JSON.stringify(l.rows[0])} and the apply twin ${JSON.stringify(r.rows[0])}`,
        );
    }
  } finally {
    await Promise.all([x.end(), y.end()]);
  }
}
