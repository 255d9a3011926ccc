/**
 * A pgbench-like (TPC-B-like) schema and load for bench/follow.bench.ts. Each
 * transaction is pgbench's default script: three UPDATEs, one SELECT, one
 * INSERT into history, so four row changes reach the change stream. The
 * history row carries clock_timestamp() in mtime: with (aid, tid, delta) it
 * identifies the transaction on both sides, so its commit time on the source
 * and on the twin can be paired.
 *
 * The load runs with pgbench when it is on the PATH (a C client costs the two
 * cores much less than a Node one), otherwise with the Node generator below.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { processCpu, type CpuTimes } from './proc-cpu.js';

export interface TpcbScale {
  readonly accounts: number;
  /** See BRANCHES_PER_100K. */
  readonly branches: number;
  readonly tellers: number;
}

/**
 * pgbench at scale 1 has a single branches row, which every transaction
 * updates: the writers then queue on that one row lock and the load measures
 * lock waits, not the follow. Ten branches and a hundred tellers per 100,000
 * accounts keep the same shape without that.
 */
const BRANCHES_PER_100K = 10;

export function tpcbScale(accounts: number): TpcbScale {
  const branches = Math.max(1, Math.round((accounts / 100_000) * BRANCHES_PER_100K));
  return { accounts, branches, tellers: branches * 10 };
}

export const TPCB_TABLES = ['accounts', 'tellers', 'branches', 'history'] as const;

/** Row changes in the stream per transaction: 3 UPDATEs and 1 INSERT (the SELECT changes nothing). */
export const CHANGES_PER_TRANSACTION = 4;

export async function createTpcb(client: pg.Client, scale: TpcbScale): Promise<void> {
  await client.query(`
    CREATE TABLE branches (bid int PRIMARY KEY, bbalance int NOT NULL, filler char(88));
    CREATE TABLE tellers (tid int PRIMARY KEY, bid int NOT NULL, tbalance int NOT NULL, filler char(84));
    CREATE TABLE accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84));
    -- No key, like pgbench's: insert-only, so it needs no replica identity.
    CREATE TABLE history (tid int, bid int, aid int, delta int, mtime timestamptz, filler char(22));
    INSERT INTO branches SELECT g, 0, NULL FROM generate_series(1, ${scale.branches}) g;
    INSERT INTO tellers SELECT g, 1 + (g - 1) / 10, 0, NULL FROM generate_series(1, ${scale.tellers}) g;
    INSERT INTO accounts SELECT g, b, 0, 'account ' || g || ' opened at branch ' || b
      FROM generate_series(1, ${scale.accounts}) g, LATERAL (SELECT 1 + (g - 1) / ${Math.ceil(scale.accounts / scale.branches)} AS b) x;
    CREATE PUBLICATION pgtwin FOR TABLE accounts, tellers, branches, history;`);
  // Apart: a multi-statement query is one transaction, and VACUUM refuses to run in one.
  await client.query('VACUUM ANALYZE branches, tellers, accounts, history');
}

export interface LoadRequest {
  readonly url: string;
  readonly scale: TpcbScale;
  readonly writers: number;
  /** Exactly this many transactions, as fast as possible ... */
  readonly transactions?: number;
  /** ... or this many per second for `seconds`. */
  readonly rate?: number;
  readonly seconds?: number;
}

export interface LoadResult {
  readonly generator: string;
  readonly transactions: number;
  readonly seconds: number;
  /** CPU of the generator's own process (not the source backends serving it). */
  readonly cpu: CpuTimes | undefined;
}

export function pgbenchVersion(): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile('pgbench', ['--version'], (error, stdout) => resolve(error === null ? stdout.trim() : undefined)),
  );
}

