/**
 * The shapes a strategy is written against. Values are PostgreSQL text forms
 * end to end: a strategy reads `2024-02-29 12:00:00+02` or `12.50` as text and
 * writes text the target's COPY accepts; nothing goes through Date or Number.
 */
import type { StrategySpec } from '../config/index.js';
import type { OptionReader, StrategyOptions } from './options.js';
import type { Prf } from './prf.js';
import type { TypeFamily } from './types.js';

export type { StrategyOptions };

/**
 * Other columns of the row being masked, by name, as text (NULL as null).
 * A column that has its own mask reads back MASKED, so a template or custom
 * strategy can never copy a source value that is masked elsewhere in the row
 * into its output. Valid only during the call it was passed to.
 */
export interface RowReader {
  get(column: string): string | null;
}

/** What the engine knows about the column a rule masks. */
export interface ColumnFacts {
  readonly name: string;
  /** format_type() text, e.g. `character varying(20)`. */
  readonly type: string;
  readonly family: TypeFamily;
  /** Character limit of varchar(n) / char(n). */
  readonly maxLength: number | undefined;
  readonly notNull: boolean;
  /** Part of the primary key or of a unique constraint/index. */
  readonly unique: boolean;
  /** A primary key or unique key all by itself. */
  readonly uniqueAlone: boolean;
  /** Referenced by a foreign key of some table. */
  readonly referenced: boolean;
}

/** Per-value context of a strategy written in the simple `mask(value, ctx)` form. */
export interface MaskContext {
  readonly table: string;
  readonly column: string;
  readonly strategy: string;
  readonly options: StrategyOptions;
  readonly row: RowReader;
  /** The keyed PRF of this strategy and options (same in every table). */
  readonly prf: Prf;
}

/** A compiled mask for non-NULL values. */
export type ValueMask = (value: string, row: RowReader) => string | null;

/**
 * The row as the masking stage holds it, by 0-based column index: a COPY row
 * (src/mask/row-cursor.ts) or a change's tuple. Masked columns read back their
 * SOURCE value here; the RowReader a strategy sees is built on top and gives
 * the masked one. Only valid during the mask call it was passed to.
 */
export interface RowView {
  field(index: number): string | null;
}

/**
 * A column's compiled mask, as the COPY transform and the change applier call
 * it: NULL handling included, the other fields of the row through `row`.
 */
export type ColumnMask = (value: string | null, row: RowView) => string | null;

/** Plan-time context: the column and its table, for checks that depend on them. */
export interface CheckContext {
  readonly table: string;
  readonly column: ColumnFacts;
  readonly columns: readonly ColumnFacts[];
  /** Columns of this table that have a masking rule. */
  readonly maskedColumns: ReadonlySet<string>;
  /** Problems of a nested rule (json paths), checked as if on a text column. */
  readonly checkNested: (spec: StrategySpec) => readonly string[];
}

/** What the factory form `create(setup)` gets once per column, before any value. */
export interface StrategySetup<O> {
  readonly table: string;
  readonly column: ColumnFacts;
  readonly options: O;
  readonly prf: Prf;
  /** Compiles a nested rule (json paths); NULL handling is the caller's. */
  readonly nested: (spec: StrategySpec) => ValueMask;
}

export interface StrategyDefinition<O = StrategyOptions> {
  /** Lowercase letters, digits and `_`, starting with a letter. */
  readonly name: string;
  /** One line for `pgtwin plan`, docs and error suggestions. */
  readonly summary?: string;
  /** Type families the strategy reads and writes; default `['text']`. */
  readonly acceptsTypes?: readonly (TypeFamily | 'any')[];
  /**
   * Distinct inputs give distinct outputs (required on unique, primary-key and
   * FK-referenced columns). Default false.
   */
  readonly injective?: boolean | ((options: O, ctx: CheckContext) => boolean);
  /** May turn a value into NULL (refused on NOT NULL columns). */
  readonly producesNull?: boolean;
  /** Parses inline options; unknown names are reported after it returns. Without it, options pass through unchecked. */
  readonly options?: (reader: OptionReader) => O;
  /** Further plan-time checks; return problem texts. */
  readonly validateOptions?: (options: O, ctx: CheckContext) => readonly string[] | string | undefined | void;
  /** The simple form: mask one non-NULL value. */
  readonly mask?: (value: string, ctx: MaskContext) => string | null;
  /** What a NULL becomes; without it NULL stays NULL. */
  readonly maskNull?: (ctx: MaskContext) => string | null;
  /** The factory form: prepare once per column, return the per-value function. */
  readonly create?: (setup: StrategySetup<O>) => ValueMask;
  /** Overrides the PRF domain (aliases that must give the same outputs as their target). */
  readonly domain?: (options: O) => string;
  /** Other columns of the row the mask reads (templates), for plan-time cycle and name checks. */
  readonly reads?: (options: O) => readonly string[];
}
