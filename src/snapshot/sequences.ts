/**
 * Sequences (serial, identity, nextval defaults) end at the source's values, so
 * the twin's next insert does not collide with a copied row. Values are read
 * after the copy: sequences are not transactional, and a later value is never
 * below any id in the snapshot.
 */
import type { Client } from '../pg/connect.js';
import { displayName, quoteQualified } from '../pg/ident.js';
import type { SequencePlan } from './plan.js';

export interface SequenceResult {
  readonly sequence: string;
  readonly lastValue: string;
  readonly isCalled: boolean;
}

export async function syncSequences(source: Client, target: Client, sequences: readonly SequencePlan[]): Promise<SequenceResult[]> {
  const results: SequenceResult[] = [];
  for (const seq of sequences) {
    const read = await source.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text AS last_value, is_called FROM ${quoteQualified(seq.source.sequence)}`,
    );
    const row = read.rows[0];
    if (row === undefined) continue;
    await target.query('SELECT setval($1::regclass, $2::bigint, $3)', [quoteQualified(seq.target.sequence), row.last_value, row.is_called]);
    results.push({ sequence: displayName(seq.target.sequence), lastValue: row.last_value, isCalled: row.is_called });
  }
  return results;
}
