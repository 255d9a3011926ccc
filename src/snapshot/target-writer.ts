/**
 * Writes chunks into the twin: `COPY ... FROM STDIN` inside a target
 * transaction that also records the chunk's completion in pgtwin.run_chunks,
 * so the rows and the record of them commit together or not at all (what
 * `--resume` relies on).
 */
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import { openClient, type Client } from '../pg/connect.js';
import type { Endpoint } from '../pg/endpoint.js';
import { quoteQualified } from '../pg/ident.js';
import { copyInSql } from '../plan/copy-sql.js';
import { triggerSwitchSql, type TwinWriteMode } from '../pg/replica-session.js';
import type { ChunkWrite, ChunkWriter, CopyResult } from './copy-ends.js';

export interface TargetWriterOptions {
  readonly runId: number;
  /** How the session keeps the twin's triggers quiet (src/pg/replica-session.ts). */
  readonly writeMode: TwinWriteMode;
}

export async function openTargetWriter(target: Endpoint, options: TargetWriterOptions, signal: AbortSignal): Promise<ChunkWriter> {
  const client = await openClient(target, {
    readOnly: false,
    applicationName: 'pgtwin worker',
    signal,
    replicaRole: options.writeMode.replicaRole,
  });
  return new TargetWriter(client, options);
}

class TargetWriter implements ChunkWriter {
  constructor(
    private readonly client: Client,
    private readonly options: TargetWriterOptions,
  ) {}

  async write({ table, chunk, rows, transform, signal, started, counted }: ChunkWrite): Promise<CopyResult> {
    const target = this.client;
    await target.query('BEGIN');
    try {
      const triggers = this.options.writeMode.triggersOff.get(table.key) ?? [];
      for (const sql of triggerSwitchSql(triggers, false)) await target.query(sql);
      if (table.columns.length === 0) {
        // `COPY t () FROM STDIN` is not SQL: a table with nothing to copy gets as many rows as lines came.
        await pipeline(rows, transform, new Writable({ write: (_chunk, _encoding, done) => done() }), { signal });
        const lines = counted().rows;
        if (lines > 0)
          await target.query(`INSERT INTO ${quoteQualified(table.target)} SELECT FROM generate_series(1, $1::bigint)`, [lines]);
      } else {
        await pipeline(rows, transform, target.query(copyStreams.from(copyInSql(table))), { signal });
      }
      const { rows: copied, bytes } = counted();
      const durationMs = Math.round(performance.now() - started);
      await target.query(
        'INSERT INTO pgtwin.run_chunks (run_id, table_name, chunk, rows, bytes, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)',
        [this.options.runId, table.key, chunk.index, copied, bytes, durationMs],
      );
      for (const sql of triggerSwitchSql(triggers, true)) await target.query(sql);
      await target.query('COMMIT');
      return { rows: copied, bytes, durationMs };
    } catch (error) {
      await target.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
