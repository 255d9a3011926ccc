/**
 * The change files after the twin's position, in chain order, through the
 * applier that follow uses (records become pgoutput-shaped messages,
 * src/archive/record-messages.ts; values are masked already, so no masks).
 *
 * One change file is one twin transaction: its changes, the position (last
 * commit LSN, the file's name and digest) and the audit rows commit together,
 * and only once the whole file has been read and its trailer's digest and
 * chain checked. A damaged, missing, reordered or foreign file therefore
 * applies nothing: the files before it stay applied and recorded, and the
 * error names it. A killed apply loses the file in hand (the twin rolls it
 * back) and starts there again; transactions at or below the recorded LSN
 * are skipped, so nothing is applied twice.
 */
import { Applier, type AppliedFile } from '../apply/applier.js';
import { readChangeFile } from '../archive/change-reader.js';
import type { ChangeRecord } from '../archive/change-records.js';
import { filesFrom, listChangeFiles } from '../archive/archive-files.js';
import { ArchiveError } from '../archive/errors.js';
import { RecordMessages } from '../archive/record-messages.js';
import type { ChangeFileName } from '../archive/layout.js';
import { messageOf } from '../errors.js';
import type { Client } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import type { TablePlan } from '../plan/plan.js';
import type { ArchiveStore } from '../store/store.js';
import type { Lsn } from '../stream/lsn.js';
import { archiveSlot } from './archive-twin.js';

export interface ChangesInput {
  readonly client: Client;
  readonly store: ArchiveStore;
  readonly archiveId: string;
  /** The twin's tables, by key, as its catalog shows them now. */
  readonly plans: ReadonlyMap<string, TablePlan>;
  /** Source table -> the twin table holding its rows (partitions -> root). */
  readonly ownerOf: (schema: string, name: string) => string | undefined;
  /** Transactions at or below it are in the twin. */
  readonly appliedLsn: Lsn;
  /** The last file applied to its end; undefined right after a base. */
  readonly lastFile: AppliedFile | undefined;
  readonly signal: AbortSignal;
  readonly warn: (message: string) => void;
  /** After each file committed on the twin. */
  readonly applied?: (file: ChangeFileName, totals: ChangeTotals) => void;
}

export interface ChangeTotals {
  files: number;
  transactions: number;
  changes: number;
  skipped: number;
}

export interface ChangesOutcome extends ChangeTotals {
  readonly lastFile: AppliedFile | undefined;
  readonly appliedLsn: Lsn;
}

