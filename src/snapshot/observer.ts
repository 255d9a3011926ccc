/**
 * What a sync tells the outside world while it runs. The report/ module renders
 * it (progress bars, log lines); the library itself never prints.
 */
import type { CopyResult } from './copy-table.js';
import type { SyncPlan, TablePlan } from '../plan/plan.js';

export type SyncPhase =
  | 'connect'
  | 'plan'
  | 'schema'
  | 'prepare'
  | 'copy'
  | 'indexes'
  | 'foreign-keys'
  | 'post-data'
  | 'large-objects'
  | 'sequences'
  | 'analyze'
  | 'done';

export interface SyncObserver {
  phase?(phase: SyncPhase): void;
  planned?(plan: SyncPlan): void;
  tableStarted?(table: TablePlan): void;
  tableProgress?(table: TablePlan, rows: number, bytes: number): void;
  tableFinished?(table: TablePlan, result: CopyResult): void;
  warning?(message: string): void;
  /** A step worth a line of its own (starting the local server, creating tables). */
  note?(message: string): void;
}
