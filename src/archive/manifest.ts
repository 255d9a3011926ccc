/**
 * The two kinds of manifest (docs/archive-format.md): the archive's, written
 * once by the first capture, and each base's, written after every part of the
 * base is stored, so that a base without its manifest is known incomplete.
 * Both record the rules digest and the key fingerprint (never the key): an
 * archive masked with one key or rule set is never mixed with another.
 */
import type { DdlStatement } from '../schema/index.js';
import type { ColumnDef } from './change-records.js';
import { ArchiveError } from './errors.js';

export const ARCHIVE_FORMAT = 'pgtwin-archive';
export const BASE_FORMAT = 'pgtwin-base';
/** The format version this pgtwin writes, and the only one it reads. */
export const FORMAT_VERSION = 1;

export interface ArchiveSource {
  /** pg_control_system().system_identifier, as text. */
  readonly systemId: string;
  readonly database: string;
  /** server_version_num */
  readonly serverVersion: number;
}

export interface ArchiveManifest {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly version: number;
  /** A random UUID: every change file names it, so a file of another archive is caught. */
  readonly archiveId: string;
  readonly createdAt: string;
  readonly source: ArchiveSource;
  /** The archive's own replication slot and the publication it reads. */
  readonly slot: string;
  readonly publication: string;
  /** Selected tables (schema.name, as pgtwin displays them). */
  readonly tables: readonly string[];
  /** SHA-256 of the masking rules in canonical form (src/archive/rules-digest.ts). */
  readonly rulesDigest: string;
  /** The masking key's fingerprint (src/anonymize/key.ts); null when nothing is masked. */
  readonly keyFingerprint: string | null;
}

export interface BasePart {
  readonly name: string;
  readonly rows: number;
  /** Bytes of COPY text before compression. */
  readonly bytes: number;
  /** SHA-256 (hex) of the stored (compressed) file. */
  readonly sha256: string;
  /** Bytes as stored. */
  readonly size: number;
}

export interface BaseTable {
  /** schema.name as pgtwin displays it. */
  readonly key: string;
  readonly schema: string;
  readonly name: string;
  /** The copied columns, in the COPY files' order. */
  readonly columns: readonly ColumnDef[];
  readonly rows: number;
  readonly parts: readonly BasePart[];
}

export interface BaseSequence {
  readonly schema: string;
  readonly name: string;
  readonly value: string;
  readonly isCalled: boolean;
}

export interface BaseManifest {
  readonly format: typeof BASE_FORMAT;
  readonly version: number;
  readonly archiveId: string;
  /** The base's directory name (src/archive/layout.ts). */
  readonly name: string;
  readonly createdAt: string;
  /** The snapshot's consistent point: transactions committing at or after it come from change files. */
  readonly consistentLsn: string;
  readonly rulesDigest: string;
  readonly keyFingerprint: string | null;
  /** What creates the twin: before the rows (types, tables, functions ...) and after (keys, indexes, triggers ...). */
  readonly schema: { readonly preData: readonly DdlStatement[]; readonly postData: readonly DdlStatement[] };
  readonly tables: readonly BaseTable[];
  readonly sequences: readonly BaseSequence[];
}

export function encodeManifest(manifest: ArchiveManifest | BaseManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function decodeArchiveManifest(text: string, where: string): ArchiveManifest {
  const value = parseVersioned(text, where, ARCHIVE_FORMAT);
  const source = value.source;
  const ok =
    isString(value.archiveId) &&
    isString(value.createdAt) &&
    isObject(source) &&
    isString(source.systemId) &&
    isString(source.database) &&
    typeof source.serverVersion === 'number' &&
    isString(value.slot) &&
    isString(value.publication) &&
    isStrings(value.tables) &&
    isString(value.rulesDigest) &&
    (value.keyFingerprint === null || isString(value.keyFingerprint));
  if (!ok) throw invalid(where);
  return value as unknown as ArchiveManifest;
}

export function decodeBaseManifest(text: string, where: string): BaseManifest {
  const value = parseVersioned(text, where, BASE_FORMAT);
  const schema = value.schema;
  const ok =
    isString(value.archiveId) &&
    isString(value.name) &&
    isString(value.createdAt) &&
    isString(value.consistentLsn) &&
    isString(value.rulesDigest) &&
    (value.keyFingerprint === null || isString(value.keyFingerprint)) &&
    isObject(schema) &&
    isStatements(schema.preData) &&
    isStatements(schema.postData) &&
    Array.isArray(value.tables) &&
    value.tables.every(isBaseTable) &&
    Array.isArray(value.sequences) &&
    value.sequences.every(
      (s) => isObject(s) && isString(s.schema) && isString(s.name) && isString(s.value) && typeof s.isCalled === 'boolean',
    );
  if (!ok) throw invalid(where);
  return value as unknown as BaseManifest;
}

/** A version this pgtwin does not know is refused before anything in the file is trusted. */
export function checkFormatVersion(version: unknown, where: string): void {
  if (version === FORMAT_VERSION) return;
  throw new ArchiveError(
    'ARCHIVE_FORMAT_UNKNOWN',
    `${where} is in archive format version ${JSON.stringify(version)}; this pgtwin reads version ${FORMAT_VERSION}.`,
    {
      category: 'usage',
      nextStep:
        typeof version === 'number' && version > FORMAT_VERSION
          ? 'The archive was written by a newer pgtwin: upgrade pgtwin on this machine.'
          : 'The file is not a pgtwin archive file, or it is damaged: run pgtwin archive verify.',
    },
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every(isString);
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStatements = (v: unknown): boolean =>
  Array.isArray(v) && v.every((s) => isObject(s) && isString(s.kind) && isString(s.object) && isString(s.sql));
const isBaseTable = (t: unknown): boolean =>
  isObject(t) &&
  isString(t.key) &&
  isString(t.schema) &&
  isString(t.name) &&
  Array.isArray(t.columns) &&
  t.columns.every((c) => isObject(c) && isString(c.name) && isString(c.type)) &&
  isCount(t.rows) &&
  Array.isArray(t.parts) &&
  t.parts.every(
    (p) =>
      isObject(p) &&
      isString(p.name) &&
      isCount(p.rows) &&
      isCount(p.bytes) &&
      isCount(p.size) &&
      isString(p.sha256) &&
      /^[0-9a-f]{64}$/.test(p.sha256),
  );

function parseVersioned(text: string, where: string, format: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(where, error);
  }
  if (!isObject(value) || value.format !== format) throw invalid(where);
  checkFormatVersion(value.version, where);
  return value;
}

function invalid(where: string, cause?: unknown): ArchiveError {
  return new ArchiveError('ARCHIVE_CORRUPT', `${where} is not a valid pgtwin manifest.`, {
    cause,
    nextStep: 'Run pgtwin archive verify to see what else is damaged; restore the file from a backup, or capture into a new archive.',
  });
}
