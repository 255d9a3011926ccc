/**
 * `pgtwin scan`: which columns of the source look like personal data. Reads
 * the source catalog and a small sample of each selected table (read-only
 * sessions only), and runs the detection heuristics column by column. The
 * result carries evidence and suggested rules, never a sampled value.
 */
import type { TableSelectionSettings } from '../config/index.js';
import { detectPii, type PiiFinding } from '../anonymize/index.js';
import { InterruptedError, UsageError } from '../errors.js';
import { readCatalog } from '../catalog/index.js';
import type { TableCatalog, TableInfo } from '../catalog/index.js';
import { withClient, type Client } from '../pg/connect.js';
import type { Endpoint } from '../pg/endpoint.js';
import { displayName, type QualifiedName } from '../pg/ident.js';
import { selectTables } from '../plan/select-tables.js';
import { sampleTable } from './sample.js';

export const DEFAULT_SAMPLE_SIZE = 1000;
const DEFAULT_TABLE_TIMEOUT_MS = 30_000;

export interface ScanRequest {
  /** The source, resolved (resolveEndpoint + toEndpoint); only ever read. */
  readonly source: Endpoint;
  /** Which tables to scan, as for sync (settings.tables). */
  readonly tables: TableSelectionSettings;
  /** Rows read per table (default 1000). */
  readonly sampleSize?: number;
  /** Statement timeout per table sample (default 30 s). */
  readonly tableTimeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
  /** Called before each table is sampled, for progress output. */
  readonly onTable?: ((table: string, index: number, count: number) => void) | undefined;
}

export interface ScannedColumn {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  /** Generated on the target: never copied, so never masked or kept. */
  readonly generated: boolean;
  /** Most confident first; empty when nothing points at personal data. */
  readonly findings: readonly PiiFinding[];
}

export interface ScannedTable extends QualifiedName {
  /** `schema.table`. */
  readonly key: string;
  readonly estimatedRows: number;
  /** Rows sampled; undefined when no column needed values. */
  readonly sampledRows: number | undefined;
  /** Why values could not be read, when they could not. */
  readonly problem: string | undefined;
  readonly primaryKey: readonly string[];
  readonly uniqueKeys: readonly (readonly string[])[];
  readonly columns: readonly ScannedColumn[];
}

/** A foreign key between two tables of the source (partitions folded into their root). */
export interface ScanForeignKey {
  readonly table: QualifiedName;
  readonly columns: readonly string[];
  readonly referencedTable: QualifiedName;
  readonly referencedColumns: readonly string[];
}

export interface ScanResult {
  /** The source as it may be printed (no password). */
  readonly source: string;
  readonly sampleSize: number;
  readonly tables: readonly ScannedTable[];
  /** Every foreign key of the source, for rules that must agree across tables. */
  readonly foreignKeys: readonly ScanForeignKey[];
  readonly warnings: readonly string[];
}

export async function scanSource(request: ScanRequest): Promise<ScanResult> {
  const sampleSize = request.sampleSize ?? DEFAULT_SAMPLE_SIZE;
  if (!Number.isSafeInteger(sampleSize) || sampleSize < 1)
    throw new UsageError('BAD_FLAGS', `The sample size must be a positive whole number, not ${sampleSize}.`, {
      nextStep: 'For example --sample 1000.',
    });
  const endpoint = request.source;
  return withClient(endpoint, { readOnly: true, applicationName: 'pgtwin scan', signal: request.signal }, async (client) => {
    const catalog = await readCatalog(client, 'tables');
    const selection = selectTables(catalog, request.tables);
    if (selection.tables.size === 0) {
      throw new UsageError(
        'NOTHING_SELECTED',
        'No table is selected: the source has no user tables, or the include/exclude patterns leave nothing.',
        {
          nextStep: 'Check --tables / --exclude (or tables.include / tables.exclude in pgtwin.yaml).',
        },
      );
    }
    const tables: ScannedTable[] = [];
    const selected = [...selection.tables.values()];
    for (const [index, table] of selected.entries()) {
      if (request.signal?.aborted === true)
        throw new InterruptedError('The scan was interrupted; nothing was written.', {
          nextStep: 'Run the same pgtwin scan command again.',
        });
      request.onTable?.(displayName(table), index, selected.length);
      tables.push(await scanTable(client, table, sampleSize, request.tableTimeoutMs ?? DEFAULT_TABLE_TIMEOUT_MS));
    }
    return {
      source: endpoint.display,
      sampleSize,
      tables,
      foreignKeys: foldedForeignKeys(catalog),
      warnings: selection.warnings,
    };
  });
}

async function scanTable(client: Client, table: TableInfo, limit: number, timeoutMs: number): Promise<ScannedTable> {
  const copied = table.columns.filter((c) => !c.generated);
  const sample = await sampleTable(client, table, copied, { limit, timeoutMs });
  const samples = new Map(sample.columns.map((c) => [c.name, c]));
  return {
    schema: table.schema,
    name: table.name,
    key: displayName(table),
    estimatedRows: table.estimatedRows,
    sampledRows: sample.rows,
    problem: sample.problem,
    primaryKey: table.primaryKey,
    uniqueKeys: table.uniqueKeys,
    columns: table.columns.map((column) => {
      const values = samples.get(column.name);
      return {
        name: column.name,
        type: column.type,
        notNull: column.notNull,
        generated: column.generated,
        findings: column.generated
          ? []
          : detectPii({ name: column.name, type: column.type, values: values?.values ?? [], notNull: column.notNull, table: table.name }),
      };
    }),
  };
}

/** Foreign keys with each side named by the table that holds its rows (a partition's root). */
function foldedForeignKeys(catalog: TableCatalog): ScanForeignKey[] {
  const owner = (t: QualifiedName): QualifiedName => catalog.tables.get(displayName(t))?.partitionRoot ?? t;
  return catalog.foreignKeys
    .filter((fk) => !fk.inherited)
    .map((fk) => ({
      table: owner(fk.table),
      columns: fk.columns,
      referencedTable: owner(fk.referencedTable),
      referencedColumns: fk.referencedColumns,
    }));
}
