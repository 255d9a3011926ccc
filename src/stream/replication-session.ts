/**
 * The replication connection to the source (`replication=database`): creates
 * the slot with an exported snapshot, then streams the slot's changes. While
 * the snapshot is in use the connection must run nothing else: the snapshot
 * lives exactly as long as the connection stays idle after creating the slot.
 */
import pg from 'pg';
import copyStreams, { type CopyBothQueryStream } from 'pg-copy-streams';
import type { Endpoint } from '../pg/endpoint.js';
import { ConnectError, messageOf } from '../errors.js';
import { sqlStateOf } from '../pg/retry.js';
import { startupOptions, TEXT_FORMS } from '../pg/session-settings.js';
import { parseLsn, type Lsn, formatLsn } from './lsn.js';
import { FollowError } from './follow-errors.js';

export interface CreatedSlot {
  readonly consistentPoint: Lsn;
  readonly snapshotName: string;
}

export class ReplicationSession {
  private constructor(
    private readonly client: pg.Client,
    readonly serverVersionNum: number,
  ) {}

  static async open(endpoint: Endpoint): Promise<ReplicationSession> {
    const url = new URL(endpoint.url);
    url.searchParams.set('replication', 'database');
    // The walsender prints values with its session's settings: the same ones as
    // the snapshot sessions (src/pg/session-settings.ts), so a value masks the
    // same way in the snapshot and in the stream, and dates are read back as
    // written. They go in the startup packet, so they hold from its first message on.
    const client = new pg.Client({
      connectionString: url.toString(),
      application_name: 'pgtwin follow',
      options: startupOptions(TEXT_FORMS),
    });
    // Errors on an idle replication connection surface on its next use.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      throw new ConnectError(
        'REPLICATION_CONNECT_FAILED',
        `Cannot open a replication connection to the source ${endpoint.display}: ${messageOf(error)}`,
        {
          cause: error,
          nextStep:
            'The source role needs the REPLICATION attribute (or rds_replication on RDS) and pg_hba.conf must allow it; `pgtwin setup-source` checks both.',
        },
      );
    }
    const version = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return new ReplicationSession(client, Number(version.rows[0]?.server_version_num ?? 0));
  }

  /** Creates the slot and exports the snapshot it starts from. */
  async createSlot(name: string): Promise<CreatedSlot> {
    try {
      return await this.createExporting(name, false);
    } catch (error) {
      if (sqlStateOf(error) === '42710') {
        throw new FollowError(
          'SLOT_EXISTS',
          `The replication slot ${name} already exists on the source, but this twin has no record of it.`,
          {
            nextStep: `If no other twin uses it, drop it with \`pgtwin teardown --slot ${name}\` and run follow again (the twin is then loaded from a new snapshot).`,
          },
        );
      }
      throw error;
    }
  }

  /**
   * A slot that lives as long as this connection, for its exported snapshot
   * and consistent point only (a table added to a followed twin is copied
   * under it): the server drops it when the connection ends, also after a crash.
   */
  async createTemporarySlot(name: string): Promise<CreatedSlot> {
    try {
      return await this.createExporting(name, true);
    } catch (error) {
      if (sqlStateOf(error) === '53400') {
        throw new FollowError(
          'NO_FREE_SLOT',
          `Copying a table added to the twin needs one more replication slot on the source for a moment, and all of max_replication_slots are in use.`,
          {
            cause: error,
            nextStep: 'Raise max_replication_slots on the source (a restart), or drop a slot nobody uses; then run follow again.',
          },
        );
      }
      throw error;
    }
  }

  private async createExporting(name: string, temporary: boolean): Promise<CreatedSlot> {
    const kind = temporary ? 'TEMPORARY LOGICAL' : 'LOGICAL';
    // The option list syntax exists from PostgreSQL 15; 13 and 14 only know the keyword.
    const sql =
      this.serverVersionNum >= 150000
        ? `CREATE_REPLICATION_SLOT "${name}" ${kind} pgoutput (SNAPSHOT 'export')`
        : `CREATE_REPLICATION_SLOT "${name}" ${kind} pgoutput EXPORT_SNAPSHOT`;
    const result = await this.client.query<{ consistent_point: string; snapshot_name: string }>(sql);
    const row = result.rows[0];
    if (row === undefined) throw new Error('CREATE_REPLICATION_SLOT returned no row');
    return { consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name };
  }

  /** Drops a slot this twin created and cannot use (its snapshot load did not finish). */
  async dropSlotIfExists(name: string): Promise<void> {
    try {
      await this.client.query(`DROP_REPLICATION_SLOT "${name}"`);
    } catch (error) {
      if (sqlStateOf(error) !== '42704') throw error; // undefined_object: already gone
    }
  }

  /**
   * Starts streaming. The server resumes at the slot's confirmed position; the
   * position given only matters for a fresh slot, where 0/0 means "from the
   * consistent point".
   */
  start(slot: string, publication: string, from: Lsn = 0n): CopyBothQueryStream {
    const sql = `START_REPLICATION SLOT "${slot}" LOGICAL ${formatLsn(from)} (proto_version '1', publication_names '"${publication.replace(/"/g, '""').replace(/'/g, "''")}"')`;
    // Object mode: one replication message per read (a byte stream would merge frames).
    const stream = copyStreams.both(sql, { alignOnCopyDataFrame: true, readableObjectMode: true, readableHighWaterMark: 64 });
    return this.client.query(stream);
  }

  async end(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
