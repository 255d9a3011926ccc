/**
 * `npm run bench:follow`: how fast `pgtwin follow` applies changes, and how far
 * behind the source it stays under a steady load. Starts an embedded source
 * (wal_level=logical) and target, creates pgbench-like tables and the
 * publication pgtwin on the source, then for each variant (unmasked; masking
 * accounts.filler and history.filler with lorem) on a fresh twin database:
 *
 *   snapshot   follow's first start: slot created, twin loaded from its snapshot, stopped.
 *   phase A    a backlog of --backlog transactions written as fast as possible
 *              while follow is stopped; follow started again and timed until it
 *              has applied all of them: apply throughput in changes/s.
 *   phase B    with follow running, --rate transactions/s for --seconds: lag of
 *              every transaction, twin commit time minus source commit time
 *              (track_commit_timestamp on both servers, same clock).
 *
 * Then references that bound the design: the source decoding the same backlog
 * with no client (pg_logical_slot_get_binary_changes), and the target running
 * an UPDATE by key one row per round trip, 500 literal statements per round
 * trip (the applier's shape before multi-row statements), and one 500-row
 * UPDATE ... FROM (VALUES ...) (the applier's shape now, src/apply/table-sql.ts).
 *
 *   npm run bench:follow [-- --backlog 20000 --rate 2000 --seconds 20 --writers 4
 *                            --accounts 100000 --variants plain,masked --generator auto|pgbench|node --profile]
 *
 * follow runs in a child process (bench/support/follow-child.ts) so its CPU
 * can be read apart from the generator's; --profile writes its V8 CPU profile
 * to bench/results/.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startEmbeddedServer } from '../src/pg/embedded-server.js';
import { cpuModel, postgresVersion } from './support/machine.js';
import type { FollowChildArgs, FollowChildMessage } from './support/follow-child.js';
import { machineCpu, processCpu, serverCpu, type CpuTimes } from './support/proc-cpu.js';
import {
  CHANGES_PER_TRANSACTION,
  createTpcb,
  pgbenchVersion,
  runNodeLoad,
  runPgbench,
  tpcbScale,
  type LoadRequest,
  type LoadResult,
} from './support/tpcb-load.js';

const VARIANTS = ['plain', 'masked'] as const;
type Variant = (typeof VARIANTS)[number];

const { values: options } = parseArgs({
  options: {
    backlog: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    writers: { type: 'string', default: '4' },
    accounts: { type: 'string', default: '100000' },
    variants: { type: 'string', default: VARIANTS.join(',') },
    generator: { type: 'string', default: 'auto' },
    profile: { type: 'boolean', default: false },
  },
  strict: true,
});
const wholeNumber = (name: string, text: string, min: number): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} takes a whole number of at least ${min}, not ${text}`);
  return n;
};
const WRITERS = wholeNumber('writers', options.writers, 1);
// A whole number of transactions per writer: pgbench -t counts per client.
const BACKLOG = Math.ceil(wholeNumber('backlog', options.backlog, 1) / WRITERS) * WRITERS;
const RATE = wholeNumber('rate', options.rate, 1);
const SECONDS = wholeNumber('seconds', options.seconds, 1);
const ACCOUNTS = wholeNumber('accounts', options.accounts, 1000);
const SELECTED = options.variants.split(',').map((v) => v.trim());
for (const v of SELECTED)
  if (!(VARIANTS as readonly string[]).includes(v)) throw new Error(`unknown variant "${v}"; variants are ${VARIANTS.join(', ')}`);
if (!['auto', 'pgbench', 'node'].includes(options.generator))
  throw new Error(`--generator is auto, pgbench or node, not ${options.generator}`);

const GOAL_CHANGES_PER_SECOND = 20_000;
const GOAL_P99_MS = 1000;
const GOAL_RATE = 2000;
const PASSWORD = 'bench-password';
const SERVER_SETTINGS = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_wal_size: '4GB',
  shared_buffers: '512MB',
  track_commit_timestamp: 'on',
};
/**
 * The source commits synchronously, as production sources do: a logical
 * walsender sends only flushed WAL, so with asynchronous commit every
 * transaction would wait up to wal_writer_delay (200 ms) before it is even
 * sent, and that wait would be counted as the follow's lag. With fsync=off the
 * flush costs a write(), not a disk sync.
 */
const SOURCE_SETTINGS = {
  ...SERVER_SETTINGS,
  synchronous_commit: 'on',
  wal_level: 'logical',
  max_replication_slots: 8,
  max_wal_senders: 8,
};
const TARGET_SETTINGS = SERVER_SETTINGS;
const MASKED_YAML = 'anonymize:\n  accounts:\n    filler: lorem\n  history:\n    filler: lorem\n';
/** Same zone and style on both sides: mtime::text is part of the key that pairs a transaction's rows. */
const SESSION = { options: '-c TimeZone=UTC -c DateStyle=ISO,MDY' };

const say = (message: string): void => void process.stderr.write(`${message}\n`);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const epochMs = (): number => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------- the follow child

