/**
 * Running a plan's DDL on the target. Pre-data is one transaction in which
 * the tables are all or nothing (a half-made set of tables helps nobody) and
 * every other object stands alone under a savepoint; post-data runs one
 * object at a time, each in its own transaction, so one failing index is
 * reported with its name and does not undo the keys built before it.
 */
import type { Client } from '../pg/connect.js';
import { withTransaction } from '../pg/connect.js';
import { InterruptedError, messageOf } from '../errors.js';
import { isCritical, type DdlStatement } from './ddl.js';
import { DdlError } from './errors.js';

export interface DdlObserver {
  /** Called before each statement runs. */
  statement?(statement: DdlStatement): void;
  failed?(failure: DdlFailure): void;
}

export interface DdlFailure {
  readonly object: string;
  readonly sql: string;
  readonly reason: string;
}

export interface ApplyOptions {
  readonly observer?: DdlObserver;
  readonly signal?: AbortSignal;
}

// The DDL names every user object with its schema, as rendered on the source
// under the same search_path; bodies are checked when called, not when created
// (as in a pg_dump restore), so functions can precede what they use.
const SESSION = ["SELECT set_config('search_path', 'pg_catalog', true)", "SELECT set_config('check_function_bodies', 'off', true)"];

/**
 * Runs the pre-data statements in one transaction. A table's failure rolls all
 * of it back; any other object's failure is reported and the rest goes on.
 */
export async function applyPreData(client: Client, statements: readonly DdlStatement[], options: ApplyOptions = {}): Promise<DdlFailure[]> {
  if (statements.length === 0) return [];
  return withTransaction(client, () => executePreData(client, statements, options));
}

/**
 * The pre-data statements inside the caller's open transaction (sync commits
 * them with the truncation and the stored plan, all or nothing). The session
 * settings are transaction-local, so they end with it. Each statement runs
 * under a savepoint: a function, view or type that the target refuses is
 * rolled back alone and returned, so the tables are still created and loaded.
 */
export async function executePreData(
  client: Client,
  statements: readonly DdlStatement[],
  options: ApplyOptions = {},
): Promise<DdlFailure[]> {
  if (statements.length === 0) return [];
  for (const sql of SESSION) await client.query(sql);
  const failures: DdlFailure[] = [];
  for (const statement of statements) {
    throwIfAborted(options.signal);
    options.observer?.statement?.(statement);
    await client.query('SAVEPOINT pgtwin_ddl');
    try {
      await client.query(statement.sql);
      await client.query('RELEASE SAVEPOINT pgtwin_ddl');
    } catch (error) {
      if (isCritical(statement)) {
        throw new DdlError(
          statement.object,
          statement.sql,
          error,
          `Creating ${statement.object} on the target failed: ${messageOf(error)}`,
          {
            nextStep:
              'Nothing of the schema was created (the tables are created in one transaction). Fix the cause on the target, or leave the table out with --exclude, and run again.',
          },
        );
      }
      await client.query('ROLLBACK TO SAVEPOINT pgtwin_ddl');
      await client.query('RELEASE SAVEPOINT pgtwin_ddl');
      const failure: DdlFailure = { object: statement.object, sql: statement.sql, reason: messageOf(error) };
      failures.push(failure);
      options.observer?.failed?.(failure);
    }
  }
  return failures;
}

/**
 * Runs post-data statements one object at a time (an object's consecutive
 * statements, such as a trigger and its enabled state, share a transaction).
 * Returns the objects that failed; the rest are committed.
 */
export async function applyPostData(
  client: Client,
  statements: readonly DdlStatement[],
  options: ApplyOptions = {},
): Promise<DdlFailure[]> {
  const failures: DdlFailure[] = [];
  for (const group of groupByObject(statements)) {
    throwIfAborted(options.signal);
    let current: DdlStatement | undefined;
    try {
      await withTransaction(client, async () => {
        for (const sql of SESSION) await client.query(sql);
        for (const statement of group) {
          current = statement;
          options.observer?.statement?.(statement);
          await client.query(statement.sql);
        }
      });
    } catch (error) {
      const failure: DdlFailure = { object: current?.object ?? group[0]?.object ?? '', sql: current?.sql ?? '', reason: messageOf(error) };
      failures.push(failure);
      options.observer?.failed?.(failure);
    }
  }
  return failures;
}

/** Statements of one object run in one transaction (a trigger and its enabled state); a refresh stands alone. */
export function groupByObject(statements: readonly DdlStatement[]): DdlStatement[][] {
  const groups: DdlStatement[][] = [];
  for (const statement of statements) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[0]?.object === statement.object && statement.kind !== 'refresh') last.push(statement);
    else groups.push([statement]);
  }
  return groups;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new InterruptedError('Schema creation was interrupted.', {
      nextStep: 'Run the same command again: it creates only what is still missing.',
    });
  }
}
