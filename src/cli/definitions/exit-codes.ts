/**
 * What each exit code means, keyed by the categories of EXIT_CODES: a category
 * added in errors.ts without a line here fails to compile. The main help's
 * summary and the Exit codes table of docs/cli.md are built from this.
 */
import type { EXIT_CODES } from '../../errors.js';

export interface ExitCodeDoc {
  /** A few words, for the main help. */
  readonly short: string;
  readonly meaning: string;
  /** The error codes of this category that docs/cli.md lists. */
  readonly codes: readonly string[];
}

export const EXIT_CODE_DOCS: Readonly<Record<keyof typeof EXIT_CODES, ExitCodeDoc>> = {
  ok: { short: 'ok', meaning: 'success (for `plan`: the plan is valid)', codes: [] },
  failure: {
    short: 'failure',
    meaning: 'failure while running (`INTERNAL`: an error pgtwin did not anticipate)',
    codes: [
      'COPY_FAILED',
      'ANONYMIZATION_FAILED',
      'SEQUENCE_NOT_READABLE',
      'FOREIGN_KEYS_NOT_RESTORED',
      'DDL_FAILED',
      'STATE_SCHEMA_DENIED',
      'CONFIG_WRITE_FAILED',
      'LARGE_OBJECTS_NOT_READABLE',
      'LARGE_OBJECTS_NOT_COPIED',
      'ANALYZE_FAILED',
      'INTERNAL',
    ],
  },
  usage: {
    short: 'usage or config error',
    meaning: 'usage or configuration error, including a selected table that does not exist',
    codes: [
      'UNKNOWN_COMMAND',
      'UNKNOWN_FLAG',
      'BAD_FLAGS',
      'CONFIG_INVALID',
      'NO_SOURCE',
      'NO_TARGET',
      'UNKNOWN_ENVIRONMENT',
      'BAD_URL',
      'TABLE_NOT_FOUND',
      'NOTHING_SELECTED',
      'UNSELECTED_REFERENCING_TABLE',
      'BAD_FILTER',
      'MASK_RULES_INVALID',
      'NO_SECRET',
      'SECRET_INVALID',
      'STRATEGIES_MODULE_INVALID',
      'URL_NOT_WRITABLE',
      'CONFIG_NOT_EDITABLE',
      'KEY_FILE_WRITE',
      'NOTHING_TO_RESUME',
      'RESUME_MISMATCH',
      'LARGE_OBJECTS_UNDECIDED',
    ],
  },
  connect: {
    short: 'cannot connect',
    meaning: 'cannot connect',
    codes: ['CONNECT_FAILED', 'HOST_NOT_FOUND', 'AUTH_FAILED', 'DATABASE_NOT_FOUND'],
  },
  schema: { short: 'schema mismatch', meaning: "the target's schema does not match the source", codes: ['SCHEMA_MISMATCH'] },
  safety: {
    short: 'refused for safety',
    meaning: 'refused for safety',
    codes: ['SAME_DATABASE', 'REMOTE_TARGET', 'NOT_CONFIRMED', 'TARGET_BUSY', 'SECRET_FILE_UNSAFE', 'CONFIG_EXISTS', 'KEY_FILE_EXISTS'],
  },
  incomplete: {
    short: 'twin incomplete',
    meaning:
      'done, but the twin is incomplete: the rows are copied (`sync`) or the rest created (`schema`), and the schema objects that could not be created are listed with their reasons',
    codes: ['SCHEMA_INCOMPLETE'],
  },
  interrupted: { short: 'interrupted', meaning: 'interrupted by SIGINT or SIGTERM', codes: ['INTERRUPTED'] },
};
