/**
 * The common start of `pgtwin schema` and `pgtwin diff`: resolve and check the
 * endpoints (a remote target or the source itself is refused before anything
 * is written), connect both sides, select tables exactly as sync does, and
 * read both catalogs (once each: the source's table facts select the tables,
 * its objects are what is created or compared).
 */
import type { Settings, TableSelectionSettings } from '../config/index.js';
import { readCatalog } from '../catalog/index.js';
import { openClient, type Client } from '../pg/connect.js';
import { displayName, type QualifiedName } from '../pg/ident.js';
import { UsageError } from '../errors.js';
import type { ResourceScope } from '../scope.js';
import { connectPair, openEndpoints, type Endpoints } from '../pg/connect-endpoints.js';
import { cascadeSelection, isWholeDatabase, selectTables } from '../plan/select-tables.js';
import { compilePattern } from '../plan/table-patterns.js';
import type { CatalogObjects, TableDef } from '../catalog/index.js';

export interface SchemaSession {
  readonly endpoints: Endpoints;
  readonly targetClient: Client;
  readonly source: CatalogObjects;
  readonly target: CatalogObjects;
  /** Selected source tables (partitions folded into their root). */
  readonly tables: readonly QualifiedName[];
  /** Target tables the same patterns pick (for tables that exist only there). */
  readonly targetTables: readonly QualifiedName[];
  /** No include pattern: every object of the database belongs to the twin. */
  readonly wholeDatabase: boolean;
  readonly warnings: readonly string[];
}

export interface SessionRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal | undefined;
}

/**
 * `write`: the target will be changed, so the safety rules of sync apply.
 * `read`: both sides are only read (diff), so a remote target is fine and
 * both sessions are read-only.
 */
export type SessionMode = 'write' | 'read';

export async function openSchemaSession(request: SessionRequest, scope: ResourceScope, mode: SessionMode): Promise<SchemaSession> {
  const settings =
    mode === 'read' ? { ...request.settings, options: { ...request.settings.options, allowRemoteTarget: true } } : request.settings;
  const endpoints = await openEndpoints(settings, request.env, { signal: request.signal });
  const pair =
    mode === 'write'
      ? await connectPair(endpoints, scope, request.signal)
      : {
          source: scope.add(
            await openClient(endpoints.source, { readOnly: true, signal: request.signal }),
            (c) => c.end(),
            'source session',
          ),
          target: scope.add(
            await openClient(endpoints.target, { readOnly: true, signal: request.signal }),
            (c) => c.end(),
            'target session',
          ),
        };
  const sourceCatalog = await readCatalog(pair.source, 'all');
  const selection = selectTables(sourceCatalog, request.settings.tables);
  const warnings = [...selection.warnings];
  let tables = selection.tables;
  if (request.settings.options.cascade) {
    const before = new Set(tables.keys());
    tables = cascadeSelection(sourceCatalog, tables);
    for (const key of tables.keys()) if (!before.has(key)) warnings.push(`--cascade added ${key} (it references a selected table)`);
  }
  if (tables.size === 0 && !isWholeDatabase(request.settings.tables)) {
    throw new UsageError('NOTHING_SELECTED', 'No table is selected: the include/exclude patterns leave nothing.', {
      nextStep: 'Check --tables / --exclude (or tables.include / tables.exclude in pgtwin.yaml).',
    });
  }
  const source = sourceCatalog.objects;
  const target = (await readCatalog(pair.target, 'all')).objects;
  return {
    endpoints,
    targetClient: pair.target,
    source,
    target,
    tables: [...tables.values()].map((t) => ({ schema: t.schema, name: t.name })),
    targetTables: matchTargetTables(target, request.settings.tables),
    wholeDatabase: isWholeDatabase(request.settings.tables),
    warnings,
  };
}

/** The target's tables that the include/exclude patterns pick, partitions folded into their root like on the source. */
export function matchTargetTables(target: CatalogObjects, selection: TableSelectionSettings): QualifiedName[] {
  const include = selection.include.map(compilePattern);
  const exclude = selection.exclude.map(compilePattern);
  const picked = (t: TableDef): boolean =>
    (include.length === 0 || include.some((p) => p.matches(t))) && !exclude.some((p) => p.matches(t));
  const chosen = [...target.tables.values()].filter((t) => t.kind !== 'foreign' && picked(t));
  const keys = new Set(chosen.map(displayName));
  return chosen
    .filter((t) => {
      for (let p = t.partitionOf; p !== undefined; p = target.tables.get(p)?.partitionOf) {
        const parent = target.tables.get(p);
        if (parent !== undefined && keys.has(displayName(parent))) return false;
      }
      return true;
    })
    .map((t) => ({ schema: t.schema, name: t.name }));
}
