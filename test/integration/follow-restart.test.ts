/**
 * follow when a server goes away and comes back, and with one source
 * transaction far larger than its batches. The suite's servers are shared by
 * every test file, so this file starts its own pair (PostgreSQL 18, data kept
 * across restarts). `events` has no key and is insert-only: a change applied
 * twice or lost across a reconnect shows in its count and checksum.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { TEST_PASSWORD } from '../support/constants.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/pg/embedded-server.js';
import { loadSettings } from '../../src/config/index.js';
import { runFollow, type FollowSummary } from '../../src/follow/follow.js';
import { tableChecksum } from '../../src/verify/table-checksum.js';

const SLOT = 'pgtwin_restart';
const TABLES = [
  { name: 'events', columns: ['n', 'payload'] },
  { name: 'big', columns: ['id', 'payload'] },
];

describe('follow across server restarts and a huge transaction', () => {
  let base: string;
  let source: EmbeddedServer;
  let target: EmbeddedServer;
  let follow: { done: Promise<FollowSummary>; stop: () => Promise<FollowSummary> } | undefined;
  const reconnects: string[] = [];

  /** A short-lived session: the servers restart under the test, so none is kept open. */
  const connect = async (server: EmbeddedServer): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: server.url() });
    // A restart terminates sessions: the error must reach the awaiting call, not crash the test process as an unhandled 'error' event.
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const query = async (server: EmbeddedServer, sql: string): Promise<pg.QueryResult> => {
    const client = await connect(server);
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  let followError: unknown;
  const converged = async (timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const diffs: string[] = [];
      try {
        const [s, t] = await Promise.all([connect(source), connect(target)]);
        try {
          for (const table of TABLES) {
            const [a, b] = await Promise.all([
              tableChecksum(s, { schema: 'public', name: table.name }, table.columns),
              tableChecksum(t, { schema: 'public', name: table.name }, table.columns),
            ]);
            if (a.rows !== b.rows || a.checksum !== b.checksum) diffs.push(`${table.name}: source ${a.rows} rows, twin ${b.rows}`);
          }
        } finally {
          await Promise.all([s.end(), t.end()]);
        }
      } catch (error) {
        diffs.push(String(error));
      }
      if (diffs.length === 0) return;
      last = diffs.join('; ');
      await sleep(200);
    }
    throw new Error(
      `the twin did not converge: ${last}; reconnects: ${reconnects.join(' | ') || 'none'}; follow ${followError === undefined ? 'still running' : `failed: ${String(followError)}`}`,
    );
  };
  /** Inserts into events from its own sessions, reconnecting when the source restarts; returns how many committed. */
  const writeEvents = (until: () => boolean): Promise<number> =>
    (async () => {
      let committed = 0;
      let n = 0;
      while (!until()) {
        try {
          await query(source, `INSERT INTO events SELECT ${++n}, 'w' || g FROM generate_series(1, 20) g`);
          committed += 20;
        } catch {
          // The source is restarting: that insert did not commit; it is not counted, and the twin must not have it either.
          await sleep(100);
        }
      }
      return committed;
    })();

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'pgtwin-restart-'));
    [source, target] = await Promise.all([
      startEmbeddedServer({
        dataDir: join(base, 'source'),
        password: TEST_PASSWORD,
        settings: { fsync: 'off', wal_level: 'logical', max_replication_slots: 4, max_wal_senders: 4 },
      }),
      startEmbeddedServer({ dataDir: join(base, 'target'), password: TEST_PASSWORD, settings: { fsync: 'off' } }),
    ]);
    await query(
      source,
      `CREATE TABLE events (n int, payload text); CREATE TABLE big (id int PRIMARY KEY, payload text); CREATE PUBLICATION pgtwin FOR TABLE events, big`,
    );
    await query(source, `INSERT INTO events SELECT g, 'seed' FROM generate_series(1, 1000) g`);
    const settings = await loadSettings({ cwd: base, env: {}, overrides: { source: source.url(), target: target.url() } });
    const controller = new AbortController();
    const done = runFollow({
      settings,
      env: {},
      signal: controller.signal,
      confirm: async () => true,
      slot: SLOT,
      maxBatchDelayMs: 50,
      statusIntervalMs: 200,
      observer: { reconnecting: (reason) => reconnects.push(reason) },
    });
    done.catch((error: unknown) => {
      followError = error;
    });
    follow = {
      done,
      stop: async () => {
        controller.abort(new Error('test stop'));
        return done;
      },
    };
    await converged();
  });
  after(async () => {
    await follow?.stop().catch(() => undefined);
    await source?.stop().catch(() => undefined);
    await target?.stop().catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  });

  for (const side of ['target', 'source'] as const) {
    it(`reconnects after the ${side} server restarts under a steady insert load, with nothing lost or applied twice`, async () => {
      const before = reconnects.length;
      let stop = false;
      const writer = writeEvents(() => stop);
      try {
        await sleep(500);
        await (side === 'target' ? target : source).restart();
        await sleep(1000);
      } finally {
        // Also when the restart fails: a writer left running would keep the test process alive.
        stop = true;
      }
      const written = await writer;
      assert.ok(written > 0);
      await converged();
      assert.ok(reconnects.length > before, `follow noticed the ${side} going away and reconnected`);
    });
  }

  it('applies one source transaction far larger than its batches without holding it in memory', async (t) => {
    const rows = 100_000;
    const rowBytes = 2_048;
    // Sampled from now on: the transaction is decoded only after it commits.
    const baseline = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed - baseline.heapUsed + (m.arrayBuffers - baseline.arrayBuffers));
    }, 20);
    try {
      await query(source, `INSERT INTO big SELECT g, repeat(md5(g::text), ${rowBytes / 32}) FROM generate_series(1, ${rows}) g`);
      await converged(120_000);
    } finally {
      clearInterval(sampler);
    }
    const total = rows * rowBytes;
    t.diagnostic(
      `peak growth of heap + Buffers: ${(peak / 1e6).toFixed(0)} MB while applying a ${(total / 1e6).toFixed(0)} MB transaction`,
    );
    assert.ok(peak < total / 2, `memory grew by ${(peak / 1e6).toFixed(0)} MB for a ${(total / 1e6).toFixed(0)} MB transaction`);
  });

  it('stops cleanly after all of it', async () => {
    const summary = await follow?.stop();
    assert.ok(summary !== undefined && summary.changes > 0);
    const state = await query(target, `SELECT status FROM pgtwin.follow_state WHERE slot = '${SLOT}'`);
    assert.equal(state.rows[0]?.status, 'stopped');
  });
});
