/**
 * The applier's target session as a pipe with one message in flight: each
 * message is one simple query (several statements, run in order), sent
 * without waiting for its result, so the caller builds the next one while the
 * twin runs this one. Nothing is sent before the message in flight has
 * succeeded: a failure stops everything after it and surfaces at the next
 * settle(), and a transaction never runs past a statement that failed.
 */
import type { Client } from '../pg/connect.js';
import type { TableCounters } from './batch-record.js';
import type { Statement } from './change-runs.js';
import { twinWriteError } from './twin-write-errors.js';

interface QueryResult {
  readonly rowCount: number | null;
}

export class TwinPipe {
  /** What the twin is running, until it succeeds (a failure stays, for settle() to throw). */
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly target: Client,
    private readonly warn: (message: string) => void,
  ) {}

  /** Nothing in flight: a message may go out at once. */
  get idle(): boolean {
    return this.inFlight === undefined;
  }

  /** Sends without waiting; only when idle (settle() first otherwise). */
  start(statements: readonly Statement[], tail: readonly string[], counters: Map<string, TableCounters>, begin: boolean): void {
    this.hold(this.send(statements, tail, counters, begin));
  }

  /** Holds `work` (made of send()s) as what is in flight. */
  hold(work: Promise<unknown>): void {
    const held: Promise<void> = work.then(() => {
      if (this.inFlight === held) this.inFlight = undefined;
    });
    // Observed by settle(); this keeps a failure from being an unhandled rejection meanwhile.
    held.catch(() => undefined);
    this.inFlight = held;
  }

  /** Waits for what is in flight; its failure surfaces here. */
  async settle(): Promise<void> {
    const inFlight = this.inFlight;
    this.inFlight = undefined;
    if (inFlight !== undefined) await inFlight;
  }

  /**
   * One simple-query message: BEGIN first if asked, the statements, then
   * `tail`; resolves with the results read. An UPDATE or DELETE that found
   * fewer rows than it names counts the others in `counters` as missing.
   */
  async send(
    statements: readonly Statement[],
    tail: readonly string[],
    counters: Map<string, TableCounters>,
    begin: boolean,
  ): Promise<void> {
    const head = begin ? ['BEGIN'] : [];
    let result: unknown;
    try {
      result = await this.target.query([...head, ...statements.map((s) => s.sql), ...tail].join(';\n'));
    } catch (error) {
      throw twinWriteError(error) ?? error;
    }
    const results = (Array.isArray(result) ? result : [result]) as QueryResult[];
    statements.forEach((s, i) => {
      if (s.expected === 0) return;
      const missing = s.expected - (results[head.length + i]?.rowCount ?? s.expected);
      if (missing <= 0) return;
      countersOf(counters, s.table).missing += missing;
      this.warn(
        `${s.table}: ${s.op} of ${missing === 1 ? 'a row' : `${missing} rows`} the twin does not have (counted in pgtwin.follow_metrics.missing)`,
      );
    });
  }

  /** After a failure: waits out what is in flight, then ends any transaction (an aborted one stays open until ROLLBACK). */
  async abandon(): Promise<void> {
    const inFlight = this.inFlight;
    this.inFlight = undefined;
    if (inFlight !== undefined) await inFlight.catch(() => undefined);
    await this.target.query('ROLLBACK').catch(() => undefined);
  }
}

export function countersOf(counters: Map<string, TableCounters>, table: string): TableCounters {
  let c = counters.get(table);
  if (c === undefined) {
    c = { inserts: 0, updates: 0, deletes: 0, truncates: 0, missing: 0 };
    counters.set(table, c);
  }
  return c;
}
