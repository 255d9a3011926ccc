/**
 * Groups row changes into runs, each applied by one statement: the twin
 * parses, plans and starts one statement per run instead of one per change,
 * which was most of its cost (see docs/performance.md).
 *
 * What may share a statement without changing the outcome of applying the
 * changes one by one in source order:
 *
 * - changes of one table and one kind (insert, update, delete), in source
 *   order, with no key twice in one statement: an upsert cannot touch a row
 *   twice, and an UPDATE ... FROM applies only one of two rows with the same
 *   key. An insert or delete of a key already in the run starts a new run.
 *   An update of a key already in an update run takes the place of that
 *   row's earlier update: both keep the key and set the same columns (one
 *   shape per run), so the later values are what the row holds after both,
 *   and updates of different rows commute (these tables have no other unique
 *   index, see TwinFacts). The twin then writes each hot row once per
 *   statement instead of once per source update, which matters for small,
 *   hot tables (pgbench's branches: ten rows updated by every transaction),
 *   where each extra version also lengthens the chain later updates walk;
 * - updates only when each keeps its key (a moved key runs alone) and when
 *   they leave the same TOASTed columns alone (one SET list per statement);
 *   tables without a key (the row is found by its old values) run alone.
 *
 * Each table keeps its changes in source order, so a run ends when its table
 * has a change of another kind or shape. Tables linked by a foreign key on
 * the twin share that order (a group): a child row never lands before its
 * parent. Runs of unrelated tables may be applied in a different order than
 * the source's within one twin transaction, which no reader sees: the twin
 * commits whole batches of source transactions.
 */
import type { RowChange } from './table-changes.js';
import type { TableSql, Value } from './table-sql.js';

/** One statement for the twin, with what its row count must show. */
export interface Statement {
  readonly sql: string;
  /** Rows an UPDATE or DELETE must find; fewer are rows the twin does not have. 0: nothing to check. */
  readonly expected: number;
  readonly table: string;
  readonly op: 'insert' | 'update' | 'delete' | 'truncate' | 'alter';
}

type RunKind = 'insert' | 'update' | 'delete';
type RunRow = Extract<RowChange, { kind: RunKind }>;

interface Run {
  readonly table: TableSql;
  readonly kind: RunKind;
  readonly shape: string;
  /** Rows the twin may lack without a warning (RowChange absentOk). */
  readonly quiet: boolean;
  /** row id -> its place in `rows` */
  readonly placeOf: Map<string, number>;
  /** One statement's rows, each row at most once. */
  readonly rows: RunRow[];
}

export class ChangeRuns {
  private ready: Statement[] = [];
  /** order group -> its open run */
  private readonly open = new Map<string, Run>();
  private rows = 0;
  private size = 0;

  constructor(
    /** table key -> its order group (TwinFacts.orderGroup). */
    private readonly groupOf: (table: string) => string,
    private readonly maxRunRows: number,
  ) {}

  /** Changes added and not taken yet. */
  get pendingChanges(): number {
    return this.rows;
  }

  /** About the characters of their values: the statements' size, to bound memory. */
  get pendingBytes(): number {
    return this.size;
  }

  add(table: TableSql, change: RowChange): void {
    this.rows++;
    const group = this.groupOf(table.key);
    const run = this.open.get(group);
    if (!runnable(table, change)) {
      if (run !== undefined) this.close(group, run);
      for (const statement of alone(table, change)) {
        this.ready.push(statement);
        this.size += statement.sql.length;
      }
      return;
    }
    this.size += valuesSize(change.kind === 'delete' ? change.key : change.values);
    const shape = change.kind === 'update' ? change.shape : '';
    const quiet = change.kind !== 'insert' && change.absentOk === true;
    if (
      run !== undefined &&
      run.table === table &&
      run.kind === change.kind &&
      run.shape === shape &&
      run.quiet === quiet &&
      this.join(run, change)
    )
      return;
    if (run !== undefined) this.close(group, run);
    const placeOf = new Map<string, number>();
    if (change.id !== undefined) placeOf.set(change.id, 0);
    this.open.set(group, { table, kind: change.kind, shape, quiet, placeOf, rows: [change] });
  }

