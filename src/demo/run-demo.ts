/**
 * `pgtwin demo`: the main job end to end on two throw-away embedded servers.
 * Everything it starts is registered in one scope, so the servers are stopped
 * and their directories deleted on success, on error and on interruption.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { InterruptedError, PgtwinError, SyncError, messageOf } from '../errors.js';
import { startEmbeddedServer, type EmbeddedServer } from '../pg/embedded-server.js';
import { quoteIdent } from '../pg/ident.js';
import { countOf, formatBytes, formatCount, formatDuration } from '../report/format.js';
import { withScope, type ResourceScope } from '../scope.js';
import type { SyncReport } from '../sync/sync-report.js';
import { seedDemoDatabase, type SeedResult } from './seed.js';
import { DEMO_TABLES } from './schema.js';
import { sideBySide } from './side-by-side.js';
import { syncIntoTwin } from './sync-into-twin.js';
import { runVerify } from '../verify/run-verify.js';
import { verifyOutcomeError } from '../verify/verify-errors.js';
import type { VerifyReport } from '../verify/run-verify.js';

export interface DemoIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** When given, the servers' generated password is registered so no output can show it. */
  readonly redactor?: { addSecret(secret: string): void };
}

export interface DemoOptions {
  /** Dataset size: 1 is about 142,000 rows. */
  readonly scale?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  /** Where the servers' temporary directories go (default: the system's temp dir). */
  readonly tempDir?: string;
}

export interface DemoResult {
  readonly seeded: SeedResult;
  readonly sync: SyncReport;
  readonly durationMs: number;
}

/**
 * Throw-away servers: durability buys nothing here, and without it the demo
 * measures pgtwin and PostgreSQL's ingest rather than the disk's fsync.
 */
const THROWAWAY_SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

export async function runDemo(io: DemoIo, options: DemoOptions = {}): Promise<DemoResult> {
  const signal = options.signal ?? new AbortController().signal;
  return demo(io, options, signal).catch((error: unknown) => {
    // Once interrupted, whatever broke next (a server stopping under a query,
    // a reset connection) is a consequence of the interruption, not a bug.
    if (signal.aborted && !(error instanceof InterruptedError)) {
      throw new InterruptedError('The demo was interrupted; its servers are stopped and their data deleted.', { cause: error });
    }
    throw error;
  });
}

async function demo(io: DemoIo, options: DemoOptions, signal: AbortSignal): Promise<DemoResult> {
  const started = performance.now();
  const password = randomBytes(18).toString('base64url');
  io.redactor?.addSecret(password);
  const step = (text: string): void => io.stderr(`demo: ${text}\n`);
  return withScope(async (scope) => {
    step('starting two embedded PostgreSQL servers: "production" and an empty twin');
    const [production, twin] = await startServers(scope, options.tempDir ?? tmpdir(), password);
    throwIfInterrupted(signal);

    step(`filling production with synthetic shop data (scale ${options.scale ?? 1}, seed ${options.seed ?? 1})`);
    const source = scope.add(await connect(production.url()), (c) => c.end(), 'production session');
    const seeded = await seedDemoDatabase(source, {
      scale: options.scale ?? 1,
      seed: options.seed ?? 1,
      signal,
      onTable: (table, rows) => step(`  ${table}: ${countOf(rows, 'row')}`),
    }).catch((error: unknown) => {
      throwIfInterrupted(signal);
      throw new SyncError('DEMO_SEED_FAILED', `Filling the demo production database failed: ${messageOf(error)}`, { cause: error });
    });
    step(`production holds ${countOf(seeded.totalRows, 'row')} (generated and loaded in ${formatDuration(seeded.durationMs)})`);

    step('syncing production into the twin: schema created by pgtwin, personal data masked (strict mode)');
    const { report, settings, env } = await syncIntoTwin(production.url(), twin.url(), { signal });
    io.stdout(reportText(report));

    const target = scope.add(await connect(twin.url()), (c) => c.end(), 'twin session');
    await checkCounts(source, target, seeded);
    io.stdout(`\nSample rows, production and twin side by side:\n${await sideBySide(source, target)}`);

    step(
      'checking the twin: counts and checksums of unmasked columns, and every production value of a masked column searched for in the twin',
    );
    const verified = await runVerify({ settings, env, leaks: true, signal });
    const failed = verifyOutcomeError(verified);
    io.stdout(`\n${verifyText(verified)}`);
    if (failed !== undefined) throw failed;
    const durationMs = Math.round(performance.now() - started);
    io.stdout(`\nDemo finished in ${formatDuration(durationMs)}; stopping both servers and deleting their data.\n`);
    return { seeded, sync: report, durationMs };
  });
}

