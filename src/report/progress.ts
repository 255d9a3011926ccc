/**
 * Progress of a sync on stderr: redrawn bars per table and overall on a
 * terminal, one line per finished table otherwise (logs, CI).
 */
import type { SyncObserver, SyncPhase } from '../snapshot/observer.js';
import type { SyncPlan, TablePlan } from '../plan/plan.js';
import type { CopyResult } from '../snapshot/copy-table.js';
import { countOf, bar, formatBytes, formatCount, formatDuration } from './format.js';

interface TableState {
  rows: number;
  bytes: number;
  started: number;
  finished: CopyResult | undefined;
  expectedRows: number;
}

export interface ProgressOptions {
  readonly write: (text: string) => void;
  readonly tty: boolean;
  /**
   * false: no bars and no per-table or per-phase lines (`show_progress:
   * false`); notes and warnings are still written, since they are not progress.
   */
  readonly progress?: boolean;
  /** Redraw interval on a terminal. */
  readonly intervalMs?: number;
  readonly columns?: number;
}

/** Phases after the copy that get a line of their own when there are no bars. */
const PHASE_LINES: Partial<Record<SyncPhase, string>> = {
  indexes: 'building the keys and indexes set aside for the load',
  'foreign-keys': 'restoring foreign keys',
  'large-objects': 'copying large objects',
  sequences: 'setting sequences',
  analyze: 'analyzing tables',
};

export class ProgressReporter implements SyncObserver {
  private readonly states = new Map<string, TableState>();
  private plan: SyncPlan | undefined;
  private timer: NodeJS.Timeout | undefined;
  private drawnLines = 0;
  private readonly started = performance.now();

  constructor(private readonly options: ProgressOptions) {}

  phase(phase: SyncPhase): void {
    if (this.options.progress === false) return;
    if (phase === 'copy' && !this.options.tty && this.plan !== undefined) {
      this.options.write(`pgtwin: copying ${this.plan.tables.length} table${this.plan.tables.length === 1 ? '' : 's'}\n`);
    }
    if (phase === 'copy' && this.options.tty) {
      this.timer = setInterval(() => this.draw(), this.options.intervalMs ?? 150);
      this.timer.unref();
    }
    if (phase === 'indexes' || phase === 'foreign-keys' || phase === 'done') this.stop();
    const line = PHASE_LINES[phase];
    if (!this.options.tty && line !== undefined) this.options.write(`pgtwin: ${line}\n`);
  }

  planned(plan: SyncPlan): void {
    this.plan = plan;
    for (const t of plan.tables) {
      this.states.set(t.key, { rows: 0, bytes: 0, started: 0, finished: undefined, expectedRows: expectedRows(t) });
    }
  }

  tableStarted(table: TablePlan): void {
    const state = this.states.get(table.key);
    if (state !== undefined) state.started = performance.now();
  }

  tableProgress(table: TablePlan, rows: number, bytes: number): void {
    const state = this.states.get(table.key);
    if (state === undefined) return;
    state.rows = rows;
    state.bytes = bytes;
  }

  tableFinished(table: TablePlan, result: CopyResult): void {
    const state = this.states.get(table.key);
    if (state !== undefined) {
      state.finished = result;
      state.rows = result.rows;
      state.bytes = result.bytes;
    }
    if (!this.options.tty && this.options.progress !== false) {
      this.options.write(
        `pgtwin: ${table.key}: ${countOf(result.rows, 'row')}, ${formatBytes(result.bytes)} in ${formatDuration(result.durationMs)}\n`,
      );
    }
  }

  note(message: string): void {
    this.clear();
    this.options.write(`pgtwin: ${message}\n`);
  }

  warning(message: string): void {
    this.clear();
    this.options.write(`pgtwin: warning: ${message}\n`);
  }

  stop(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.draw();
    }
  }

  private clear(): void {
    if (this.options.tty && this.drawnLines > 0) {
      this.options.write(`\x1b[${this.drawnLines}A\x1b[J`);
      this.drawnLines = 0;
    }
  }

  private draw(): void {
    if (this.plan === undefined) return;
    const width = this.options.columns ?? 120;
    const keyWidth = Math.min(32, Math.max(5, ...[...this.states.keys()].map((k) => k.length)));
    const lines: string[] = [];
    let totalRows = 0;
    let totalExpected = 0;
    const now = performance.now();
    const active = [...this.states.entries()].filter(([, s]) => s.started > 0);
    for (const [key, s] of active.slice(-12)) {
      const fraction = s.finished !== undefined ? 1 : s.expectedRows > 0 ? Math.min(0.99, s.rows / s.expectedRows) : 0;
      const elapsed = ((s.finished?.durationMs ?? now - s.started) || 1) / 1000;
      const rate = s.rows / elapsed;
      lines.push(
        `${key.slice(0, keyWidth).padEnd(keyWidth)} [${bar(fraction, 20)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${formatCount(s.rows).padStart(11)} rows ${formatCount(rate).padStart(9)} rows/s`,
      );
    }
    for (const s of this.states.values()) {
      totalRows += s.rows;
      totalExpected += Math.max(s.expectedRows, s.finished !== undefined ? s.rows : 0);
    }
    const done = [...this.states.values()].filter((s) => s.finished !== undefined).length;
    const elapsed = (now - this.started) / 1000;
    const rate = totalRows / Math.max(elapsed, 0.001);
    const fraction = totalExpected > 0 ? Math.min(1, totalRows / totalExpected) : done / Math.max(1, this.states.size);
    const eta = rate > 0 && totalExpected > totalRows ? formatDuration(((totalExpected - totalRows) / rate) * 1000) : '-';
    lines.push(
      `${'total'.padEnd(keyWidth)} [${bar(fraction, 20)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${formatCount(totalRows).padStart(11)} rows ${formatCount(rate).padStart(9)} rows/s ${done}/${this.states.size} tables ETA ${eta}`,
    );
    this.clear();
    this.options.write(lines.map((l) => l.slice(0, width - 1)).join('\n') + '\n');
    this.drawnLines = lines.length;
  }
}

function expectedRows(table: TablePlan): number {
  const estimate = Math.max(0, table.source.estimatedRows);
  return table.limit !== undefined ? Math.min(estimate, table.limit) : estimate;
}

/** The reporter's observer methods, bound, to spread into a mode's observer (follow, apply). */
export function boundProgress(
  progress: ProgressReporter,
): Pick<ProgressReporter, 'phase' | 'planned' | 'tableStarted' | 'tableProgress' | 'tableFinished' | 'warning' | 'note'> {
  return {
    phase: progress.phase.bind(progress),
    planned: progress.planned.bind(progress),
    tableStarted: progress.tableStarted.bind(progress),
    tableProgress: progress.tableProgress.bind(progress),
    tableFinished: progress.tableFinished.bind(progress),
    warning: progress.warning.bind(progress),
    note: progress.note.bind(progress),
  };
}
