/**
 * Tables added to the selection of a twin that already follows: created when
 * the twin lacks them, copied (masked) under a snapshot that meets the stream
 * at a known position, then followed, with no change lost or applied twice.
 *
 * 1. They are recorded as `copying`: until the end, none of their changes is applied.
 * 2. A temporary slot on a second replication connection exports a snapshot
 *    at its consistent point Y: it holds exactly the source transactions that
 *    commit before Y. The connection then stays idle, keeping the snapshot alive.
 * 3. The twin's slot is streamed until every transaction committing before Y
 *    is committed on the twin, and none at or after Y (catch-up, the added
 *    tables' changes skipped). The tables already followed now stand exactly
 *    where the snapshot does, so foreign keys between them and the added ones
 *    hold when the copy restores them.
 * 4. The added tables are copied under that snapshot, as `sync` copies.
 * 5. They are recorded as `following` from Y. Streaming resumes where the
 *    catch-up stopped: the first transaction it applies is the first at or
 *    after Y, for every table alike.
 *
 * Interrupted anywhere (a crash, a lost connection, Ctrl-C), the tables stay
 * `copying`: the temporary slot is gone with its connection, and the next
 * follow starts over from step 2 with a new snapshot (the copy truncates what
 * a previous attempt left).
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '../pg/connect.js';
import { lockTargetForRun, unlockTargetForRun } from '../pg/state-schema.js';
import { withScope } from '../scope.js';
import type { Endpoint } from '../pg/endpoint.js';
import type { SyncReport } from '../sync/sync-report.js';
import type { Applier } from '../apply/applier.js';
import { streamEndedError } from '../stream/lost-connection.js';
import { markCopying, markFollowing } from './follow-tables.js';
import { formatLsn, type Lsn } from '../stream/lsn.js';
import { ReplicationSession } from '../stream/replication-session.js';
import { streamChanges, type StreamLoopOptions } from '../stream/stream-loop.js';

export interface HandOffRequest {
  readonly source: Endpoint;
  /** The follow's target session; it must not hold the run lock (the copy takes it). */
  readonly control: Client;
  readonly slot: string;
  readonly publication: string;
  readonly added: readonly string[];
  readonly signal: AbortSignal;
  /** An applier over the tables already followed (not the added ones), from the twin's position. */
  readonly applier: Applier;
  readonly stream: Pick<StreamLoopOptions, 'maxBatchChanges' | 'maxBatchDelayMs' | 'statusIntervalMs' | 'onCommitted'>;
  /** Copies exactly the added tables under the exported snapshot (the sync path with `onlyTables`). */
  readonly copy: (snapshotId: string) => Promise<SyncReport>;
  readonly note: (message: string) => void;
  /** A failure of the catch-up stream, before it is thrown: the follow records it like every other streaming failure. */
  readonly onStreamFailure: (error: unknown) => Promise<void>;
}

export interface HandOffOutcome {
  /** Undefined when asked to stop before the copy finished (the tables stay `copying`). */
  readonly copied: SyncReport | undefined;
  readonly startLsn: Lsn | undefined;
}

export async function handOffAddedTables(request: HandOffRequest): Promise<HandOffOutcome> {
  const { control, slot, added, signal } = request;
  await markCopying(control, slot, added, undefined);
  return withScope(async (scope) => {
    const holder = scope.add(await ReplicationSession.open(request.source), (r) => r.end(), 'snapshot slot session');
    // Temporary: it goes away with this connection, whatever happens to this process.
    const created = await holder.createTemporarySlot(`pgtwin_add_${randomBytes(6).toString('hex')}`);
    const startLsn = created.consistentPoint;
    await markCopying(control, slot, added, startLsn);
    request.note(`snapshot for ${added.join(', ')} taken at ${formatLsn(startLsn)}; applying the stream up to there first`);

    const reached = await catchUp(request, startLsn);
    if (!reached || signal.aborted) return { copied: undefined, startLsn: undefined };

    request.note(`copying ${added.join(', ')} from the snapshot at ${formatLsn(startLsn)}`);
    const copied = await request.copy(created.snapshotName);
    if (signal.aborted) return { copied: undefined, startLsn: undefined };
    await markFollowing(control, slot, added, startLsn);
    return { copied, startLsn };
  });
}

/** Streams the twin's own slot up to the snapshot's position, under the run lock; true when it got there. */
async function catchUp(request: HandOffRequest, stopAt: Lsn): Promise<boolean> {
  return withScope(async (scope) => {
    const session = scope.add(await ReplicationSession.open(request.source), (r) => r.end(), 'catch-up replication session');
    await lockTargetForRun(request.control);
    scope.defer(() => unlockTargetForRun(request.control), 'run lock');
    let reached: boolean;
    try {
      reached = await streamChanges({
        ...request.stream,
        stream: session.start(request.slot, request.publication),
        sink: request.applier,
        signal: request.signal,
        stopAt,
      });
    } catch (error) {
      await request.onStreamFailure(error);
      throw error;
    }
    // The server ended the stream without being asked: a lost connection (the follow retries it).
    if (!reached && !request.signal.aborted) throw streamEndedError();
    return reached;
  });
}
