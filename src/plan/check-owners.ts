/**
 * Ownership remaps (the Prisma script's `--user-id`): a `constant` rule on a
 * foreign-key column makes every copied row reference one row, say one
 * developer's account. That is valid only if the row is in the twin once the
 * sync is done: among the referenced table's source rows that the sync copies
 * (after its `where`, and after masking when its key column is masked), or
 * already in the target when the referenced table is not copied. Checked here,
 * before anything is written: otherwise the target would be truncated and
 * loaded, and the foreign key would fail at the end over orphaned rows.
 */
import type { Client } from '../pg/connect.js';
import { withTransaction } from '../pg/connect.js';
import { displayName, quoteIdent, quoteQualified } from '../pg/ident.js';
import { sqlStateOf } from '../pg/retry.js';
import { compileMasks, type MaskingKey, type StrategyRegistry } from '../anonymize/index.js';
import { UsageError, messageOf } from '../errors.js';
import type { OwnerCheck } from './mask-plan.js';
import type { SyncPlan, TablePlan } from './plan.js';

export interface OwnerCheckInput {
  readonly source: Client;
  readonly target: Client;
  readonly plan: SyncPlan;
  readonly registry: StrategyRegistry;
  /** Asked for only when a referenced key column is masked (its masked values must be computed). */
  readonly key: () => Promise<MaskingKey>;
}

/** Rows fetched at a time when masked key values are searched. */
const FETCH_ROWS = 5000;

export async function checkOwners(input: OwnerCheckInput): Promise<void> {
  const problems: string[] = [];
  for (const table of input.plan.tables) {
    for (const owner of table.owners ?? []) {
      const problem = await checkOwner(input, owner);
      if (problem !== undefined) problems.push(`${owner.table}.${owner.column} = ${owner.value}: ${problem}`);
    }
  }
  if (problems.length > 0) {
    throw new UsageError(
      'OWNER_NOT_IN_TWIN',
      `${problems.length === 1 ? 'A constant foreign key value does' : 'Constant foreign key values do'} not reference a row of the twin; nothing was written.`,
      {
        details: problems,
        nextStep:
          'Use a value that exists in the referenced table as the twin will hold it (a row the sync copies, or one already on the target when that table is not copied), or change the rule.',
      },
    );
  }
}

/** Why the owner would not be in the twin, or undefined when it will be. */
async function checkOwner(input: OwnerCheckInput, owner: OwnerCheck): Promise<string | undefined> {
  const referenced = `${displayName(owner.referencedTable)}.${owner.referencedColumn}`;
  if (owner.copiedAs === undefined) {
    // Not copied: the target's rows stay, so the owner must be there already.
    try {
      const found = await exists(
        input.target,
        `SELECT EXISTS (SELECT 1 FROM ${quoteQualified(owner.referencedTable)} WHERE ${quoteIdent(owner.referencedColumn)} = $1)`,
        owner.value,
      );
      return found
        ? undefined
        : `${displayName(owner.referencedTable)} is not copied, and the target has no row with ${owner.referencedColumn} = ${owner.value}`;
    } catch (error) {
      return (
        valueProblem(error, referenced) ??
        `${displayName(owner.referencedTable)} is not copied and cannot be read on the target: ${messageOf(error)}`
      );
    }
  }
  const copied = input.plan.tables.find((t) => t.key === owner.copiedAs);
  if (copied === undefined) return undefined;
  if (copied.limit !== undefined) {
    return `${copied.key} is copied with \`limit: ${copied.limit}\`, so which of its rows reach the twin is known only after the copy; filter it with \`where\` instead (e.g. one that keeps ${owner.referencedColumn} = ${owner.value})`;
  }
  const filter = copied.where === undefined ? '' : ` (where ${copied.where})`;
  try {
    if (owner.referencedRule === undefined) {
      const conditions = [
        copied.where === undefined ? undefined : `(${copied.where})`,
        `${quoteIdent(owner.referencedColumn)} = $1`,
      ].filter((c) => c !== undefined);
      const found = await exists(
        input.source,
        `SELECT EXISTS (SELECT 1 FROM ${fromOf(copied)} WHERE ${conditions.join(' AND ')})`,
        owner.value,
      );
      return found ? undefined : `no row of ${copied.key} that the sync copies${filter} has ${owner.referencedColumn} = ${owner.value}`;
    }
    const found = await existsMasked(input, copied, owner);
    return found
      ? undefined
      : `no row of ${copied.key} that the sync copies${filter} has ${owner.referencedColumn} = ${owner.value} once masked by \`${owner.referencedRule.strategy}\``;
  } catch (error) {
    return valueProblem(error, referenced) ?? `${copied.key} cannot be read on the source: ${messageOf(error)}`;
  }
}

