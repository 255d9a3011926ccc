/**
 * `npm run bench`: pgtwin against a raw COPY pipe on the same servers in the
 * same run. Starts embedded source and target, generates the users table of
 * issue 5 (1,000,000 rows by default), then runs each case RUNS times and
 * reports the median: rows/s, MB/s, peak RSS, and ratios against the baseline.
 *
 *   npm run bench [-- --rows 1000000 --runs 3 --cases a,b,c] [--profile DIR]
 *
 * Cases: a baseline pipe; b sync unmasked; b1 b with --jobs 1; c sync masking
 * email, phone and last_name (default --mask-workers: none when both servers
 * are local on 2 CPUs); c0, c1, c2 c with 0, 1, 2 masking threads; d c with
 * --jobs 1; e b with the table split into
 * chunks (--split-tables-larger-than 32MB); f e masked; w (not run unless
 * named) b never split, for tables above the 256MB default; p (not run unless
 * named) `pgcopydb copy table-data`, the closest peer, with --table-jobs equal
 * to pgtwin's default --jobs (the CPUs) and, where that pgcopydb can split
 * tables (0.11 and later), --split-tables-larger-than 32MB as in e; compare it
 * with e, or with w where it cannot split (Debian 12's 0.10). Skipped, with a
 * note, where pgcopydb is not on PATH. Cases run round robin, and every run is checked on the target (row count; sample rows masked
 * or untouched as the case says) before it counts.
 *
 * Besides the wall time, each pgtwin run reports where its time went: "in
 * pgtwin" is the sync's own total (--json durationMs; the rest of the wall time
 * is process start and config), "copy" the copy phase (first chunk started to
 * last chunk committed, from pgtwin.run_chunks), "CPU" the pgtwin process's
 * user plus system time.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { startEmbeddedServer } from '../src/pg/embedded-server.js';
import { cpuModel, postgresVersion } from './support/machine.js';
import { machineCpu, serverCpu, type CpuTimes } from './support/proc-cpu.js';
import { runChild } from './support/run-child.js';
import { checkTarget, copyTextBytes, generateUsers, USERS_DDL } from './support/users-table.js';

const ALL_CASES = ['a', 'k', 'b', 'b1', 'c', 'c0', 'c1', 'c2', 'd', 'e', 'f', 'w', 'p'] as const;
type CaseId = (typeof ALL_CASES)[number];
/** The cases of issue 5; w only matters for tables above the default split threshold (--rows 10000000). */
const DEFAULT_CASES: readonly CaseId[] = ['a', 'b', 'b1', 'c', 'd', 'e', 'f'];

const { values: options } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    cases: { type: 'string', default: DEFAULT_CASES.join(',') },
    /** Writes a V8 CPU profile of every pgtwin run into this directory (node --cpu-prof); timings then include the profiler. */
    profile: { type: 'string' },
  },
  strict: true,
});
const ROWS = Number(options.rows);
const RUNS = Number(options.runs);
if (!Number.isSafeInteger(ROWS) || ROWS < 20)
  throw new Error(`--rows takes a whole number of at least 20 (the mask check samples ids 1..20), not ${options.rows}`);
if (!Number.isSafeInteger(RUNS) || RUNS < 1) throw new Error(`--runs takes a positive whole number, not ${options.runs}`);
const SELECTED = new Set(options.cases.split(',').map((c) => c.trim()));
for (const c of SELECTED)
  if (!(ALL_CASES as readonly string[]).includes(c)) throw new Error(`unknown case "${c}"; cases are ${ALL_CASES.join(', ')}`);

const PASSWORD = 'bench-password';
const SPLIT = '32MB';
const MASKED_COLUMNS = ['email', 'last_name', 'phone'];

interface Run {
  readonly seconds: number;
  readonly rssKb: number | undefined;
  /** CPU time of the pgtwin process (all its threads). */
  readonly cpuMs: number | undefined;
  /** pgtwin's own total (report.durationMs): the wall time minus process start, module loading and config. */
  readonly syncMs: number | undefined;
  /** First chunk started to last chunk committed, from pgtwin.run_chunks on the target. */
  readonly copyMs: number | undefined;
  readonly chunks: number | undefined;
}

