/** The result of the leak check (findLeaks), as the CLI prints it and --json shows it. */
import type { OriginStats } from './leak-candidates.js';

/**
 * - `in-clear`: a value of a masked source column sits in a column the sync
 *   did not mask;
 * - `kept-source-value`: a masked column of a row holds that row's own source
 *   value;
 * - `possible`: a masked column holds a value of a masked source column, and
 *   the table has no key to tell a coincidence (a dictionary strategy drawing a
 *   name that some other row also has) from a leak.
 */
export type LeakKind = 'in-clear' | 'kept-source-value' | 'possible';

export interface LeakExample {
  /** The row's key columns and values; undefined when the table has no usable key. */
  readonly key: Readonly<Record<string, string>> | undefined;
  /** The leaked value itself, only when asked for (includeValues / --show-values). */
  readonly value?: string;
}

export interface LeakFinding {
  readonly kind: LeakKind;
  /** The target table, `schema.table`. */
  readonly table: string;
  readonly column: string;
  /** The masked source column the value belongs to, `schema.table.column`. */
  readonly origin: string;
  /** Values found (an array element or JSON string counts once each). */
  readonly count: number;
  /** At most five. */
  readonly examples: readonly LeakExample[];
}

/** Rows of a masked column whose value some other source row has: expected of dictionary strategies, not a leak. */
export interface Coincidences {
  readonly table: string;
  readonly column: string;
  readonly rows: number;
}

export interface LeakCheckResult {
  /** Sum of the findings' counts; zero is the only passing answer. */
  readonly leaks: number;
  readonly findings: readonly LeakFinding[];
  /** The masked source columns whose values were looked for. */
  readonly origins: readonly OriginStats[];
  readonly coincidences: readonly Coincidences[];
  /** Target columns searched (text-like columns in clear, and masked columns). */
  readonly scannedColumns: number;
  readonly minLength: number;
}

export const MAX_EXAMPLES = 5;