interface Committed {
  readonly at: number;
  readonly transactions: number;
  readonly changes: number;
  /** Changes applied by this process up to and including this batch. */
  readonly total: number;
}

class FollowProcess {
  changes = 0;
  readonly batches: Committed[] = [];
  readonly following: Promise<number>;
  readonly done: Promise<Extract<FollowChildMessage, { type: 'done' }>>;
  private waiters: Array<{ readonly changes: number; readonly resolve: (at: number) => void }> = [];
  private failure: Error | undefined;
  private readonly child: ChildProcess;

  constructor(args: FollowChildArgs, env: Readonly<Record<string, string>>, profileDir: string | undefined) {
    const script = fileURLToPath(new URL('./support/follow-child.ts', import.meta.url));
    const execArgv = ['--import', 'tsx', ...(profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir])];
    this.child = fork(script, [JSON.stringify(args)], {
      execArgv,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let following!: (at: number) => void;
    let done!: (m: Extract<FollowChildMessage, { type: 'done' }>) => void;
    let failed!: (error: Error) => void;
    this.following = new Promise((resolve) => (following = resolve));
    this.done = new Promise((resolve, reject) => {
      done = resolve;
      failed = reject;
    });
    const rejectAll = (error: Error): void => {
      this.failure ??= error;
      failed(error);
    };
    // Whoever awaits `following` learns of a failure through `done` or the next wait.
    this.done.catch(() => undefined);
    this.child.on('message', (m: FollowChildMessage) => {
      switch (m.type) {
        case 'following':
          following(m.at);
          return;
        case 'committed':
          this.changes += m.changes;
          this.batches.push({ at: m.at, transactions: m.transactions, changes: m.changes, total: this.changes });
          this.waiters = this.waiters.filter((w) => (this.changes >= w.changes ? (w.resolve(m.at), false) : true));
          return;
        case 'warning':
          say(`follow: warning: ${m.message}`);
          return;
        case 'done':
          done(m);
          return;
        case 'failed':
          rejectAll(new Error(`follow failed: ${m.message}`));
          return;
      }
    });
    this.child.on('error', (error) => rejectAll(error));
    // 'close', not 'exit': by then every message it sent has been delivered.
    this.child.on('close', (code) => rejectAll(new Error(`the follow process exited (${code}) without reporting`)));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves with the child's clock at the commit that brought the applied total to `changes`. */
  async waitForChanges(changes: number, timeoutMs: number): Promise<number> {
    if (this.failure !== undefined) throw this.failure;
    // Already there (a short load can be applied before the caller asks): the batch that got there.
    const past = this.batches.find((b) => b.total >= changes);
    if (past !== undefined) return past.at;
    const reached = new Promise<number>((resolve) => this.waiters.push({ changes, resolve }));
    const timeout = sleep(timeoutMs, undefined, { ref: false }).then(() => {
      throw new Error(`follow applied ${this.changes} changes, not ${changes}, within ${timeoutMs / 1000} s`);
    });
    return Promise.race([reached, timeout, this.done.then(() => Promise.reject(new Error('follow stopped early')))]);
  }

  async whenFollowing(): Promise<number> {
    return Promise.race([this.following, this.done.then(() => Promise.reject(new Error('follow stopped before streaming')))]);
  }

  async stop(): Promise<Extract<FollowChildMessage, { type: 'done' }>> {
    if (this.child.connected) this.child.send({ type: 'stop' });
    return this.done;
  }
}

// ---------------------------------------------------------------- CPU readings

interface Pids {
  readonly follow: number | undefined;
  /** The target backend running the applier's statements. */
  readonly applier: number | undefined;
  readonly walsender: number | undefined;
}

type CpuReading = Record<(typeof COMPONENTS)[number], CpuTimes | undefined> & { readonly at: number; readonly steal: number | undefined };

/** CPU seconds used over a window. */
interface CpuUse {
  readonly user: number;
  readonly system: number;
}

interface CpuSplit {
  readonly wallSeconds: number;
  readonly cpuSeconds: Record<string, CpuUse | undefined>;
  /** CPU seconds the hypervisor gave to other guests over the window. */
  readonly stealSeconds: number | undefined;
}

function cpuUse(a: CpuTimes | undefined, b: CpuTimes | undefined): CpuUse | undefined {
  return a === undefined || b === undefined ? undefined : { user: (b.userMs - a.userMs) / 1000, system: (b.systemMs - a.systemMs) / 1000 };
}

const COMPONENTS = ['follow', 'applier', 'walsender', 'target', 'source', 'machine'] as const;
const COMPONENT_NAMES: Record<(typeof COMPONENTS)[number] | 'generator', string> = {
  machine: 'machine, every process',
  follow: 'pgtwin follow (node)',
  applier: 'target backend (applier)',
  walsender: 'source walsender',
  target: 'target server, all',
  source: 'source server, all',
  generator: 'load generator',
};

function cpuSplit(a: CpuReading, b: CpuReading, extra: Record<string, CpuUse | undefined> = {}): CpuSplit {
  const cpuSeconds: Record<string, CpuUse | undefined> = {};
  for (const k of COMPONENTS) cpuSeconds[k] = cpuUse(a[k], b[k]);
  const stealSeconds = a.steal === undefined || b.steal === undefined ? undefined : (b.steal - a.steal) / 1000;
  return { wallSeconds: (b.at - a.at) / 1000, cpuSeconds: { ...cpuSeconds, ...extra }, stealSeconds };
}

// ---------------------------------------------------------------- helpers

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

/** Counts per whole second since `from`: how the load and the apply moved over the run. */
function timeline(
  from: number,
  sourceCommits: readonly number[],
  batches: readonly Committed[],
): { sourceTransactions: number[]; batches: number[]; appliedChanges: number[] } {
  const bucket = (at: number): number => Math.max(0, Math.floor((at - from) / 1000));
  const seconds = [...sourceCommits, ...batches.map((b) => b.at)].reduce((m, at) => Math.max(m, bucket(at)), 0) + 1;
  const result = {
    sourceTransactions: new Array<number>(seconds).fill(0),
    batches: new Array<number>(seconds).fill(0),
    appliedChanges: new Array<number>(seconds).fill(0),
  };
  for (const at of sourceCommits) result.sourceTransactions[bucket(at)]! += 1;
  for (const b of batches) {
    result.batches[bucket(b.at)]! += 1;
    result.appliedChanges[bucket(b.at)]! += b.changes;
  }
  return result;
}

async function scalar<T>(client: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  const r = await client.query<{ v: T }>(sql, params);
  return r.rows[0]?.v as T;
}

/** Commit time (epoch ms) of the transaction that wrote each history row since `since`, keyed by what pairs the two sides. */
async function commitTimes(client: pg.Client, since: string): Promise<Map<string, number>> {
  const r = await client.query<{ k: string; t: number }>(
    `SELECT mtime::text || '|' || aid || '|' || tid || '|' || delta AS k, (extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000)::float8 AS t
       FROM history WHERE mtime >= $1::timestamptz`,
    [since],
  );
  return new Map(r.rows.map((row) => [row.k, row.t]));
}

/** The twin holds what the source holds: balances are never masked, so their sums must agree. */
async function checkConverged(s: pg.Client, t: pg.Client, masked: boolean): Promise<void> {
  const sql = `SELECT (SELECT count(*) FROM history)::text || '/' || (SELECT sum(abalance) FROM accounts) || '/' || (SELECT sum(tbalance) FROM tellers) || '/' || (SELECT sum(bbalance) FROM branches) AS v`;
  const [a, b] = await Promise.all([scalar<string>(s, sql), scalar<string>(t, sql)]);
  if (a !== b) throw new Error(`the twin did not converge: source ${a}, twin ${b} (history rows/accounts/tellers/branches balance sums)`);
  const filler = `SELECT filler AS v FROM accounts WHERE aid = 1`;
  const [sf, tf] = await Promise.all([scalar<string>(s, filler), scalar<string>(t, filler)]);
  if ((sf === tf) === masked) throw new Error(`accounts.filler is ${masked ? 'not masked' : 'masked'} on the twin: "${tf}"`);
}

async function dropSlot(s: pg.Client, slot: string): Promise<void> {
  // The walsender of a follow that just stopped may hold the slot for a moment.
  for (let i = 0; ; i++) {
    try {
      await s.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
      return;
    } catch (error) {
      if (i >= 50) throw error;
      await sleep(100);
    }
  }
}

// ---------------------------------------------------------------- results

interface VariantResult {
  readonly variant: Variant;
  readonly snapshot: { readonly seconds: number; readonly startToFollowingSeconds: number };
  readonly backlog: {
    readonly transactions: number;
    readonly changes: number;
    readonly generateSeconds: number;
    readonly walBytes: number;
    readonly restartToFollowingSeconds: number;
    readonly applySeconds: number;
    readonly changesPerSecond: number;
    readonly transactionsPerSecond: number;
    readonly batches: number;
    readonly cpu: CpuSplit;
  };
  readonly steady: {
    readonly targetRate: number;
    readonly seconds: number;
    readonly transactions: number;
    /** Source commits per second between the first and the last commit of the load. */
    readonly achievedRate: number;
    readonly generatorReportedSeconds: number;
    readonly lagMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
    /** Worst lag of the transactions committed in each second of the load. */
    readonly maxLagPerSecondMs: number[];
    /** Per second of the load: source commits, and the twin's batches and changes committed. */
    readonly timeline: { readonly sourceTransactions: number[]; readonly batches: number[]; readonly appliedChanges: number[] };
    readonly batches: number;
    readonly transactionsPerBatch: number;
    /** Load end to the twin holding its last transaction. */
    readonly drainSeconds: number;
    readonly cpu: CpuSplit;
  };
}

interface References {
  readonly decode: {
    readonly transactions: number;
    readonly changes: number;
    readonly seconds: number;
    readonly changesPerSecond: number;
    readonly backendCpu: CpuUse | undefined;
  };
  readonly perRow: ApplyReference;
  readonly literalBatch: ApplyReference;
  readonly multiRow: ApplyReference;
}

interface ApplyReference {
  readonly rows: number;
  /** Rows per round trip. */
  readonly rowsPerRoundTrip: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly nodeCpu: CpuUse;
  readonly backendCpu: CpuUse | undefined;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const generatorVersion = options.generator === 'node' ? undefined : await pgbenchVersion();
  if (options.generator === 'pgbench' && generatorVersion === undefined) throw new Error('--generator pgbench: pgbench is not on the PATH');
  const base = await mkdtemp(join(tmpdir(), 'pgtwin-bench-follow-'));
  const work = await mkdtemp(join(tmpdir(), 'pgtwin-bench-follow-cfg-'));
  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(resultsDir, { recursive: true });
  const sourceDir = join(base, 'source');
  const targetDir = join(base, 'target');
  const [source, target] = await Promise.all([
    startEmbeddedServer({
      dataDir: sourceDir,
      password: PASSWORD,
      ephemeral: true,
      settings: SOURCE_SETTINGS,
    }),
    startEmbeddedServer({ dataDir: targetDir, password: PASSWORD, ephemeral: true, settings: TARGET_SETTINGS }),
  ]);
  const sourceUrl = source.url();
  const s = new pg.Client({ connectionString: sourceUrl, ...SESSION });
  const admin = new pg.Client({ connectionString: target.url(), ...SESSION });
  const scale = tpcbScale(ACCOUNTS);
  const loadRun = (request: Omit<LoadRequest, 'url' | 'scale' | 'writers'>): Promise<LoadResult> => {
    const full = { ...request, url: sourceUrl, scale, writers: WRITERS };
    return generatorVersion === undefined ? runNodeLoad(full) : runPgbench(full, work);
  };
  const secret = randomBytes(32).toString('hex');
  const results: VariantResult[] = [];
  try {
    await Promise.all([s.connect(), admin.connect()]);
    say(
      `creating pgbench-like tables on the source: ${scale.accounts.toLocaleString('en-US')} accounts, ${scale.tellers} tellers, ${scale.branches} branches`,
    );
    await createTpcb(s, scale);
    const loadBefore = load();
    say(`load average before: ${loadBefore} (${availableParallelism()} CPUs); generator: ${generatorVersion ?? 'node'}`);

    for (const variant of SELECTED as Variant[]) {
      results.push(await runVariant(variant));
    }
    const references = await runReferences();
    const loadAfter = load();
    await report(results, references, loadBefore, loadAfter);
  } finally {
    await Promise.all([s.end().catch(() => undefined), admin.end().catch(() => undefined)]);
    await Promise.all([source.stop(), target.stop()]);
    await rm(base, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }

  async function runVariant(variant: Variant): Promise<VariantResult> {
    const database = `twin_${variant}`;
    const slot = `pgtwin_bench_${variant}`;
    const cwd = join(work, variant);
    await mkdir(cwd, { recursive: true });
    if (variant === 'masked') await writeFile(join(cwd, 'pgtwin.yaml'), MASKED_YAML);
    await admin.query(`CREATE DATABASE ${database}`);
    const t = new pg.Client({ connectionString: target.url(database), ...SESSION });
    await t.connect();
    const args: FollowChildArgs = { cwd, source: sourceUrl, target: target.url(database), slot };
    // A fresh high-entropy key per run; the key checker refuses weak ones.
    const env = { PGTWIN_SECRET: secret };
    const history = (): Promise<number> => scalar<string>(s, 'SELECT count(*)::text AS v FROM history').then(Number);
    const reading = (pids: Pids): CpuReading => ({
      at: epochMs(),
      follow: processCpu(pids.follow),
      applier: processCpu(pids.applier),
      walsender: processCpu(pids.walsender),
      target: serverCpu(targetDir),
      source: serverCpu(sourceDir),
      machine: machineCpu(),
      steal: machineCpu()?.stealMs,
    });
    try {
      // Snapshot: the first start creates the slot, so the backlog below is streamed to the next start.
      say(`[${variant}] first follow start: slot ${slot} and snapshot load`);
      const spawned = epochMs();
      const first = new FollowProcess(args, env, undefined);
      const firstFollowing = await first.whenFollowing();
      const firstDone = await first.stop();
      const snapshot = { seconds: (firstDone.snapshotMs ?? Number.NaN) / 1000, startToFollowingSeconds: (firstFollowing - spawned) / 1000 };
      say(
        `[${variant}] snapshot loaded in ${snapshot.seconds.toFixed(2)} s (spawn to streaming ${snapshot.startToFollowingSeconds.toFixed(2)} s)`,
      );

      // Phase A: backlog while stopped, then time the catch-up.
      const walBefore = await scalar<string>(s, 'SELECT pg_current_wal_lsn()::text AS v');
      const generated = await loadRun({ transactions: BACKLOG });
      const walBytes = Number(await scalar<string>(s, 'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS v', [walBefore]));
      const backlogChanges = generated.transactions * CHANGES_PER_TRANSACTION;
      say(
        `[${variant}] backlog: ${generated.transactions} transactions (${backlogChanges} changes) in ${generated.seconds.toFixed(2)} s by ${generated.generator}, ${(walBytes / 1e6).toFixed(1)} MB of WAL`,
      );
      const restarted = epochMs();
      const follow = new FollowProcess(args, env, options.profile ? resultsDir : undefined);
      try {
        const following = await follow.whenFollowing();
        const pids = await findPids(follow, t);
        const a0 = reading(pids);
        const caughtUp = await follow.waitForChanges(backlogChanges, 600_000);
        const a1 = reading(pids);
        const applySeconds = (caughtUp - following) / 1000;
        const backlog = {
          transactions: generated.transactions,
          changes: backlogChanges,
          generateSeconds: generated.seconds,
          walBytes,
          restartToFollowingSeconds: (following - restarted) / 1000,
          applySeconds,
          changesPerSecond: backlogChanges / applySeconds,
          transactionsPerSecond: generated.transactions / applySeconds,
          batches: follow.batches.length,
          cpu: cpuSplit(a0, a1),
        };
        say(
          `[${variant}] phase A: applied ${backlogChanges} changes in ${applySeconds.toFixed(2)} s = ${Math.round(backlog.changesPerSecond).toLocaleString('en-US')} changes/s in ${backlog.batches} batches`,
        );

        // Phase B: steady load with follow running.
        await sleep(500);
        const since = await scalar<string>(s, 'SELECT clock_timestamp()::text AS v');
        const rowsBefore = await history();
        const changesBefore = follow.changes;
        const batchesBefore = follow.batches.length;
        const b0 = reading(pids);
        const loadStarted = epochMs();
        const steadyLoad = await loadRun({ rate: RATE, seconds: SECONDS });
        const b1 = reading(pids);
        const loadEnded = epochMs();
        const transactions = (await history()) - rowsBefore;
        const drained = await follow.waitForChanges(changesBefore + transactions * CHANGES_PER_TRANSACTION, 600_000);
        const steadyBatches = follow.batches.slice(batchesBefore);
        await follow.stop();
        await checkConverged(s, t, variant === 'masked');

        const [sourceTimes, twinTimes] = await Promise.all([commitTimes(s, since), commitTimes(t, since)]);
        if (sourceTimes.size !== transactions)
          say(`[${variant}] note: ${transactions} transactions but ${sourceTimes.size} distinct keys; lag is over the distinct ones`);
        const lags: number[] = [];
        const perSecond: number[] = [];
        // reduce, not Math.min(...): a long run has more values than a call takes arguments.
        const firstCommit = [...sourceTimes.values()].reduce((m, v) => Math.min(m, v), Number.POSITIVE_INFINITY);
        const lastCommit = [...sourceTimes.values()].reduce((m, v) => Math.max(m, v), Number.NEGATIVE_INFINITY);
        for (const [key, committed] of sourceTimes) {
          const applied = twinTimes.get(key);
          if (applied === undefined) throw new Error(`transaction ${key} is not on the twin`);
          const lag = applied - committed;
          lags.push(lag);
          const second = Math.floor((committed - firstCommit) / 1000);
          perSecond[second] = Math.max(perSecond[second] ?? 0, lag);
        }
        lags.sort((x, y) => x - y);
        const steady = {
          targetRate: RATE,
          seconds: SECONDS,
          transactions,
          achievedRate: (sourceTimes.size - 1) / ((lastCommit - firstCommit) / 1000),
          generatorReportedSeconds: steadyLoad.seconds,
          lagMs: {
            p50: percentile(lags, 0.5),
            p90: percentile(lags, 0.9),
            p99: percentile(lags, 0.99),
            max: lags[lags.length - 1] ?? Number.NaN,
            mean: lags.reduce((x, y) => x + y, 0) / lags.length,
          },
          maxLagPerSecondMs: Array.from(perSecond, (v) => Math.round(v ?? 0)),
          timeline: timeline(loadStarted, [...sourceTimes.values()], steadyBatches),
          batches: steadyBatches.length,
          transactionsPerBatch: steadyBatches.reduce((x, b) => x + b.transactions, 0) / Math.max(1, steadyBatches.length),
          drainSeconds: Math.max(0, (drained - loadEnded) / 1000),
          cpu: cpuSplit(b0, b1, { generator: cpuUse({ userMs: 0, systemMs: 0 }, steadyLoad.cpu) }),
        };
        say(
          `[${variant}] phase B: ${transactions} transactions at ${steady.achievedRate.toFixed(0)}/s (asked ${RATE}); lag p50 ${steady.lagMs.p50.toFixed(1)} ms, p99 ${steady.lagMs.p99.toFixed(1)} ms, max ${steady.lagMs.max.toFixed(1)} ms`,
        );
        return { variant, snapshot, backlog, steady };
      } finally {
        await follow.stop().catch(() => undefined);
      }
    } finally {
      await t.end().catch(() => undefined);
      await dropSlot(s, slot);
    }
  }

  async function findPids(follow: FollowProcess, t: pg.Client): Promise<Pids> {
    const applier = await scalar<number | null>(
      t,
      `SELECT pid AS v FROM pg_stat_activity WHERE application_name = 'pgtwin follow' AND backend_type = 'client backend' AND datname = current_database() LIMIT 1`,
    );
    const walsender = await scalar<number | null>(
      s,
      `SELECT pid AS v FROM pg_stat_replication WHERE application_name = 'pgtwin follow' LIMIT 1`,
    );
    return { follow: follow.pid, applier: applier ?? undefined, walsender: walsender ?? undefined };
  }

  /** What the parts could do alone: the design's ceilings, to read the follow's figures against. */
  async function runReferences(): Promise<References> {
    // Decoding: the same kind of backlog decoded by pgoutput inside the server, no network, no client.
    say('reference: decoding a backlog in the source (pg_logical_slot_get_binary_changes)');
    await s.query(`SELECT pg_create_logical_replication_slot('pgtwin_bench_decode', 'pgoutput')`);
    let decode: References['decode'];
    try {
      const generated = await loadRun({ transactions: BACKLOG });
      const pid = await scalar<number>(s, 'SELECT pg_backend_pid() AS v');
      const cpu0 = processCpu(pid);
      const started = performance.now();
      const messages = Number(
        await scalar<string>(
          s,
          `SELECT count(*)::text AS v FROM pg_logical_slot_get_binary_changes('pgtwin_bench_decode', NULL, NULL, 'proto_version', '1', 'publication_names', 'pgtwin')`,
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      const cpu1 = processCpu(pid);
      const changes = generated.transactions * CHANGES_PER_TRANSACTION;
      say(`  ${messages} pgoutput messages for ${changes} changes in ${seconds.toFixed(2)} s`);
      decode = {
        transactions: generated.transactions,
        changes,
        seconds,
        changesPerSecond: changes / seconds,
        backendCpu: cpuUse(cpu0, cpu1),
      };
    } finally {
      await dropSlot(s, 'pgtwin_bench_decode');
    }

    // Applying: one UPDATE shape sent three ways (one row per round trip; many
    // statements per round trip, as the applier does; many rows per statement).
    say('reference: UPDATE by key on the target, per row, per batch of statements, multi-row');
    await admin.query('CREATE DATABASE scratch');
    const c = new pg.Client({ connectionString: target.url('scratch'), ...SESSION });
    await c.connect();
    try {
      await c.query(`CREATE TABLE accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84));
        INSERT INTO accounts SELECT g, 1, 0, 'account ' || g FROM generate_series(1, ${scale.accounts}) g`);
      await c.query('VACUUM ANALYZE accounts');
      const pid = await scalar<number>(c, 'SELECT pg_backend_pid() AS v');
      const rows = Math.min(BACKLOG, scale.accounts);
      // Distinct rows (an UPDATE ... FROM must not meet one twice): 7919 is prime, so unless it divides `accounts`, i * 7919 mod accounts does not repeat.
      const aid = (i: number): number => 1 + ((i * 7919) % scale.accounts);
      const timed = async (fn: () => Promise<void>): Promise<{ seconds: number; nodeCpu: CpuUse; backendCpu: CpuUse | undefined }> => {
        const cpu0 = processCpu(pid);
        const node0 = process.cpuUsage();
        const started = performance.now();
        await c.query('BEGIN');
        await fn();
        await c.query('COMMIT');
        const seconds = (performance.now() - started) / 1000;
        const node = process.cpuUsage(node0);
        const cpu1 = processCpu(pid);
        return { seconds, nodeCpu: { user: node.user / 1e6, system: node.system / 1e6 }, backendCpu: cpuUse(cpu0, cpu1) };
      };
      const perRowRun = await timed(async () => {
        for (let i = 0; i < rows; i++) {
          const id = String(aid(i));
          // The applier's shape: every column set, by key, values as text, a named statement (parsed once).
          await c.query({
            name: 'bench_update',
            text: 'UPDATE public.accounts SET aid = $1, bid = $2, abalance = $3, filler = $4 WHERE aid = $5',
            values: [id, '1', String(i), `account ${id}`, id],
          });
        }
      });
      // As many as the applier sent per round trip before multi-row statements; kept, so runs compare across versions.
      const PER_ROUND_TRIP = 500;
      const quote = (v: string): string => `'${v.replace(/'/g, "''")}'`;
      const literalRun = await timed(async () => {
        for (let from = 0; from < rows; from += PER_ROUND_TRIP) {
          const statements = Array.from({ length: Math.min(PER_ROUND_TRIP, rows - from) }, (_, k) => {
            const id = String(aid(from + k));
            return `UPDATE public.accounts SET aid = ${quote(id)}, bid = '1', abalance = ${quote(String(from + k))}, filler = ${quote(`account ${id}`)} WHERE aid = ${quote(id)}`;
          });
          await c.query(statements.join(';\n'));
        }
      });
      // The applier's shape (src/apply/table-sql.ts): literals in a VALUES list typed by its first row.
      const multiRowRun = await timed(async () => {
        for (let from = 0; from < rows; from += PER_ROUND_TRIP) {
          const list = Array.from({ length: Math.min(PER_ROUND_TRIP, rows - from) }, (_, k) => {
            const id = String(aid(from + k));
            const cast = (type: string): string => (k === 0 ? `::${type}` : '');
            return `(${quote(id)}${cast('integer')}, '1'${cast('integer')}, ${quote(String(from + k))}${cast('integer')}, ${quote(`account ${id}`)}${cast('bpchar')})`;
          });
          await c.query(
            `UPDATE public.accounts AS t SET bid = v.bid, abalance = v.abalance, filler = v.filler FROM (VALUES ${list.join(', ')}) AS v(aid, bid, abalance, filler) WHERE t.aid = v.aid`,
          );
        }
      });
      say(
        `  ${rows} rows: per row ${perRowRun.seconds.toFixed(2)} s; statements batched ${literalRun.seconds.toFixed(2)} s; multi-row ${multiRowRun.seconds.toFixed(2)} s`,
      );
      return {
        decode,
        perRow: { rows, rowsPerRoundTrip: 1, ...perRowRun, rowsPerSecond: rows / perRowRun.seconds },
        literalBatch: { rows, rowsPerRoundTrip: PER_ROUND_TRIP, ...literalRun, rowsPerSecond: rows / literalRun.seconds },
        multiRow: { rows, rowsPerRoundTrip: PER_ROUND_TRIP, ...multiRowRun, rowsPerSecond: rows / multiRowRun.seconds },
      };
    } finally {
      await c.end();
    }
  }

  async function report(variants: readonly VariantResult[], references: References, loadBefore: string, loadAfter: string): Promise<void> {
    const machine = {
      cpus: availableParallelism(),
      cpuModel: cpuModel(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      postgres: postgresVersion(),
    };
    const n = (v: number, digits = 0): string =>
      v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    const pad = (cells: readonly string[], widths: readonly number[]): string =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
    const cpuText = (u: CpuUse | undefined): string =>
      u === undefined ? '?' : `${(u.user + u.system).toFixed(2)} s (user ${u.user.toFixed(2)}, system ${u.system.toFixed(2)})`;
    // Per change as well: the applier's cost is per change, and so is any fix's gain.
    const cpuLines = (label: string, split: CpuSplit, changes: number): string[] => [
      `  ${label}: ${split.wallSeconds.toFixed(2)} s wall, ${n(changes)} changes = ${((split.wallSeconds * 1e6) / changes).toFixed(1)} µs wall per change; steal ${split.stealSeconds?.toFixed(2) ?? '?'} s`,
      `    ${'component'.padEnd(26)} ${'CPU s'.padStart(7)} ${'user'.padStart(7)} ${'system'.padStart(7)} ${'% core'.padStart(7)} ${'µs/change'.padStart(10)}`,
      ...Object.entries(split.cpuSeconds)
        .filter((e): e is [string, CpuUse] => e[1] !== undefined)
        .map(([k, v]) => {
          const total = v.user + v.system;
          return `    ${(COMPONENT_NAMES[k as keyof typeof COMPONENT_NAMES] ?? k).padEnd(26)} ${total.toFixed(2).padStart(7)} ${v.user.toFixed(2).padStart(7)} ${v.system.toFixed(2).padStart(7)} ${((100 * total) / split.wallSeconds).toFixed(0).padStart(6)}% ${((total * 1e6) / changes).toFixed(1).padStart(10)}`;
        }),
    ];
    const wA = [8, 10, 14, 12, 10, 12, 10, 8];
    const wB = [8, 10, 10, 8, 9, 9, 9, 9, 12, 8];
    const lines = [
      '',
      `${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.postgres} (embedded) on both sides`,
      `source: ${Object.entries(SOURCE_SETTINGS)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
      `target: ${Object.entries(TARGET_SETTINGS)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
      '  (fsync=off: NOT production durability, on both; track_commit_timestamp times every transaction on both sides)',
      `load: ${scale.accounts.toLocaleString('en-US')} accounts, ${scale.tellers} tellers, ${scale.branches} branches; ${CHANGES_PER_TRANSACTION} changes per transaction; ${WRITERS} writers by ${generatorVersion ?? 'a Node generator'}, on the same ${machine.cpus} CPUs as everything else`,
      `load average before ${loadBefore}, after ${loadAfter}`,
      '',
      'phase A: snapshot, then a backlog applied by a restarted follow (throughput)',
      pad(['variant', 'snapshot', 'backlog', 'generated', 'restart', 'apply', 'changes/s', 'batches'], wA),
      ...variants.map((r) =>
        pad(
          [
            r.variant,
            `${r.snapshot.seconds.toFixed(2)} s`,
            `${n(r.backlog.transactions)} tx`,
            `${n(r.backlog.transactions / r.backlog.generateSeconds)} tx/s`,
            `${r.backlog.restartToFollowingSeconds.toFixed(2)} s`,
            `${r.backlog.applySeconds.toFixed(2)} s`,
            n(r.backlog.changesPerSecond),
            String(r.backlog.batches),
          ],
          wA,
        ),
      ),
      '',
      `phase B: ${RATE} tx/s asked for ${SECONDS} s with follow running (lag = twin commit - source commit, every transaction)`,
      pad(['variant', 'tx', 'achieved', 'p50', 'p90', 'p99', 'max', 'mean', 'tx/batch', 'drain'], wB),
      ...variants.map((r) =>
        pad(
          [
            r.variant,
            n(r.steady.transactions),
            `${n(r.steady.achievedRate)}/s`,
            `${n(r.steady.lagMs.p50, 1)} ms`,
            `${n(r.steady.lagMs.p90, 1)} ms`,
            `${n(r.steady.lagMs.p99, 1)} ms`,
            `${n(r.steady.lagMs.max, 1)} ms`,
            `${n(r.steady.lagMs.mean, 1)} ms`,
            n(r.steady.transactionsPerBatch, 1),
            `${r.steady.drainSeconds.toFixed(2)} s`,
          ],
          wB,
        ),
      ),
      '',
      'where the time goes',
      ...variants.flatMap((r) => [
        ...cpuLines(`${r.variant}, phase A apply`, r.backlog.cpu, r.backlog.changes),
        ...cpuLines(`${r.variant}, phase B load`, r.steady.cpu, r.steady.transactions * CHANGES_PER_TRANSACTION),
      ]),
      '',
      'references (same servers, nothing else running)',
      `  source decoding ${n(references.decode.changes)} changes with pgoutput, no client: ${references.decode.seconds.toFixed(2)} s = ${n(references.decode.changesPerSecond)} changes/s (backend CPU ${cpuText(references.decode.backendCpu)})`,
      ...(
        [
          ['UPDATE by key, named statement, one row per round trip', references.perRow],
          [
            `the same as literal statements, ${references.literalBatch.rowsPerRoundTrip} per round trip (the applier's shape before multi-row statements)`,
            references.literalBatch,
          ],
          [
            `one UPDATE ... FROM (VALUES ...) of ${references.multiRow.rowsPerRoundTrip} rows per round trip (the applier's shape)`,
            references.multiRow,
          ],
        ] as const
      ).flatMap(([label, r]) => [
        `  target, ${label}: ${n(r.rows)} rows in ${r.seconds.toFixed(2)} s = ${n(r.rowsPerSecond)} rows/s`,
        `    node CPU ${cpuText(r.nodeCpu)}, backend CPU ${cpuText(r.backendCpu)}`,
      ]),
      '',
      'goals',
      ...variants.map((r) => {
        const throughput = r.backlog.changesPerSecond >= GOAL_CHANGES_PER_SECOND ? 'met' : 'NOT met';
        // The lag goal is judged only at (about) its rate: a slower load proves nothing about it.
        const lag =
          r.steady.achievedRate < 0.95 * GOAL_RATE
            ? `not judged: the load ran at ${n(r.steady.achievedRate)} tx/s${r.steady.achievedRate < 0.95 * RATE ? ', below the asked rate (the generator could not keep it)' : ''}`
            : `${r.steady.lagMs.p99 < GOAL_P99_MS ? 'met' : 'NOT met'} (${n(r.steady.lagMs.p99, 1)} ms at ${n(r.steady.achievedRate)} tx/s)`;
        return `  ${r.variant}: >= ${n(GOAL_CHANGES_PER_SECOND)} changes/s ${throughput} (${n(r.backlog.changesPerSecond)}); p99 lag < ${GOAL_P99_MS} ms at ${n(GOAL_RATE)} tx/s ${lag}`;
      }),
      '',
    ];
    process.stdout.write(lines.join('\n'));
    const out = join(resultsDir, `follow-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const json = {
      options: {
        backlog: BACKLOG,
        rate: RATE,
        seconds: SECONDS,
        writers: WRITERS,
        accounts: ACCOUNTS,
        generator: generatorVersion ?? 'node',
      },
      machine,
      serverSettings: { source: SOURCE_SETTINGS, target: TARGET_SETTINGS },
      load: { before: loadBefore, after: loadAfter },
      goals: { changesPerSecond: GOAL_CHANGES_PER_SECOND, p99LagMs: GOAL_P99_MS, rate: GOAL_RATE },
      variants,
      references,
    };
    await writeFile(out, JSON.stringify(json, null, 2) + '\n');
    process.stdout.write(`written ${out}\n`);
  }
}

await main();