/** Where the machine's CPU went during one run (Linux /proc; undefined elsewhere). */
interface RunCpu {
  readonly sourceMs: number | undefined;
  readonly targetMs: number | undefined;
  /** CPU used by everything, over the wall time of all CPUs: 1.0 = every core busy the whole run. */
  readonly busy: number | undefined;
}

interface Case {
  readonly id: CaseId;
  readonly name: string;
  readonly masked: boolean;
  /** Untimed setup before each run. */
  readonly before?: () => Promise<unknown>;
  readonly once: () => Promise<Run>;
}

interface CaseResult {
  readonly id: CaseId;
  readonly name: string;
  readonly runs: readonly Run[];
  readonly medianSeconds: number;
  readonly rowsPerSecond: number;
  readonly mbPerSecond: number;
  /** Baseline median / this median: throughput relative to (a); higher is faster. */
  readonly ratio: number | undefined;
  /**
   * Median over rounds of (a's time / this case's time) within the same round:
   * steadier than the ratio of medians when the machine's speed drifts during
   * the run (a shared host), since a round's cases run back to back.
   */
  readonly pairedRatio: number | undefined;
  readonly peakRssMb: number | undefined;
  readonly medianSyncSeconds: number | undefined;
  readonly medianCopySeconds: number | undefined;
  readonly medianCpuSeconds: number | undefined;
  readonly medianSourceCpuSeconds: number | undefined;
  readonly medianTargetCpuSeconds: number | undefined;
  readonly medianBusy: number | undefined;
  /** Per run, in the order of `runs`. */
  readonly cpuByRun: readonly RunCpu[];
  readonly chunks: number | undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function medianOf(values: ReadonlyArray<number | undefined>): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length === 0 ? undefined : median(present);
}