/**
 * Both servers start at once; each is registered in the scope as soon as it is
 * up, and allSettled waits for both, so a failure of one never leaves the other
 * running unregistered.
 */
async function startServers(scope: ResourceScope, parent: string, password: string): Promise<[EmbeddedServer, EmbeddedServer]> {
  const start = async (label: string): Promise<EmbeddedServer> => {
    // The data directory is the temporary directory itself, so stopping an
    // ephemeral server removes everything, even when pgtwin is cut short.
    const dataDir = await mkdtemp(join(parent, `pgtwin-demo-${label}-`)).catch((error: unknown) => {
      throw new SyncError(
        'DEMO_TEMP_DIR',
        `Cannot create a temporary directory in ${parent} for the demo's ${label} server: ${messageOf(error)}`,
        {
          cause: error,
          nextStep: 'Point TMPDIR at a writable directory with a few hundred MB free.',
        },
      );
    });
    scope.defer(() => rm(dataDir, { recursive: true, force: true }), `delete ${label} data`);
    const server = await startEmbeddedServer({ dataDir, password, ephemeral: true, settings: THROWAWAY_SETTINGS });
    return scope.add(server, (s) => s.stop(), `stop ${label} server`);
  };
  const [production, twin] = await Promise.allSettled([start('production'), start('twin')]);
  if (production.status === 'rejected') throw production.reason;
  if (twin.status === 'rejected') throw twin.reason;
  return [production.value, twin.value];
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  // A server stopped under an idle client emits 'error'; the next query reports it.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw new InterruptedError('The demo was interrupted; its servers are stopped and their data deleted.');
}

function reportText(report: SyncReport): string {
  const width = Math.max(...report.tables.map((t) => t.table.length), 5);
  const rate = report.totalRows / Math.max(report.durationMs / 1000, 0.001);
  const lines = [
    `\nSynced ${countOf(report.tables.length, 'table')}, ${countOf(report.totalRows, 'row')} in ${formatDuration(report.durationMs)} (${formatCount(rate)} rows/s, run ${report.runId}):`,
    ...report.tables.map(
      (t) =>
        `  ${t.table.padEnd(width)}  ${formatCount(t.rows).padStart(9)} rows  ${formatBytes(t.bytes).padStart(8)}  ${formatDuration(t.durationMs).padStart(7)}`,
    ),
    `  sequences set: ${report.sequences}`,
  ];
  return lines.join('\n') + '\n';
}

function verifyText(report: VerifyReport): string {
  const tables = report.tables.tables;
  const matching = tables.filter((t) => t.status === 'match').length;
  const leaks = report.leaks;
  const searched = leaks?.origins.reduce((sum, o) => sum + o.values, 0) ?? 0;
  return (
    [
      `Verify: ${matching} of ${countOf(tables.length, 'table')} ${matching === 1 ? 'matches' : 'match'} production (row counts and checksums of the unmasked columns).`,
      leaks === undefined
        ? ''
        : `Leak check: ${leaks.leaks} production value${leaks.leaks === 1 ? '' : 's'} of masked columns found in the twin ` +
          `(${searched.toLocaleString('en-US')} distinct values of ${leaks.origins.length} masked columns searched in ${leaks.scannedColumns} twin columns).`,
    ].join('\n') + '\n'
  );
}

/** The twin must hold what production holds; a demo that shows otherwise must fail loudly. */
async function checkCounts(source: pg.Client, target: pg.Client, seeded: SeedResult): Promise<void> {
  const count = 'SELECT ' + DEMO_TABLES.map((t) => `(SELECT count(*) FROM ${quoteIdent(t)})::int AS ${quoteIdent(t)}`).join(', ');
  const [a, b] = await Promise.all([source.query<Record<string, number>>(count), target.query<Record<string, number>>(count)]);
  const differ = DEMO_TABLES.filter((t) => a.rows[0]?.[t] !== b.rows[0]?.[t]);
  if (differ.length > 0) {
    throw new PgtwinError(
      'DEMO_TWIN_DIFFERS',
      'failure',
      `The twin's row counts differ from production's after the sync (${countOf(seeded.totalRows, 'row')} seeded).`,
      {
        details: differ.map((t) => `${t}: production ${a.rows[0]?.[t] ?? '?'}, twin ${b.rows[0]?.[t] ?? '?'}`),
        nextStep: 'This is a bug in pgtwin; please report it with the output above.',
      },
    );
  }
}
