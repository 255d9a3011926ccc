/**
 * Archives written by the tests through the format module (src/archive/):
 * manifests, base parts and change files, valid or deliberately broken, in a
 * directory, read through the directory store.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeRecord, type ChangeRecord } from '../../src/archive/change-records.js';
import { ARCHIVE_MANIFEST, baseManifestPath, baseName, basePartPath, changeFileName } from '../../src/archive/layout.js';
import { encodeManifest, type ArchiveManifest, type BaseManifest, type BaseTable } from '../../src/archive/manifest.js';
import { formatLsn } from '../../src/stream/lsn.js';
import type { DdlStatement } from '../../src/schema/index.js';
import { openStore, type ArchiveStore } from '../../src/store/index.js';

/** The archive's directory through the real directory store. */
export function dirStore(root: string): Promise<ArchiveStore> {
  return openStore(root, { env: {} });
}

export interface FixtureTable {
  readonly schema: string;
  readonly name: string;
  readonly columns: ReadonlyArray<{ name: string; type: string }>;
  /** COPY text lines, one per row. */
  readonly rows: readonly string[];
}

export interface Transaction {
  readonly lsn: bigint;
  readonly changes: readonly ChangeRecord[];
}

/** Writes an archive's files; every file goes through the format module's encoders. */
export class ArchiveFixture {
  readonly archiveId: string;
  private lastFile: { name: string; digest: string } | null = null;
  private seq = 0;

  constructor(
    readonly root: string,
    options: { archiveId?: string; rulesDigest?: string; keyFingerprint?: string | null; tables: readonly string[] },
  ) {
    this.archiveId = options.archiveId ?? randomUUID();
    this.manifest = {
      format: 'pgtwin-archive',
      version: 1,
      archiveId: this.archiveId,
      createdAt: new Date().toISOString(),
      source: { systemId: '1', database: 'shop', serverVersion: 180000 },
      slot: 'pgtwin_archive_test',
      publication: 'pgtwin',
      tables: options.tables,
      rulesDigest: options.rulesDigest ?? 'a'.repeat(64),
      keyFingerprint: options.keyFingerprint === undefined ? 'fp1' : options.keyFingerprint,
    };
  }

  readonly manifest: ArchiveManifest;

  async writeManifest(): Promise<void> {
    await this.write(ARCHIVE_MANIFEST, Buffer.from(encodeManifest(this.manifest)));
  }

  async writeBase(
    seq: number,
    consistentLsn: bigint,
    schema: { preData: DdlStatement[]; postData: DdlStatement[] },
    tables: readonly FixtureTable[],
    sequences: BaseManifest['sequences'] = [],
  ): Promise<BaseManifest> {
    const name = baseName(seq, consistentLsn);
    const baseTables: BaseTable[] = [];
    for (const [index, table] of tables.entries()) {
      const body = gzipSync(Buffer.from(table.rows.map((r) => `${r}\n`).join('')));
      const part = basePartPath(name, index, 1);
      await this.write(part, body);
      baseTables.push({
        key: `${table.schema}.${table.name}`,
        schema: table.schema,
        name: table.name,
        columns: table.columns,
        rows: table.rows.length,
        parts: [
          {
            name: part,
            rows: table.rows.length,
            bytes: table.rows.join('\n').length,
            size: body.length,
            sha256: createHash('sha256').update(body).digest('hex'),
          },
        ],
      });
    }
    const manifest: BaseManifest = {
      format: 'pgtwin-base',
      version: 1,
      archiveId: this.archiveId,
      name,
      createdAt: new Date().toISOString(),
      consistentLsn: formatLsn(consistentLsn),
      rulesDigest: this.manifest.rulesDigest,
      keyFingerprint: this.manifest.keyFingerprint,
      schema,
      tables: baseTables,
      sequences,
    };
    await this.write(baseManifestPath(name), Buffer.from(encodeManifest(manifest)));
    return manifest;
  }

  /** The next change file of the chain, holding these transactions; returns its name. */
  async writeChanges(transactions: readonly Transaction[], tweak: FileTweak = {}): Promise<string> {
    const seq = tweak.seq ?? ++this.seq;
    const first = transactions[0]?.lsn ?? 1n;
    const name = changeFileName(seq, first);
    const lines: string[] = [
      encodeRecord({
        t: 'header',
        format: 'pgtwin-changes',
        version: tweak.version ?? 1,
        archive: tweak.archiveId ?? this.archiveId,
        seq,
        prev: this.lastFile,
      }),
    ];
    let changes = 0;
    for (const [i, tx] of transactions.entries()) {
      const time = `2026-12-03T15:00:0${i % 10}.000001Z`;
      lines.push(encodeRecord({ t: 'begin', lsn: formatLsn(tx.lsn), time, xid: 700 + i }));
      for (const change of tx.changes) {
        lines.push(encodeRecord(change));
        if (change.t !== 'schema' && change.t !== 'sequence') changes++;
      }
      lines.push(encodeRecord({ t: 'commit', lsn: formatLsn(tx.lsn), end_lsn: formatLsn(tx.lsn + 8n), time }));
    }
    const digest = createHash('sha256').update(lines.join('')).digest('hex');
    const last = transactions[transactions.length - 1]?.lsn ?? first;
    lines.push(
      encodeRecord({
        t: 'trailer',
        transactions: transactions.length,
        changes,
        first_lsn: formatLsn(first),
        last_lsn: formatLsn(last),
        end_lsn: formatLsn(last + 8n),
        digest: tweak.digest ?? digest,
      }),
    );
    await this.write(name, gzipSync(Buffer.from(lines.join(''))));
    this.lastFile = { name, digest };
    return name;
  }

  private async write(name: string, body: Buffer): Promise<void> {
    await mkdir(dirname(join(this.root, name)), { recursive: true });
    await writeFile(join(this.root, name), body);
  }
}

/** Ways to write a broken change file. */
export interface FileTweak {
  readonly seq?: number;
  readonly version?: number;
  readonly archiveId?: string;
  readonly digest?: string;
}
