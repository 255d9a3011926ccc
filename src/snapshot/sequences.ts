/**
 * Sequences (serial, identity, nextval defaults, and those no column owns)
 * end at the source's values, so the twin's next insert does not collide
 * with a copied row. Values are read after the copy: sequences are not
 * transactional, and a later value is never below any id in the snapshot.
 */
import type { Client } from '../pg/connect.js';
import { displayName, quoteQualified, type QualifiedName } from '../pg/ident.js';
import type { SequencePlan } from '../plan/plan.js';

export interface SequenceResult {
  readonly sequence: string;
  readonly lastValue: string;
  readonly isCalled: boolean;
}

/** A sequence's value as the twin must take it. */
export interface SequenceValue {
  readonly lastValue: string;
  readonly isCalled: boolean;
}

/**
 * Where the values come from: the source, read after the copy (sync,
 * follow), or the values a base recorded with its snapshot (apply).
 * Undefined: there is none to take.
 */
export type SequenceValues = (sequence: QualifiedName) => Promise<SequenceValue | undefined>;

export function sourceSequenceValues(source: Client): SequenceValues {
  return async (sequence) => {
    const read = await source.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text AS last_value, is_called FROM ${quoteQualified(sequence)}`,
    );
    const row = read.rows[0];
    return row === undefined ? undefined : { lastValue: row.last_value, isCalled: row.is_called };
  };
}

export interface SequencesOutcome {
  readonly set: readonly SequenceResult[];
  /** Sequences no column owns that the target does not hold: not set. */
  readonly missing: readonly string[];
}

/** `unowned`: sequences no column owns, set by name when the target holds them. */
export async function syncSequences(
  values: SequenceValues,
  target: Client,
  sequences: readonly SequencePlan[],
  unowned: readonly QualifiedName[] = [],
): Promise<SequencesOutcome> {
  const set: SequenceResult[] = [];
  const missing: string[] = [];
  const pairs: Array<{ source: QualifiedName; target: QualifiedName }> = sequences.map((s) => ({
    source: s.source.sequence,
    target: s.target.sequence,
  }));
  for (const sequence of unowned) {
    // The target may have gained it with this run's schema creation: looked up now, not at plan time.
    const present = await target.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [quoteQualified(sequence)]);
    if (present.rows[0]?.ok === true) pairs.push({ source: sequence, target: sequence });
    else missing.push(displayName(sequence));
  }
  for (const seq of pairs) {
    const value = await values(seq.source);
    if (value === undefined) continue;
    await target.query('SELECT setval($1::regclass, $2::bigint, $3)', [quoteQualified(seq.target), value.lastValue, value.isCalled]);
    set.push({ sequence: displayName(seq.target), lastValue: value.lastValue, isCalled: value.isCalled });
  }
  return { set, missing };
}
