/**
 * Reads chunks from the source: `COPY (...) TO STDOUT` on a session that has
 * imported the run's exported snapshot, so every chunk of every worker sees
 * the same moment of the source.
 */
import copyStreams from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { openClient, type Client } from '../pg/connect.js';
import type { Endpoint } from '../pg/endpoint.js';
import { copyOutSql } from '../plan/copy-sql.js';
import type { TablePlan } from '../plan/plan.js';
import type { ChunkPlan } from '../plan/chunk-bounds.js';
import type { ChunkReader } from './copy-ends.js';
import { importSnapshot } from './snapshot-session.js';

export async function openSnapshotReader(source: Endpoint, snapshotId: string, signal: AbortSignal): Promise<ChunkReader> {
  const client = await openClient(source, { readOnly: true, applicationName: 'pgtwin worker', signal });
  try {
    await importSnapshot(client, snapshotId);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return new SnapshotReader(client);
}

class SnapshotReader implements ChunkReader {
  constructor(private readonly client: Client) {}

  read(table: TablePlan, chunk: ChunkPlan): Readable {
    return this.client.query(copyStreams.to(copyOutSql(table, chunk)));
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