  /** A statement that must follow everything added before it, in every table (TRUNCATE). */
  barrier(statement: Statement): void {
    for (const [group, run] of this.open) this.close(group, run);
    this.ready.push(statement);
  }

  /** Every statement added so far, in an order that keeps each group's source order. */
  take(): Statement[] {
    for (const [group, run] of this.open) this.close(group, run);
    const ready = this.ready;
    this.ready = [];
    this.rows = 0;
    this.size = 0;
    return ready;
  }

  /** Adds the change to the open run of its table and kind, if the run can take it. */
  private join(run: Run, change: RunRow): boolean {
    const id = change.id;
    const place = id === undefined ? undefined : run.placeOf.get(id);
    if (place !== undefined) {
      // The row again: a later update of it supersedes the earlier one (same key, same columns set).
      if (change.kind !== 'update') return false;
      run.rows[place] = change;
      return true;
    }
    if (run.rows.length >= this.maxRunRows) return false;
    if (id !== undefined) run.placeOf.set(id, run.rows.length);
    run.rows.push(change);
    return true;
  }

  private close(group: string, run: Run): void {
    this.open.delete(group);
    statementsOf(run, run.rows, this.ready);
  }
}

function runnable(table: TableSql, change: RowChange): change is RunRow {
  switch (change.kind) {
    case 'insert':
      // Without a key, rows cannot collide: inserts always share a statement.
      return change.id !== undefined || !table.hasKey;
    case 'update':
      return change.id !== undefined && table.multiRowUpdates;
    case 'delete':
      return change.id !== undefined && table.multiRowDeletes;
    default:
      return false;
  }
}

/** The statement(s) of a run, appended to `out`. */
function statementsOf(run: Run, rows: readonly RunRow[], out: Statement[]): void {
  const { table, kind } = run;
  const push = (sql: string | undefined, expected: number): void => {
    if (sql !== undefined) out.push({ sql, expected: run.quiet ? 0 : expected, table: table.key, op: kind });
  };
  if (kind === 'insert') {
    for (const sql of table.insert(rows.map(valuesOf))) push(sql, 0);
    return;
  }
  const first = rows[0];
  // One row: the plain statement plans faster than a join to a VALUES list.
  if (rows.length === 1 && first !== undefined) {
    out.push(...alone(table, first));
    return;
  }
  if (kind === 'delete') {
    push(table.deleteMany(rows.map(keyOf)), rows.length);
    return;
  }
  const present = table.presentColumns(run.shape);
  if (present.length > 0) {
    push(table.updateMany(present, rows as readonly Extract<RowChange, { kind: 'update' }>[]), rows.length);
    return;
  }
  // Nothing to set but the key: one statement each still tells whether the row is there.
  for (const row of rows) if (row.kind === 'update') push(table.updateOne(row.values, row.key), 1);
}

const valuesOf = (row: RunRow): readonly Value[] => (row.kind === 'insert' ? row.values : []);
const keyOf = (row: RunRow): readonly Value[] => (row.kind === 'delete' ? row.key : []);

/** A change in statements of its own (an upsert on a table with rules takes two). */
function alone(table: TableSql, change: RowChange): Statement[] {
  let sql: string | undefined;
  let op: Statement['op'];
  switch (change.kind) {
    case 'insert':
      return table.insert([change.values]).map((text) => ({ sql: text, expected: 0, table: table.key, op: 'insert' }));
    case 'update':
      [sql, op] = [table.updateOne(change.values, change.key), 'update'];
      break;
    case 'move':
      [sql, op] = [table.updateOne(change.values, change.oldKey), 'update'];
      break;
    case 'delete':
      [sql, op] = [table.deleteOne(change.key), 'delete'];
      break;
    case 'update-row':
      [sql, op] = [table.updateByRow(change.values, change.old), 'update'];
      break;
    case 'delete-row':
      [sql, op] = [table.deleteByRow(change.old), 'delete'];
      break;
  }
  return sql === undefined ? [] : [{ sql, expected: change.absentOk === true ? 0 : 1, table: table.key, op }];
}

function valuesSize(values: readonly (Value | symbol)[]): number {
  let n = 16;
  for (const v of values) if (typeof v === 'string') n += v.length + 4;
  return n;
}
