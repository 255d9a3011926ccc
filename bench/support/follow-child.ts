/**
 * One `runFollow` in its own process, driven over IPC by bench/follow.bench.ts.
 * A process of its own so that its CPU time can be read from /proc apart from
 * the load generator's, and so that the generator does not share (and slow)
 * its event loop.
 *
 *   fork('follow-child.ts', [JSON.stringify(FollowChildArgs)], { execArgv: ['--import', 'tsx'] })
 *
 * Parent -> child: { type: 'stop' }. Child -> parent: FollowChildMessage.
 */
import { loadSettings } from '../../src/config/index.js';
import { runFollow } from '../../src/follow/follow.js';
import { formatLsn } from '../../src/stream/lsn.js';
import { messageOf } from '../../src/errors.js';

export interface FollowChildArgs {
  readonly cwd: string;
  readonly source: string;
  readonly target: string;
  readonly slot: string;
}

/** Times are epoch milliseconds with sub-millisecond precision, comparable across processes. */
export type FollowChildMessage =
  | { readonly type: 'following'; readonly at: number; readonly from: string }
  | {
      readonly type: 'committed';
      readonly at: number;
      readonly transactions: number;
      readonly changes: number;
      readonly lastCommitLsn: string;
    }
  | { readonly type: 'warning'; readonly message: string }
  | {
      readonly type: 'done';
      readonly snapshotMs: number | undefined;
      readonly transactions: number;
      readonly changes: number;
      readonly lastCommitLsn: string;
    }
  | { readonly type: 'failed'; readonly message: string };

export const epochMs = (): number => performance.timeOrigin + performance.now();

const send = (message: FollowChildMessage): void => void process.send?.(message);

/** The last message, then the channel closes: disconnecting right away could drop a queued message. */
const sendLast = (message: FollowChildMessage): void => {
  if (process.send === undefined) return;
  process.send(message, () => process.disconnect());
};

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as FollowChildArgs;
  const controller = new AbortController();
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') controller.abort(new Error('bench stop'));
  });
  // A parent that dies must not leave a follow streaming forever.
  process.on('disconnect', () => controller.abort(new Error('bench parent gone')));
  const settings = await loadSettings({ cwd: args.cwd, env: process.env, overrides: { source: args.source, target: args.target } });
  const summary = await runFollow({
    settings,
    env: process.env,
    signal: controller.signal,
    confirm: async () => true,
    slot: args.slot,
    observer: {
      following: (_slot, from) => send({ type: 'following', at: epochMs(), from: formatLsn(from) }),
      committed: (batch) =>
        send({
          type: 'committed',
          at: epochMs(),
          transactions: batch.transactions,
          changes: batch.changes,
          lastCommitLsn: formatLsn(batch.lastCommitLsn),
        }),
      warning: (message) => send({ type: 'warning', message }),
    },
  });
  sendLast({
    type: 'done',
    snapshotMs: summary.initialSync?.durationMs,
    transactions: summary.transactions,
    changes: summary.changes,
    lastCommitLsn: summary.lastCommitLsn,
  });
}

main().catch((error: unknown) => {
  process.exitCode = 1;
  sendLast({ type: 'failed', message: messageOf(error) });
});
