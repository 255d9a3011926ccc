/**
 * What one capture keeps across its attempts (runCapture reconnects after a
 * lost connection, and starts a new attempt for a base that falls due): the
 * base asked for with --new-base once written, the --once stop position, and
 * what every attempt wrote, added up for the summary.
 */
import type { BaseManifest } from '../archive/manifest.js';
import type { ArchiveState } from './archive-state.js';
import { formatLsn, type Lsn } from '../stream/lsn.js';
import type { NewBase } from './capture-base.js';
import type { CaptureSummary } from './capture-request.js';
import type { StreamOutcome } from './capture-stream.js';

type Counted = 'transactions' | 'changes' | 'skipped' | 'files' | 'bytes' | 'storedBytes';

export class CaptureRun {
  /** --new-base: written by an attempt of this run; a reconnect after it does not write another. */
  requestedBaseMade = false;
  /** --once: the source's WAL end when the first attempt started streaming; every attempt stops there. */
  upTo: Lsn | undefined;
  /** The slot streamed last. */
  slot = '';
  private base: BaseManifest | undefined;
  private last: Lsn | undefined;
  private readonly totals: Record<Counted, number> = { transactions: 0, changes: 0, skipped: 0, files: 0, bytes: 0, storedBytes: 0 };

  /** @param state what the archive held when the capture was set up: the first attempt starts from it instead of reading it again. */
  constructor(
    readonly archiveId: string,
    private state: ArchiveState | undefined,
  ) {}

  /** The archive as set up, for the first attempt; later ones read it again (another attempt may have added to it). */
  takeState(): ArchiveState | undefined {
    const { state } = this;
    this.state = undefined;
    return state;
  }

  baseMade(made: NewBase): void {
    this.base = made.manifest;
    this.addStream(made.caughtUp);
  }

  addStream(outcome: StreamOutcome | undefined): void {
    if (outcome === undefined) return;
    for (const key of Object.keys(this.totals) as Counted[]) this.totals[key] += outcome[key];
    this.last = outcome.lastCommitLsn ?? this.last;
  }

  summary(): CaptureSummary {
    const { base } = this;
    return {
      archiveId: this.archiveId,
      slot: this.slot,
      base:
        base === undefined
          ? undefined
          : {
              name: base.name,
              tables: base.tables.length,
              rows: base.tables.reduce((n, t) => n + t.rows, 0),
              parts: base.tables.reduce((n, t) => n + t.parts.length, 0),
            },
      ...this.totals,
      lastCommitLsn: this.last === undefined ? undefined : formatLsn(this.last),
      upTo: this.upTo === undefined ? undefined : formatLsn(this.upTo),
    };
  }
}