function script(scale: TpcbScale): string {
  // CAST rather than ::text: pgbench would read ":aid::text" as variable names.
  return `\\set aid random(1, ${scale.accounts})
\\set bid random(1, ${scale.branches})
\\set tid random(1, ${scale.tellers})
\\set delta random(-5000, 5000)
BEGIN;
UPDATE accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM accounts WHERE aid = :aid;
UPDATE tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
UPDATE branches SET bbalance = bbalance + :delta WHERE bid = :bid;
INSERT INTO history (tid, bid, aid, delta, mtime, filler) VALUES (:tid, :bid, :aid, :delta, clock_timestamp(), 'note ' || CAST(:aid AS text));
END;
`;
}

export async function runPgbench(request: LoadRequest, workDir: string): Promise<LoadResult> {
  const file = join(workDir, 'tpcb-like.sql');
  await writeFile(file, script(request.scale));
  const args = ['-n', '-M', 'prepared', '-f', file, '-c', String(request.writers), '-j', String(request.writers)];
  if (request.transactions !== undefined) args.push('-t', String(Math.ceil(request.transactions / request.writers)));
  else args.push('-R', String(request.rate ?? 0), '-T', String(request.seconds ?? 10));
  args.push(request.url);
  const started = performance.now();
  let cpu: CpuTimes | undefined;
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile('pgbench', args, { maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => {
      clearInterval(sampler);
      if (error !== null) reject(new Error(`pgbench failed: ${err || error.message}`));
      else resolve(out);
    });
    // pgbench's CPU can only be read while it runs; the last reading misses at most its final 100 ms.
    const sampler = setInterval(() => {
      cpu = processCpu(child.pid) ?? cpu;
    }, 100);
  });
  const seconds = (performance.now() - started) / 1000;
  const processed = /number of transactions actually processed: (\d+)/.exec(stdout);
  if (processed?.[1] === undefined) throw new Error(`cannot read pgbench's output:\n${stdout}`);
  const failed = /number of failed transactions: (\d+)/.exec(stdout);
  if (failed?.[1] !== undefined && Number(failed[1]) > 0) throw new Error(`pgbench: ${failed[1]} transactions failed:\n${stdout}`);
  return { generator: 'pgbench', transactions: Number(processed[1]), seconds, cpu };
}

/**
 * The same transactions from Node, one round trip each (the five statements
 * and BEGIN/COMMIT in one simple query). A rate is kept by giving every
 * transaction a start time on a fixed schedule, as pgbench -R does; a writer
 * that falls behind runs late transactions back to back.
 */
export async function runNodeLoad(request: LoadRequest): Promise<LoadResult> {
  const { scale, writers } = request;
  const total = request.transactions ?? Math.round((request.rate ?? 0) * (request.seconds ?? 0));
  const interval = request.transactions === undefined ? 1000 / (request.rate ?? 1) : 0;
  const clients = await Promise.all(
    Array.from({ length: writers }, async () => {
      const c = new pg.Client({ connectionString: request.url });
      await c.connect();
      return c;
    }),
  );
  const random = (n: number): number => 1 + Math.floor(Math.random() * n);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  try {
    await Promise.all(
      clients.map(async (c) => {
        for (let k = next++; k < total; k = next++) {
          const due = started + k * interval;
          const wait = due - performance.now();
          if (wait > 1) await sleep(wait);
          const [aid, bid, tid, delta] = [random(scale.accounts), random(scale.branches), random(scale.tellers), random(10_001) - 5001];
          await c.query(`BEGIN;
            UPDATE accounts SET abalance = abalance + ${delta} WHERE aid = ${aid};
            SELECT abalance FROM accounts WHERE aid = ${aid};
            UPDATE tellers SET tbalance = tbalance + ${delta} WHERE tid = ${tid};
            UPDATE branches SET bbalance = bbalance + ${delta} WHERE bid = ${bid};
            INSERT INTO history (tid, bid, aid, delta, mtime, filler) VALUES (${tid}, ${bid}, ${aid}, ${delta}, clock_timestamp(), 'note ${aid}');
            COMMIT`);
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  const used = process.cpuUsage(cpuBefore);
  return {
    generator: 'node',
    transactions: total,
    seconds: (performance.now() - started) / 1000,
    cpu: { userMs: used.user / 1000, systemMs: used.system / 1000 },
  };
}