/** Applies every complete change file not yet in the twin; returns when there is none left (or a stop was asked for). */
export async function applyChanges(input: ChangesInput): Promise<ChangesOutcome> {
  const { files, gap } = await pendingFiles(input);
  const applier = new Applier(
    input.client,
    { slot: archiveSlot(input.archiveId), tables: input.plans, ownerOf: input.ownerOf, masks: new Map(), strict: false, warn: input.warn },
    input.appliedLsn,
  );
  await applier.prepare();
  const translate = new RecordMessages((schema, table) => {
    const key = input.ownerOf(schema, table);
    return key === undefined ? undefined : input.plans.get(key)?.columns;
  });
  const totals: ChangeTotals = { files: 0, transactions: 0, changes: 0, skipped: 0 };
  let prev: AppliedFile | null | undefined = input.lastFile;
  const missingSequences = new Set<string>();
  for (const file of files) {
    if (input.signal.aborted) break;
    const sequences = new Map<string, { value: string; isCalled: boolean }>();
    let digest: string;
    try {
      const reader = readChangeFile(await input.store.read(file.name), file.name, { archiveId: input.archiveId, seq: file.seq, prev });
      for (;;) {
        const next = await reader.next();
        if (next.done === true) {
          digest = next.value.trailer.digest;
          break;
        }
        const record: ChangeRecord = next.value;
        if (record.t === 'schema') {
          applier.changeColumns(
            record.schema,
            record.table,
            record.columns.map((c) => ({ name: c.name, type: c.type })),
          );
          translate.setColumns(
            record,
            record.columns.map((c) => c.name),
          );
        } else if (record.t === 'sequence') {
          sequences.set(quoteQualified({ schema: record.schema, name: record.name }), { value: record.value, isCalled: record.is_called });
        } else {
          for (const message of translate.messages(record)) {
            const waiting = applier.handle(message);
            if (waiting !== undefined) await waiting;
          }
        }
      }
      const pending = await applier.commit({ name: file.name, digest });
      await pending?.committed;
      await applier.drain();
    } catch (error) {
      await applier.rollback().catch(() => undefined);
      throw stoppedAt(file, prev, error);
    }
    // Sequences are not transactional: set once the file's rows are in. One the twin lacks (its
    // creation failed with the base, as the base load reported) is not a reason to stop applying.
    for (const [sequence, value] of sequences) {
      const set = await input.client.query('SELECT setval(s, $2::bigint, $3) FROM to_regclass($1) AS s WHERE s IS NOT NULL', [
        sequence,
        value.value,
        value.isCalled,
      ]);
      if (set.rowCount === 0 && !missingSequences.has(sequence)) {
        missingSequences.add(sequence);
        input.warn(`sequence ${sequence} is not in the twin: its value from the archive is not set`);
      }
    }
    prev = { name: file.name, digest };
    totals.files++;
    totals.transactions = applier.totals.transactions;
    totals.changes = applier.totals.changes;
    totals.skipped = applier.totals.skipped;
    input.applied?.(file, totals);
  }
  // The files before a missing one are applied and recorded; then the gap stops the apply.
  if (gap !== undefined && !input.signal.aborted) throw gap;
  return { ...totals, lastFile: prev ?? undefined, appliedLsn: applier.lastAppliedLsn };
}

/** The files after the twin's position, up to a gap in their numbers (the gap is returned as its error). */
async function pendingFiles(input: ChangesInput): Promise<{ files: ChangeFileName[]; gap: ArchiveError | undefined }> {
  const all = await listChangeFiles(input.store);
  let files: ChangeFileName[];
  if (input.lastFile !== undefined) {
    const last = all.find((f) => f.name === input.lastFile?.name);
    const seq = last?.seq ?? Number(/changes\/(\d+)-/.exec(input.lastFile.name)?.[1] ?? 0);
    files = all.filter((f) => f.seq > seq);
    if (files.length > 0 && files[0]?.seq !== seq + 1) return { files: [], gap: missingFile(seq + 1, input.lastFile.name) };
  } else {
    files = filesFrom(all, input.appliedLsn);
  }
  for (let i = 1; i < files.length; i++) {
    const [before, file] = [files[i - 1], files[i]];
    if (before !== undefined && file !== undefined && file.seq !== before.seq + 1)
      return { files: files.slice(0, i), gap: missingFile(before.seq + 1, before.name) };
  }
  return { files, gap: undefined };
}

function missingFile(seq: number, after: string): ArchiveError {
  return new ArchiveError('ARCHIVE_GAP', `Change file number ${seq} (after ${after}) is missing from the archive.`, {
    nextStep:
      'Everything before it is applied and recorded. Restore the missing file (pgtwin archive verify lists every problem), or start a new base (pgtwin capture --new-base) and rebuild the twin from it (pgtwin apply --recreate).',
  });
}

/** The error of a file that could not be applied, saying what stays applied. */
function stoppedAt(file: ChangeFileName, prev: AppliedFile | null | undefined, error: unknown): unknown {
  const before = prev == null ? 'the base' : prev.name;
  if (error instanceof ArchiveError) {
    return new ArchiveError(
      error.code,
      `${messageOf(error)} Nothing of ${file.name} was applied; the twin holds everything up to ${before}.`,
      {
        cause: error,
        category: error.category,
        nextStep: error.nextStep,
        details: error.details,
      },
    );
  }
  return error;
}