/** What the pgcopydb on PATH can do; undefined where there is none. */
function pgcopydbInfo(): { version: string; splits: boolean } | undefined {
  try {
    const version = execFileSync('pgcopydb', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const help = execFileSync('pgcopydb', ['copy', 'table-data', '--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { version: /pgcopydb version (\S+)/.exec(version)?.[1] ?? 'unknown', splits: help.includes('--split-tables-larger-than') };
  } catch {
    return undefined;
  }
}

function hasPsql(): boolean {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const say = (message: string): void => void process.stderr.write(`${message}\n`);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'pgtwin-bench-'));
  // autovacuum off: every run loads the whole table, and the vacuum that
  // triggers would otherwise land in whichever case runs next.
  const settings = {
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_wal_size: '4GB',
    shared_buffers: '512MB',
    autovacuum: 'off',
  };
  const [source, target] = await Promise.all([
    startEmbeddedServer({
      dataDir: join(base, 'source'),
      password: PASSWORD,
      ephemeral: true,
      settings: { ...settings, wal_level: 'logical' },
    }),
    startEmbeddedServer({ dataDir: join(base, 'target'), password: PASSWORD, ephemeral: true, settings }),
  ]);
  const sourceUrl = source.url();
  const targetUrl = target.url();
  const s = new pg.Client({ connectionString: sourceUrl });
  const t = new pg.Client({ connectionString: targetUrl });
  try {
    await Promise.all([s.connect(), t.connect()]);
    say(`generating ${ROWS.toLocaleString('en-US')} rows...`);
    await generateUsers(s, ROWS, say);
    await t.query(USERS_DDL);
    const bytes = await copyTextBytes(s);
    const heapBytes = Number((await s.query<{ n: string }>(`SELECT pg_relation_size('users')::text AS n`)).rows[0]?.n ?? 0);
    say(`${(bytes / 1e6).toFixed(0)} MB of COPY text, heap ${(heapBytes / 1e6).toFixed(0)} MB`);

    const cwd = await mkdtemp(join(tmpdir(), 'pgtwin-bench-cfg-'));
    const plainConfig = join(cwd, 'plain.yaml');
    const maskedConfig = join(cwd, 'masked.yaml');
    await writeFile(plainConfig, `options:\n  show_progress: false\n`);
    await writeFile(
      maskedConfig,
      `options:\n  show_progress: false\nanonymize:\n  users:\n    email: email\n    phone: phone\n    last_name: last_name\n`,
    );
    // A fresh high-entropy key per bench run: the key checker refuses weak ones, and no key is kept anywhere.
    const env = { PGTWIN_SECRET: randomBytes(32).toString('hex') };
    // The built CLI (dist/, as bin/pgtwin runs it; `npm run bench` builds first), wrapped to report its peak RSS and CPU time.
    const cli = fileURLToPath(new URL('./support/cli-with-rss.mjs', import.meta.url));

    const pgtwin = (masked: boolean, extra: readonly string[]) => async (): Promise<Run> => {
      const argv = [
        ...(options.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profile}`]),
        cli,
        'sync',
        '--config',
        masked ? maskedConfig : plainConfig,
        '--from',
        sourceUrl,
        '--to',
        targetUrl,
        '--yes',
        '--json',
        ...extra,
      ];
      const r = await runChild(process.execPath, argv, { rss: true, env });
      const report = JSON.parse(r.stdout) as {
        runId: number;
        durationMs: number;
        totalRows: number;
        tables: Array<{ maskedColumns: string[] }>;
      };
      const maskedColumns = [...(report.tables[0]?.maskedColumns ?? [])].sort();
      const expected = masked ? MASKED_COLUMNS : [];
      if (report.totalRows !== ROWS || maskedColumns.join(',') !== expected.join(',')) {
        throw new Error(
          `pgtwin reported ${report.totalRows} rows with masked columns [${maskedColumns.join(', ')}], expected ${ROWS} and [${expected.join(', ')}]`,
        );
      }
      // committed_at defaults to now(), the chunk transaction's start; it ends duration_ms later.
      const phase = await t.query<{ ms: string; chunks: string }>(
        `SELECT round(extract(epoch FROM max(committed_at + duration_ms * interval '1 ms') - min(committed_at)) * 1000)::text AS ms, count(*)::text AS chunks
           FROM pgtwin.run_chunks WHERE run_id = $1`,
        [report.runId],
      );
      const row = phase.rows[0];
      return {
        seconds: r.seconds,
        rssKb: r.rssKb,
        cpuMs: r.cpuMs,
        syncMs: report.durationMs,
        copyMs: row === undefined ? undefined : Number(row.ms),
        chunks: row === undefined ? undefined : Number(row.chunks),
      };
    };

    const psql = hasPsql();
    /** The raw pipe into the target's users table, then `after` on the target (in the timed run). */
    const pipe = async (after: string): Promise<Run> => {
      const started = performance.now();
      if (psql) {
        const then = after === '' ? '' : ` && psql "${targetUrl}" -qc "${after}"`;
        await runChild(
          'bash',
          ['-c', `psql "${sourceUrl}" -qc "COPY users TO STDOUT" | psql "${targetUrl}" -qc "COPY users FROM STDIN"${then}`],
          {
            rss: false,
          },
        );
      } else {
        await pipeline(s.query(copyStreams.to('COPY users TO STDOUT')), t.query(copyStreams.from('COPY users FROM STDIN')));
        if (after !== '') await t.query(after);
      }
      const seconds = (performance.now() - started) / 1000;
      return { seconds, rssKb: undefined, cpuMs: undefined, syncMs: undefined, copyMs: undefined, chunks: undefined };
    };
    const pgcopydb = SELECTED.has('p') ? pgcopydbInfo() : undefined;
    if (SELECTED.has('p') && pgcopydb === undefined) say('case p skipped: pgcopydb is not installed (Debian: apt-get install pgcopydb)');
    const tableJobs = String(availableParallelism());
    const cases: Case[] = [
      {
        id: 'a',
        name: psql ? 'a: psql COPY pipe (baseline)' : 'a: pg-copy-streams pipe (baseline; psql not on PATH)',
        masked: false,
        // pgtwin truncates inside its timed run; the pipe cannot.
        before: () => t.query('TRUNCATE users'),
        once: () => pipe(''),
      },
      {
        id: 'k',
        name: psql ? 'k: psql COPY pipe, key dropped first and built after' : 'k: pg-copy-streams pipe, key dropped first and built after',
        masked: false,
        // The same work as pgtwin's refresh of a table with a key: load without it, build it on the rows.
        before: () => t.query('TRUNCATE users; ALTER TABLE users DROP CONSTRAINT users_pkey'),
        once: () => pipe('ALTER TABLE users ADD PRIMARY KEY (id)'),
      },
      { id: 'b', name: 'b: sync, unmasked', masked: false, once: pgtwin(false, []) },
      { id: 'b1', name: 'b1: sync, unmasked, --jobs 1', masked: false, once: pgtwin(false, ['--jobs', '1']) },
      { id: 'c', name: 'c: sync, masking email, phone, last_name', masked: true, once: pgtwin(true, []) },
      { id: 'c0', name: 'c0: c, masking on the copying thread', masked: true, once: pgtwin(true, ['--mask-workers', '0']) },
      { id: 'c1', name: 'c1: c, one masking thread', masked: true, once: pgtwin(true, ['--mask-workers', '1']) },
      { id: 'c2', name: 'c2: c, two masking threads', masked: true, once: pgtwin(true, ['--mask-workers', '2']) },
      { id: 'd', name: 'd: c with --jobs 1', masked: true, once: pgtwin(true, ['--jobs', '1']) },
      { id: 'e', name: `e: sync, unmasked, split > ${SPLIT}`, masked: false, once: pgtwin(false, ['--split-tables-larger-than', SPLIT]) },
      { id: 'f', name: `f: sync, masked, split > ${SPLIT}`, masked: true, once: pgtwin(true, ['--split-tables-larger-than', SPLIT]) },
      { id: 'w', name: 'w: sync, unmasked, never split', masked: false, once: pgtwin(false, ['--split-tables-larger-than', '1TB']) },
      ...(pgcopydb === undefined
        ? []
        : [
            {
              id: 'p' as const,
              name: `p: pgcopydb ${pgcopydb.version} table-data, ${pgcopydb.splits ? `split > ${SPLIT}` : 'no split'}`,
              masked: false,
              // Like pgtwin, it truncates inside its run; truncating first keeps its table as empty as the pipe's.
              before: () => t.query('TRUNCATE users'),
              once: async (): Promise<Run> => {
                const dir = await mkdtemp(join(tmpdir(), 'pgtwin-bench-pgcopydb-'));
                try {
                  const argv = [
                    'copy',
                    'table-data',
                    '--source',
                    sourceUrl,
                    '--target',
                    targetUrl,
                    '--dir',
                    dir,
                    '--table-jobs',
                    tableJobs,
                  ];
                  if (pgcopydb.splits) argv.push('--split-tables-larger-than', SPLIT);
                  const r = await runChild('pgcopydb', argv, { rss: false });
                  return {
                    seconds: r.seconds,
                    rssKb: undefined,
                    cpuMs: undefined,
                    syncMs: undefined,
                    copyMs: undefined,
                    chunks: undefined,
                  };
                } finally {
                  await rm(dir, { recursive: true, force: true });
                }
              },
            },
          ]),
    ].filter((c) => SELECTED.has(c.id)) as Case[];

    const loadBefore = load();
    say(`load average before the cases: ${loadBefore} (${availableParallelism()} CPUs)`);
    // Round robin (a b c ... a b c ...) rather than case after case, so a burst
    // of load from elsewhere on the machine spreads over every case instead of
    // skewing one ratio.
    const runs = new Map<CaseId, Run[]>(cases.map((c) => [c.id, []]));
    const cpus = new Map<CaseId, RunCpu[]>(cases.map((c) => [c.id, []]));
    const total = (t: CpuTimes | undefined): number | undefined => (t === undefined ? undefined : t.userMs + t.systemMs);
    const delta = (a: number | undefined, b: number | undefined): number | undefined =>
      a === undefined || b === undefined ? undefined : b - a;
    const cpuNow = () => ({
      source: total(serverCpu(join(base, 'source'))),
      target: total(serverCpu(join(base, 'target'))),
      machine: total(machineCpu()),
      at: performance.now(),
    });
    for (let i = 0; i < RUNS; i++) {
      for (const c of cases) {
        // The previous run's dirty pages (or the generation's) are written out
        // now rather than by a checkpoint in the middle of the next case.
        await c.before?.();
        await Promise.all([s.query('CHECKPOINT'), t.query('CHECKPOINT')]);
        const cpuBefore = cpuNow();
        const r = await c.once();
        const cpuAfter = cpuNow();
        const machineMs = delta(cpuBefore.machine, cpuAfter.machine);
        const cpu: RunCpu = {
          sourceMs: delta(cpuBefore.source, cpuAfter.source),
          targetMs: delta(cpuBefore.target, cpuAfter.target),
          busy: machineMs === undefined ? undefined : machineMs / ((cpuAfter.at - cpuBefore.at) * availableParallelism()),
        };
        await checkTarget(s, t, ROWS, c.masked, c.name);
        runs.get(c.id)?.push(r);
        cpus.get(c.id)?.push(cpu);
        const servers =
          cpu.sourceMs === undefined || cpu.targetMs === undefined
            ? ''
            : `; CPU source ${(cpu.sourceMs / 1000).toFixed(2)} s, target ${(cpu.targetMs / 1000).toFixed(2)} s, machine ${Math.round((cpu.busy ?? 0) * 100)}% busy`;
        const detail =
          r.syncMs === undefined
            ? servers
            : `${servers} (in pgtwin ${(r.syncMs / 1000).toFixed(2)} s, copy ${((r.copyMs ?? 0) / 1000).toFixed(2)} s, CPU ${((r.cpuMs ?? 0) / 1000).toFixed(2)} s, ${r.chunks} chunk(s), peak RSS ${((r.rssKb ?? 0) / 1024).toFixed(0)} MB)`;
        say(`${c.name}: run ${i + 1}: ${r.seconds.toFixed(2)} s${detail}`);
      }
    }
    const loadAfter = load();

    // Fixed costs the baseline does not pay, measured once for the reading of the figures.
    const startupTimes: number[] = [];
    for (let i = 0; i < 3; i++) startupTimes.push((await runChild(process.execPath, [cli, '--version'], { rss: true })).seconds);
    const startup = median(startupTimes);
    const analyzeStarted = performance.now();
    await t.query('ANALYZE users');
    const analyzeSeconds = (performance.now() - analyzeStarted) / 1000;

    const baseline = runs.get('a');
    const baselineMedian = baseline === undefined ? undefined : median(baseline.map((r) => r.seconds));
    const results: CaseResult[] = cases.map((c) => {
      const rs = runs.get(c.id) ?? [];
      const med = median(rs.map((r) => r.seconds));
      const rss = rs.map((r) => r.rssKb).filter((v): v is number => v !== undefined);
      const sync = medianOf(rs.map((r) => r.syncMs));
      const copy = medianOf(rs.map((r) => r.copyMs));
      const cpu = medianOf(rs.map((r) => r.cpuMs));
      const cs = cpus.get(c.id) ?? [];
      const sourceCpu = medianOf(cs.map((x) => x.sourceMs));
      const targetCpu = medianOf(cs.map((x) => x.targetMs));
      return {
        id: c.id,
        name: c.name,
        runs: rs,
        medianSeconds: med,
        rowsPerSecond: ROWS / med,
        mbPerSecond: bytes / 1e6 / med,
        ratio: baselineMedian === undefined ? undefined : baselineMedian / med,
        pairedRatio: baseline === undefined ? undefined : median(rs.map((r, i) => (baseline[i]?.seconds ?? NaN) / r.seconds)),
        peakRssMb: rss.length > 0 ? Math.max(...rss) / 1024 : undefined,
        medianSyncSeconds: sync === undefined ? undefined : sync / 1000,
        medianCopySeconds: copy === undefined ? undefined : copy / 1000,
        medianCpuSeconds: cpu === undefined ? undefined : cpu / 1000,
        medianSourceCpuSeconds: sourceCpu === undefined ? undefined : sourceCpu / 1000,
        medianTargetCpuSeconds: targetCpu === undefined ? undefined : targetCpu / 1000,
        medianBusy: medianOf(cs.map((x) => x.busy)),
        cpuByRun: cs,
        chunks: rs[0]?.chunks,
      };
    });

    const machine = {
      cpus: availableParallelism(),
      cpuModel: cpuModel(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      postgres: postgresVersion(),
      baseline: psql ? execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim() : 'pg-copy-streams pipe in the bench process',
    };
    const cell = (v: number | undefined, digits: number, unit = ''): string => (v === undefined ? '' : `${v.toFixed(digits)}${unit}`);
    const header = `${'case'.padEnd(44)} ${'time'.padStart(8)} ${'rows/s'.padStart(9)} ${'MB/s'.padStart(6)} ${'ratio'.padStart(5)} ${'paired'.padStart(6)} ${'peak RSS'.padStart(8)} ${'in pgtwin'.padStart(9)} ${'copy'.padStart(7)} ${'CPU'.padStart(7)} ${'src CPU'.padStart(7)} ${'tgt CPU'.padStart(7)} ${'busy'.padStart(5)} chunks`;
    const lines = results.map((r) =>
      [
        r.name.padEnd(44),
        `${r.medianSeconds.toFixed(2)} s`.padStart(8),
        Math.round(r.rowsPerSecond).toLocaleString('en-US').padStart(9),
        r.mbPerSecond.toFixed(1).padStart(6),
        (r.ratio === undefined ? 'n/a' : r.ratio.toFixed(2)).padStart(5),
        (r.pairedRatio === undefined ? 'n/a' : r.pairedRatio.toFixed(2)).padStart(6),
        cell(r.peakRssMb, 0, ' MB').padStart(8),
        cell(r.medianSyncSeconds, 2, ' s').padStart(9),
        cell(r.medianCopySeconds, 2, ' s').padStart(7),
        cell(r.medianCpuSeconds, 2, ' s').padStart(7),
        cell(r.medianSourceCpuSeconds, 2, ' s').padStart(7),
        cell(r.medianTargetCpuSeconds, 2, ' s').padStart(7),
        cell(r.medianBusy === undefined ? undefined : r.medianBusy * 100, 0, '%').padStart(5),
        r.chunks === undefined ? '' : String(r.chunks).padStart(6),
      ].join(' '),
    );
    const ratios = results.flatMap((r) =>
      r.id === 'a' || r.ratio === undefined ? [] : [`${r.id}/a ${r.ratio.toFixed(2)} (paired ${r.pairedRatio?.toFixed(2) ?? 'n/a'})`],
    );
    process.stdout.write(
      [
        '',
        `${ROWS.toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(0)} MB of COPY text (heap ${(heapBytes / 1e6).toFixed(0)} MB); median of ${RUNS}; ratio = baseline time / case time (higher is faster), paired = median of that ratio within each round`,
        `${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.postgres} (embedded) on both sides; baseline: ${machine.baseline}`,
        `load average before ${loadBefore}, after ${loadAfter}`,
        header,
        ...lines,
        ratios.length > 0 ? `ratios: ${ratios.join(', ')}` : 'ratios: n/a (case a not run)',
        `fixed costs: pgtwin process start to exit (--version) ${startup.toFixed(2)} s; ANALYZE users on the target ${analyzeSeconds.toFixed(2)} s`,
        '',
      ].join('\n'),
    );
    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    await mkdir(dir, { recursive: true });
    const out = join(dir, `sync-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(
      out,
      JSON.stringify(
        {
          rows: ROWS,
          bytes,
          heapBytes,
          runs: RUNS,
          split: SPLIT,
          machine,
          load: { before: loadBefore, after: loadAfter },
          fixedCosts: { startupSeconds: startup, analyzeSeconds },
          results,
        },
        null,
        2,
      ) + '\n',
    );
    process.stdout.write(`written ${out}\n`);
    await rm(cwd, { recursive: true, force: true });
  } finally {
    await Promise.all([s.end().catch(() => undefined), t.end().catch(() => undefined)]);
    await Promise.all([source.stop(), target.stop()]);
    await rm(base, { recursive: true, force: true });
  }
}

await main();
