/** What a capture is asked to do, who hears about it, and what it reports. */
import type { Settings } from '../config/index.js';
import type { ArchivedFile } from '../archive/change-writer.js';
import type { BaseTable } from '../archive/manifest.js';
import type { ArchiveStore } from '../store/store.js';

export interface CaptureObserver {
  note?(message: string): void;
  warning?(message: string): void;
  /** Rows of a table copied into the base so far. */
  baseProgress?(table: string, rows: number, bytes: number): void;
  baseTable?(table: BaseTable): void;
  /** A change file is in the store. */
  file?(file: ArchivedFile): void;
  /** The connection to the source was lost: capture connects again after this wait and continues where the archive ends. */
  reconnecting?(reason: string, delayMs: number): void;
}

export interface CaptureRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
  /** The archive, opened (src/store/index.ts openStore); the caller closes it. */
  readonly store: ArchiveStore;
  /** Up to the source's WAL end at start, then stop; otherwise until the signal. */
  readonly once: boolean;
  /** A new base (a new slot and snapshot) even though the archive has one. */
  readonly newBase: boolean;
  /** A new base once the newest complete one is this old (default: settings.newBaseAfterMs, `archive.new_base_after`; none). */
  readonly newBaseAfterMs?: number | undefined;
  /** The clock the base schedule reads (tests). */
  readonly now?: () => number;
  readonly observer?: CaptureObserver;
  /** The publication read (default: pgtwin's, as setup-source creates it). */
  readonly publication?: string | undefined;
  /** Where files are written before they are put; default the system's temporary directory. */
  readonly spoolDir?: string | undefined;
  /** A change file is closed at the first commit once it holds this many bytes of JSON lines. Default 64 MiB. */
  readonly maxFileBytes?: number;
  /** ... or once its first transaction is this old. Default 60 s. */
  readonly maxFileAgeMs?: number;
  /** A base part ends at the first row end after this many bytes of COPY text. Default 256 MiB. */
  readonly maxPartBytes?: number;
  readonly statusIntervalMs?: number;
}

export interface CaptureSummary {
  readonly archiveId: string;
  readonly slot: string;
  /** Set when this run wrote a base. */
  readonly base: { readonly name: string; readonly tables: number; readonly rows: number; readonly parts: number } | undefined;
  readonly files: number;
  readonly transactions: number;
  readonly changes: number;
  /** Transactions the slot sent again that the archive already held. */
  readonly skipped: number;
  /** Bytes of JSON lines written, and as stored (compressed). */
  readonly bytes: number;
  readonly storedBytes: number;
  /** Commit LSN of the last transaction in the archive, as pg_lsn prints it; undefined when none yet. */
  readonly lastCommitLsn: string | undefined;
  /** --once: the source's WAL end at start, up to which everything is archived. */
  readonly upTo: string | undefined;
}
