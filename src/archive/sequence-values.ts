/**
 * The values of the sequences an archive carries: those the selected tables'
 * columns use and those no column owns in their schemas. A base records them
 * at its snapshot; capture writes them again into each change file, so a twin
 * built by apply takes the source's values as it goes, not only the base's.
 */
import type { Client } from '../pg/connect.js';
import { quoteQualified, type QualifiedName } from '../pg/ident.js';
import type { SyncPlan } from '../plan/plan.js';
import type { BaseSequence } from './manifest.js';

/** Each sequence once, in plan order. */
export function archivedSequences(plan: SyncPlan): QualifiedName[] {
  const names: QualifiedName[] = [...plan.sequences.map((s) => s.source.sequence), ...(plan.unownedSequences ?? [])];
  const seen = new Set<string>();
  return names.filter((seq) => {
    const key = quoteQualified(seq);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Read in `source`'s snapshot or transaction when it has one (a base), else as they are now (a change file). */
export async function readSequenceValues(source: Client, sequences: readonly QualifiedName[]): Promise<BaseSequence[]> {
  const out: BaseSequence[] = [];
  for (const seq of sequences) {
    const read = await source.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text AS last_value, is_called FROM ${quoteQualified(seq)}`,
    );
    const row = read.rows[0];
    if (row !== undefined) out.push({ schema: seq.schema, name: seq.name, value: row.last_value, isCalled: row.is_called });
  }
  return out;
}
