/**
 * A base: every selected table copied under one exported snapshot (the
 * archive slot's, so the change files start exactly where it ends) through
 * the same read → mask path as sync (maskedCopyOut), into gzip COPY-text part
 * files of bounded size, each put into the store; then the sequences' values;
 * then the base manifest, LAST: a base directory without its manifest is
 * incomplete and never used, so a capture killed part way leaves nothing
 * that apply could take for a whole base.
 */
import { pipeline } from 'node:stream/promises';
import type { Client } from '../pg/connect.js';
import { quoteQualified, type QualifiedName } from '../pg/ident.js';
import type { SyncPlan, TablePlan } from '../plan/plan.js';
import type { ColumnMask } from '../mask/mask-transform.js';
import type { MaskPool } from '../mask/mask-pool.js';
import type { SchemaPlan } from '../schema/index.js';
import { maskedCopyOut } from '../snapshot/copy-table.js';
import type { ArchiveStore } from '../store/store.js';
import { formatLsn, type Lsn } from '../stream/lsn.js';
import { BasePartsWriter } from './base-parts.js';
import { baseManifestPath, basePartPath } from './layout.js';
import { BASE_FORMAT, encodeManifest, FORMAT_VERSION, type BaseManifest, type BaseSequence, type BaseTable } from './manifest.js';
import { putText } from './spool-file.js';

export interface BaseRequest {
  readonly store: ArchiveStore;
  readonly spoolDir: string;
  readonly archiveId: string;
  /** The base's directory name (src/archive/layout.ts baseName). */
  readonly name: string;
  readonly consistentLsn: Lsn;
  /** A source session that has imported the snapshot (REPEATABLE READ, read only). */
  readonly source: Client;
  readonly plan: SyncPlan;
  /** The schema of the twin, from the source catalog (src/snapshot/target-schema.ts planSchemaFromSource). */
  readonly schema: SchemaPlan;
  readonly masksFor: (table: TablePlan) => ReadonlyMap<number, ColumnMask>;
  readonly maskPool?: MaskPool | undefined;
  readonly rulesDigest: string;
  readonly keyFingerprint: string | null;
  readonly maxPartBytes: number;
  readonly signal: AbortSignal;
  readonly onProgress?: (table: string, rows: number, bytes: number) => void;
  readonly onTable?: (table: BaseTable) => void;
}

export async function writeBase(request: BaseRequest): Promise<BaseManifest> {
  const tables: BaseTable[] = [];
  for (const plan of request.plan.tables) {
    request.signal.throwIfAborted();
    const table = await copyTableToParts(request, plan, tables.length);
    tables.push(table);
    request.onTable?.(table);
  }
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
    sequences: await readSequences(request.source, request.plan),
  };
  await putText(request.store, request.spoolDir, baseManifestPath(request.name), encodeManifest(manifest));
  return manifest;
}

async function copyTableToParts(request: BaseRequest, plan: TablePlan, index: number): Promise<BaseTable> {
  const types = new Map(plan.source.columns.map((c) => [c.name, c.type]));
  const columns = plan.columns.map((name) => ({ name, type: types.get(name) ?? 'text' }));
  const identity = { key: plan.key, schema: plan.source.schema, name: plan.source.name, columns };
  if (plan.columns.length === 0) {
    // COPY of no column prints empty lines, one per row: nothing apply could load. Counted, not stored.
    const counted = await request.source.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteQualified(plan.source)}`);
    return { ...identity, rows: Number(counted.rows[0]?.n ?? 0), parts: [] };
  }
  let rows = 0;
  let bytes = 0;
  const parts = new BasePartsWriter({
    store: request.store,
    spoolDir: request.spoolDir,
    nameOf: (part) => basePartPath(request.name, index, part),
    maxPartBytes: request.maxPartBytes,
  });
  // One chunk, the whole table: parts bound the files, and the base's one session reads the snapshot.
  const [extract, transform] = maskedCopyOut(plan, { index: 0, bounds: { kind: 'whole' } }, request.source, {
    masks: request.masksFor(plan),
    maskPool: request.maskPool,
    onRows: (r, b) => {
      rows += r;
      bytes += b;
      request.onProgress?.(plan.key, rows, bytes);
    },
  });
  await pipeline(extract, transform, parts, { signal: request.signal });
  return { ...identity, rows: parts.parts.reduce((n, p) => n + p.rows, 0), parts: parts.parts };
}

/** The values of the sequences the selected tables use (and those no column owns in their schemas), read in the snapshot's session. */
async function readSequences(source: Client, plan: SyncPlan): Promise<BaseSequence[]> {
  const names: QualifiedName[] = [...plan.sequences.map((s) => s.source.sequence), ...(plan.unownedSequences ?? [])];
  const seen = new Set<string>();
  const out: BaseSequence[] = [];
  for (const seq of names) {
    const key = quoteQualified(seq);
    if (seen.has(key)) continue;
    seen.add(key);
    const read = await source.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text AS last_value, is_called FROM ${key}`,
    );
    const row = read.rows[0];
    if (row !== undefined) out.push({ schema: seq.schema, name: seq.name, value: row.last_value, isCalled: row.is_called });
  }
  return out;
}