/** ONLY keeps legacy inheritance children out of a plain table's rows, as the copy does. */
function fromOf(table: TablePlan): string {
  return `${table.source.kind === 'table' ? 'ONLY ' : ''}${quoteQualified(table.source)}`;
}

async function exists(client: Client, sql: string, value: string): Promise<boolean> {
  const result = await client.query<{ exists: boolean }>(sql, [value]);
  return result.rows[0]?.exists === true;
}

function valueProblem(error: unknown, referenced: string): string | undefined {
  const state = sqlStateOf(error);
  // invalid_text_representation, numeric_value_out_of_range, invalid_datetime_format...
  if (state !== undefined && state.startsWith('22')) return `the value is not a valid value of ${referenced}: ${messageOf(error)}`;
  return undefined;
}

/**
 * The referenced key column is masked as it is copied: its masked values are
 * computed row by row (a cursor keeps memory bounded) and compared with the
 * constant, which is what the twin's rows will reference.
 */
async function existsMasked(input: OwnerCheckInput, copied: TablePlan, owner: OwnerCheck): Promise<boolean> {
  const rule = owner.referencedRule;
  if (rule === undefined) return false;
  if ((input.registry.get(rule.strategy)?.reads(rule.options).length ?? 0) > 0) {
    throw new UsageError(
      'OWNER_NOT_CHECKABLE',
      `${copied.key}.${owner.referencedColumn} is masked by a rule that reads other columns, so the owner ${owner.value} cannot be found before the copy.`,
      {
        nextStep: `Give ${copied.key}.${owner.referencedColumn} a rule that depends on its value only, or keep it as it is.`,
      },
    );
  }
  const info = copied.source.columns.find((c) => c.name === owner.referencedColumn);
  const masks = compileMasks(
    new Map([[owner.referencedColumn, rule]]),
    [{ name: owner.referencedColumn, type: info?.type ?? 'text', notNull: info?.notNull ?? false }],
    {
      table: copied.key,
      primaryKey: copied.source.primaryKey,
      uniqueKeys: copied.source.uniqueKeys,
      strategies: input.registry,
      key: await input.key(),
    },
  );
  const mask = masks.get(0);
  if (mask === undefined) return false;
  const where = copied.where === undefined ? '' : ` WHERE (${copied.where})`;
  return withTransaction(
    input.source,
    async () => {
      await input.source.query(
        `DECLARE pgtwin_owner NO SCROLL CURSOR FOR SELECT ${quoteIdent(owner.referencedColumn)}::text FROM ${fromOf(copied)}${where}`,
      );
      for (;;) {
        const batch = await input.source.query<unknown[]>({ text: `FETCH ${FETCH_ROWS} FROM pgtwin_owner`, rowMode: 'array' });
        for (const row of batch.rows) {
          const value = typeof row[0] === 'string' ? row[0] : null;
          if (value !== null && mask(value, { field: () => value }) === owner.value) return true;
        }
        if (batch.rows.length < FETCH_ROWS) return false;
      }
    },
    'BEGIN READ ONLY',
  );
}
