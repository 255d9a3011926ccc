/**
 * The trusted, validated form of pgtwin's configuration. Everything outside
 * src/config/ receives a Settings and never looks at the raw file again.
 */

export interface EnvironmentSettings {
  readonly name: string;
  /**
   * A PostgreSQL connection URL, after ${VAR} expansion. For an embedded
   * environment it has no password: the server's own credentials complete it
   * when the server is started (ensureLocalServer in src/pg/local-server.ts).
   */
  readonly url: string;
  /** Present for `embedded: true` environments: a server pgtwin runs itself. */
  readonly embedded?: EmbeddedServerSettings;
  /** The built-in `local` environment, used when the file does not define one (never in Settings.environments). */
  readonly builtIn?: true;
}

/** An embedded local server (`embedded: true`). */
export interface EmbeddedServerSettings {
  /** TCP port on 127.0.0.1. */
  readonly port: number;
  /** Absolute directory that holds the cluster, its credentials and its log. */
  readonly dataDir: string;
  /**
   * Major version asked for in the file. The installed binaries fix the version;
   * this only makes a mismatch an error instead of a surprise.
   */
  readonly version: string | undefined;
}

/** A masking rule for one column: the strategy name and its inline options. */
export interface StrategySpec {
  readonly strategy: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** Row filter for one table (a name or glob as written in the config). */
export interface TableFilter {
  /** SQL boolean expression, inserted as `WHERE (<where>)`. */
  readonly where: string | undefined;
  /** Maximum number of rows to copy. */
  readonly limit: number | undefined;
  /** Given on the command line (`--where`, `--limit`): wins over the file's filters for the same table. */
  readonly fromCommandLine?: true;
}

export interface TableSelectionSettings {
  /** Names or globs; `schema.table` patterns match the qualified name, bare ones the table name. Empty: every user table. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Per-table filters keyed by the name or glob written in the config. */
  readonly filters: ReadonlyMap<string, TableFilter>;
}

export interface SyncOptions {
  /** Parallel table copies; undefined: the number of CPUs. */
  readonly jobs: number | undefined;
  /** Tables whose heap is larger are copied in chunks, in parallel (bytes). */
  readonly splitTablesLargerThan: number;
  /** Worker threads that mask rows; 0: mask on the copying thread; undefined: the number of CPUs. */
  readonly maskWorkers: number | undefined;
  /**
   * Confiture's `batch_size`: the most changes `follow` applies in one target
   * transaction. `sync` streams each table (or chunk) with one COPY and has no
   * row batches.
   */
  readonly batchSize: number;
  readonly allowRemoteTarget: boolean;
  /** undefined: decided by whether stderr is a TTY. */
  readonly showProgress: boolean | undefined;
  /** Include tables with foreign keys into the selection (`--cascade`). */
  readonly cascade: boolean;
  /**
   * Confiture's `checkpoint_file` (`--checkpoint`): absolute path of a file
   * that marks a sync in progress; while it exists, `sync` resumes that run.
   */
  readonly checkpointFile?: string | undefined;
  /** Confiture's `verbose`: one line per table and phase even on a terminal. */
  readonly verbose?: boolean | undefined;
}

/**
 * `copy`: the same OIDs with their content; `empty`: the same OIDs with no
 * content (references resolve, nothing personal travels); `skip`: none.
 */
export type LargeObjectsDecision = 'copy' | 'empty' | 'skip';

export const LARGE_OBJECTS_DECISIONS: readonly LargeObjectsDecision[] = ['copy', 'empty', 'skip'];

export interface Settings {
  /** The file the settings came from, if any. */
  readonly configPath: string | undefined;
  readonly environments: ReadonlyMap<string, EnvironmentSettings>;
  /** An environment name or a URL, after flag and env overrides; undefined when not given. */
  readonly source: string | undefined;
  readonly target: string | undefined;
  readonly tables: TableSelectionSettings;
  /** table name or glob -> column -> rule. */
  readonly anonymize: ReadonlyMap<string, ReadonlyMap<string, StrategySpec>>;
  /** table name or glob -> columns reviewed and kept as they are. */
  readonly keep: ReadonlyMap<string, readonly string[]>;
  /** Every column must be masked or kept (enforced by the masking step). */
  readonly strict: boolean;
  /**
   * What sync does with the source's large objects (`large_objects:`);
   * undefined: not decided (strict mode refuses a source that has some).
   * Optional so that hand-built Settings (tests) need not name it.
   */
  readonly largeObjects?: LargeObjectsDecision | undefined;
  /** Path of a module registering custom strategies, resolved against the config file. */
  readonly strategiesModule: string | undefined;
  readonly options: SyncOptions;
  /**
   * Absolute path of a file holding the masking secret (`secret_file:`), resolved
   * against the config file. Optional so that hand-built Settings (tests) need not
   * name it; the secret itself never comes from the config file (PGTWIN_SECRET or
   * this file).
   */
  readonly secretFile?: string | undefined;
  /**
   * The archive's location (`archive:`) for capture and apply: a directory
   * (absolute, resolved against the config file) or a file://, sftp:// or
   * s3:// URL. Optional so that hand-built Settings (tests) need not name it.
   */
  readonly archive?: string | undefined;
  /** `archive.new_base_after`: capture writes a new base once the newest is this old (milliseconds); undefined: only when asked. */
  readonly newBaseAfterMs?: number | undefined;
  /** Non-fatal remarks found while loading (deprecated or ignored keys). */
  readonly warnings: readonly string[];
  /**
   * What keys from another tool's format mean here (Confiture's `batch_size`,
   * `checkpoint_file`...): shown by `plan`, so none of them is a silent no-op.
   */
  readonly notes?: readonly string[];
}

/** What the command line may override; undefined means "not given". */
export interface SettingsOverrides {
  readonly source?: string | undefined;
  readonly target?: string | undefined;
  readonly include?: readonly string[] | undefined;
  readonly exclude?: readonly string[] | undefined;
  readonly jobs?: number | undefined;
  /** `--split-tables-larger-than`, in bytes. */
  readonly splitTablesLargerThan?: number | undefined;
  readonly maskWorkers?: number | undefined;
  readonly allowRemoteTarget?: boolean | undefined;
  readonly cascade?: boolean | undefined;
  /** `--where TABLE=CONDITION` and `--limit TABLE=N`, by table name or glob; they win over the file's filters. */
  readonly filters?: ReadonlyMap<string, Partial<TableFilter>> | undefined;
  /** `--checkpoint FILE`, relative to the working directory. */
  readonly checkpointFile?: string | undefined;
  readonly verbose?: boolean | undefined;
}
