/** The result of a sync, as printed by `--json` and stored in pgtwin.runs. */
import type { SyncPlan } from '../plan/plan.js';

export interface TableReport {
  readonly table: string;
  readonly rows: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly maskedColumns: readonly string[];
}

export interface SyncReport {
  readonly runId: number;
  readonly tables: readonly TableReport[];
  readonly totalRows: number;
  readonly durationMs: number;
  /** Number of sequences set to the source's values. */
  readonly sequences: number;
  /** Present when the source has large objects and they were not skipped. */
  readonly largeObjects?: { readonly decision: 'copy' | 'empty'; readonly count: number; readonly bytes: number };
  readonly warnings: readonly string[];
  /**
   * Schema objects the twin lacks, with the reason: planned out (an extension,
   * language or role the target lacks) or refused by the target when created.
   * Not empty: the twin is incomplete (the CLI exits 6).
   */
  readonly notCreated: readonly { readonly object: string; readonly reason: string }[];
}

export function describeTables(plan: SyncPlan, done: ReadonlySet<string>): Array<{ table: string; loaded: boolean }> {
  return plan.tables.map((t) => ({ table: t.key, loaded: done.has(t.key) }));
}
