/**
 * An archive's change records as the messages the applier takes from
 * pgoutput, so that `apply` and `follow` share one applier: a relation
 * message (numbered here) before a table's first change and after its
 * columns change, tuples in that relation's column order, a TOASTed value
 * the source did not resend as UNCHANGED_TOAST, LSNs and commit times as
 * pgoutput gives them. Records name columns; the relation fixes their order.
 */
import { parseLsn } from '../stream/lsn.js';
import { UNCHANGED_TOAST, type PgoutputMessage, type RelationMessage, type TupleValue } from '../stream/pgoutput.js';
import type { ChangeRecord, RowValues, TableName } from './change-records.js';
import { parseCommitTime } from './commit-time.js';

export class RecordMessages {
  private readonly oids = new Map<string, number>();
  private readonly columns = new Map<string, readonly string[]>();
  /** Tables whose relation message the applier has for their current columns. */
  private readonly announced = new Set<string>();

  constructor(
    /** A table's columns before any schema record (the twin's), undefined for a table the twin does not hold. */
    private readonly initialColumns: (schema: string, table: string) => readonly string[] | undefined,
  ) {}

  /** A schema record: the table's changes from here on carry these columns. */
  setColumns(table: TableName, columns: readonly string[]): void {
    const key = keyOf(table);
    this.columns.set(key, columns);
    this.announced.delete(key);
  }

  /** The messages of one record (none for header, trailer, schema and sequence records). */
  messages(record: ChangeRecord): PgoutputMessage[] {
    switch (record.t) {
      case 'begin':
        return [{ tag: 'begin', finalLsn: parseLsn(record.lsn), commitTime: parseCommitTime(record.time), xid: record.xid }];
      case 'commit':
        return [
          {
            tag: 'commit',
            flags: 0,
            commitLsn: parseLsn(record.lsn),
            endLsn: parseLsn(record.end_lsn),
            commitTime: parseCommitTime(record.time),
          },
        ];
      case 'insert': {
        const out = this.announce(record);
        out.push({ tag: 'insert', relationOid: this.oidOf(record), newTuple: this.tuple(record, record.new) });
        return out;
      }
      case 'update': {
        const out = this.announce(record);
        const unchanged = new Set(record.unchanged ?? []);
        out.push({
          tag: 'update',
          relationOid: this.oidOf(record),
          keyTuple: record.key === undefined ? undefined : this.tuple(record, record.key),
          oldTuple: record.old === undefined ? undefined : this.tuple(record, record.old),
          newTuple: this.tuple(record, record.new, unchanged),
        });
        return out;
      }
      case 'delete': {
        const out = this.announce(record);
        out.push({
          tag: 'delete',
          relationOid: this.oidOf(record),
          keyTuple: record.key === undefined ? undefined : this.tuple(record, record.key),
          oldTuple: record.old === undefined ? undefined : this.tuple(record, record.old),
        });
        return out;
      }
      case 'truncate': {
        const out = record.tables.flatMap((t) => this.announce(t));
        out.push({
          tag: 'truncate',
          relationOids: record.tables.map((t) => this.oidOf(t)),
          cascade: record.cascade,
          restartIdentity: record.restart_identity,
        });
        return out;
      }
      default:
        return [];
    }
  }

  private columnsOf(table: TableName): readonly string[] {
    const key = keyOf(table);
    let columns = this.columns.get(key);
    if (columns === undefined) {
      columns = this.initialColumns(table.schema, table.table) ?? [];
      this.columns.set(key, columns);
    }
    return columns;
  }

  private oidOf(table: TableName): number {
    const key = keyOf(table);
    let oid = this.oids.get(key);
    if (oid === undefined) {
      oid = this.oids.size + 1;
      this.oids.set(key, oid);
    }
    return oid;
  }

  /** The relation message, when the applier does not have the table's current columns yet. */
  private announce(table: TableName): PgoutputMessage[] {
    const key = keyOf(table);
    if (this.announced.has(key)) return [];
    this.announced.add(key);
    const relation: RelationMessage = {
      tag: 'relation',
      relationOid: this.oidOf(table),
      schema: table.schema,
      name: table.table,
      replicaIdentity: 'd',
      columns: this.columnsOf(table).map((name) => ({ flags: 0, isKey: false, name, typeOid: 0, typeMod: -1 })),
    };
    return [relation];
  }

  /** Values in the relation's column order; a column the record does not carry is null, or unchanged when named so. */
  private tuple(table: TableName, values: RowValues, unchanged?: ReadonlySet<string>): TupleValue[] {
    return this.columnsOf(table).map((name) => {
      // Own keys only: a column named `constructor` must not find Object's.
      if (Object.hasOwn(values, name)) return values[name] ?? null;
      return unchanged?.has(name) === true ? UNCHANGED_TOAST : null;
    });
  }
}

const keyOf = (table: TableName): string => `${table.schema}\u0000${table.table}`;
