/**
 * A base: every selected table copied under one exported snapshot (the
 * archive slot's, so the change files start exactly where it ends) by the
 * copy pool that sync uses (src/snapshot/copy-workers.ts), through the same
 * masking transform, into gzip COPY-text part files of bounded size, each put
 * into the store; then the sequences' values; then the base manifest, LAST:
 * a base directory without its manifest is incomplete and never used, so a
 * capture killed part way leaves nothing apply could take for a whole base.
 */
import type { Client } from '../pg/connect.js';
import type { Endpoint } from '../pg/endpoint.js';
import type { SyncPlan, TablePlan } from '../plan/plan.js';
import type { ColumnMask } from '../mask/mask-transform.js';
import type { MaskPool } from '../mask/mask-pool.js';
import type { SchemaPlan } from '../schema/index.js';
import { runCopyWorkers } from '../snapshot/copy-workers.js';
import type { SyncObserver } from '../snapshot/observer.js';
import { openSnapshotReader } from '../snapshot/source-reader.js';
import type { ArchiveStore } from '../store/store.js';
import { formatLsn, type Lsn } from '../stream/lsn.js';
import { partsChunkWriter } from './base-parts.js';
import { baseManifestPath, basePartPath } from './layout.js';
import { BASE_FORMAT, encodeManifest, FORMAT_VERSION, type BaseManifest, type BasePart, type BaseTable } from './manifest.js';
import { readSequenceValues, archivedSequences } from './sequence-values.js';
import { putText } from './spool-file.js';

export interface BaseRequest {
  readonly store: ArchiveStore;
  readonly spoolDir: string;
  readonly archiveId: string;
  /** The base's directory name (src/archive/layout.ts baseName). */
  readonly name: string;
  readonly consistentLsn: Lsn;
  readonly snapshotId: string;
  readonly source: Endpoint;
  /** A session that has imported the snapshot: the sequences are read in it. */
  readonly snapshotSession: Client;
  /** Every table as one chunk (capture does not split tables: parts bound the files). */
  readonly plan: SyncPlan;
  /** The schema of the twin, from the source catalog (src/snapshot/target-schema.ts planSchemaFromSource). */
  readonly schema: SchemaPlan;
  readonly masksFor: (table: TablePlan) => ReadonlyMap<number, ColumnMask>;
  readonly maskPool?: MaskPool | undefined;
  readonly jobs: number;
  readonly rulesDigest: string;
  readonly keyFingerprint: string | null;
  readonly maxPartBytes: number;
  readonly signal: AbortSignal;
  readonly observer: SyncObserver;
}

export async function writeBase(request: BaseRequest): Promise<BaseManifest> {
  const { plan } = request;
  const index = new Map(plan.tables.map((t, i) => [t.key, i]));
  const parts = new Map<string, readonly BasePart[]>();
  const outcome = await runCopyWorkers({
    ends: {
      openReader: (stop) => openSnapshotReader(request.source, request.snapshotId, stop),
      openWriter: () =>
        Promise.resolve(
          partsChunkWriter({
            store: request.store,
            spoolDir: request.spoolDir,
            maxPartBytes: request.maxPartBytes,
            nameOf: (table, part) => basePartPath(request.name, index.get(table) ?? -1, part),
            onParts: (table, stored) => parts.set(table, stored),
          }),
        ),
    },
    tables: plan.tables,
    jobs: request.jobs,
    signal: request.signal,
    observer: request.observer,
    masksFor: request.masksFor,
    maskPool: request.maskPool,
  });
  if (outcome.error !== undefined) throw outcome.error;
  request.signal.throwIfAborted();
  const tables: BaseTable[] = plan.tables.map((table) => {
    const stored = parts.get(table.key) ?? [];
    return { ...identityOf(table), rows: stored.reduce((n, p) => n + p.rows, 0), parts: stored };
  });
  const manifest: BaseManifest = {
    format: BASE_FORMAT,
    version: FORMAT_VERSION,
    archiveId: request.archiveId,
    name: request.name,
    createdAt: new Date().toISOString(),
    consistentLsn: formatLsn(request.consistentLsn),
    rulesDigest: request.rulesDigest,
    keyFingerprint: request.keyFingerprint,
    schema: { preData: request.schema.preData, postData: request.schema.postData },
    tables,
    sequences: await readSequenceValues(request.snapshotSession, archivedSequences(plan)),
  };
  await putText(request.store, request.spoolDir, baseManifestPath(request.name), encodeManifest(manifest));
  return manifest;
}

function identityOf(table: TablePlan): Omit<BaseTable, 'rows' | 'parts'> {
  const types = new Map(table.source.columns.map((c) => [c.name, c.type]));
  const columns = table.columns.map((name) => ({ name, type: types.get(name) ?? 'text' }));
  return { key: table.key, schema: table.source.schema, name: table.source.name, columns };
}
