/**
 * What stands between a source and `pgtwin follow`, each with the exact fix.
 * The kinds are stable (they are in the JSON output) so scripts can match them.
 */
import { PgtwinError, type PgtwinErrorOptions } from '../errors.js';

export type SourceProblemKind =
  | 'standby'
  | 'wal-level'
  | 'replication-slots'
  | 'wal-senders'
  | 'replication-role-missing'
  | 'replication-login'
  | 'replication-privilege'
  | 'database-connect'
  | 'schema-usage'
  | 'table-select'
  | 'replica-identity'
  | 'unlogged-table'
  | 'publication-missing'
  | 'publication-tables'
  | 'publication-actions'
  | 'publication-filter'
  | 'publication-partitions'
  | 'publication-privilege'
  | 'role-create-privilege'
  | 'slot-unusable';

export interface SourceProblem {
  readonly kind: SourceProblemKind;
  readonly message: string;
  /** The exact fix: SQL to run, a setting to change, or a flag of setup-source. */
  readonly fix: string;
  /** `schema.table`, for problems of one table. */
  readonly table?: string | undefined;
}

/** The source lacks something follow needs (a setting, a privilege, a publication): exit 1. */
export class SourceNotReadyError extends PgtwinError {
  constructor(message: string, options: PgtwinErrorOptions = {}) {
    super('SOURCE_NOT_READY', 'failure', message, options);
  }
}

/** One line per problem, the fix under it: for error details. */
export function problemLines(problems: readonly SourceProblem[]): string[] {
  return problems.map((p) => `${p.message}\n    fix: ${p.fix.split('\n').join('\n         ')}`);
}
