/**
 * A user's `where` clause is SQL pasted into a query: check it on the source
 * (EXPLAIN, no rows read) before the target is touched, so a typo fails the plan
 * instead of a half-finished load.
 */
import type { Client } from '../pg/connect.js';
import { UsageError, messageOf } from '../errors.js';
import { copyOutSql } from './copy-sql.js';
import type { SyncPlan } from './plan.js';

export async function checkFilters(source: Client, plan: SyncPlan): Promise<void> {
  const problems: string[] = [];
  for (const table of plan.tables) {
    if (table.where === undefined) continue;
    const query = copyOutSql(table)
      .replace(/^COPY \(/, '')
      .replace(/\) TO STDOUT$/, '');
    try {
      await source.query(`EXPLAIN ${query}`);
    } catch (error) {
      problems.push(`${table.key}: where (${table.where}): ${messageOf(error)}`);
    }
  }
  if (problems.length > 0) {
    throw new UsageError(
      'BAD_FILTER',
      `${problems.length === 1 ? 'A where filter is' : 'Where filters are'} not valid SQL on the source.`,
      {
        details: problems,
        nextStep:
          'Fix tables.filters in pgtwin.yaml (or the --where flag); the expression goes into `SELECT ... FROM table WHERE (<where>)`.',
      },
    );
  }
}
