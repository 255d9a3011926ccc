/**
 * Every failure pgtwin reports is a PgtwinError: a stable `code` that scripts can
 * match on, a message that says what went wrong, and `nextStep` that says what to
 * do about it. The CLI maps the code's category to an exit code; nothing else
 * decides exit codes.
 */

export type ErrorCategory = 'failure' | 'usage' | 'connect' | 'schema' | 'safety' | 'incomplete' | 'interrupted';

/** Exit codes of the CLI, documented in docs/cli.md. */
export const EXIT_CODES: Readonly<Record<ErrorCategory | 'ok', number>> = {
  ok: 0,
  failure: 1,
  usage: 2,
  connect: 3,
  schema: 4,
  safety: 5,
  incomplete: 6,
  interrupted: 130,
};

export interface PgtwinErrorOptions {
  nextStep?: string;
  cause?: unknown;
  /** Extra lines (one problem each) shown under the message. */
  details?: readonly string[];
}

export class PgtwinError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly nextStep: string | undefined;
  readonly details: readonly string[];

  constructor(code: string, category: ErrorCategory, message: string, options: PgtwinErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.category = category;
    this.nextStep = options.nextStep;
    this.details = options.details ?? [];
  }

  get exitCode(): number {
    return EXIT_CODES[this.category];
  }
}

/** Bad flags, a bad config file, a table that does not exist: exit 2. */
export class UsageError extends PgtwinError {
  constructor(code: string, message: string, options: PgtwinErrorOptions = {}) {
    super(code, 'usage', message, options);
  }
}

/** The configuration file or environment is invalid: exit 2, with every problem listed. */
export class ConfigError extends PgtwinError {
  constructor(message: string, options: PgtwinErrorOptions = {}) {
    super('CONFIG_INVALID', 'usage', message, options);
  }
}

/** A server could not be reached or refused the login: exit 3. */
export class ConnectError extends PgtwinError {
  constructor(code: string, message: string, options: PgtwinErrorOptions = {}) {
    super(code, 'connect', message, options);
  }
}

/** Source and target schemas do not fit together: exit 4. */
export class SchemaMismatchError extends PgtwinError {
  constructor(message: string, options: PgtwinErrorOptions = {}) {
    super('SCHEMA_MISMATCH', 'schema', message, options);
  }
}

/** pgtwin refused to do something unsafe: exit 5. */
export class SafetyError extends PgtwinError {
  constructor(code: string, message: string, options: PgtwinErrorOptions = {}) {
    super(code, 'safety', message, options);
  }
}

/**
 * The run did what it could and the rows are copied, but the twin lacks
 * schema objects that could not be created (each listed with its reason): exit 6.
 */
export class IncompleteError extends PgtwinError {
  constructor(code: string, message: string, options: PgtwinErrorOptions = {}) {
    super(code, 'incomplete', message, options);
  }
}

/** SIGINT/SIGTERM stopped the run: exit 130. */
export class InterruptedError extends PgtwinError {
  constructor(message: string, options: PgtwinErrorOptions = {}) {
    super('INTERRUPTED', 'interrupted', message, options);
  }
}

/** A step failed while running (copy, load, finish): exit 1. */
export class SyncError extends PgtwinError {
  constructor(code: string, message: string, options: PgtwinErrorOptions = {}) {
    super(code, 'failure', message, options);
  }
}

export function isPgtwinError(error: unknown): error is PgtwinError {
  return error instanceof PgtwinError;
}

/** The message of any thrown value, for wrapping foreign errors. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
