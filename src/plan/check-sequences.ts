/**
 * Sequences are read after the copy, so a source user who may read the tables
 * but not their sequences would only fail at the very end. Checked with the
 * plan instead, before the target is touched.
 */
import type { Client } from '../pg/connect.js';
import { displayName, quoteQualified } from '../pg/ident.js';
import { SyncError } from '../errors.js';
import type { SyncPlan } from './plan.js';

export async function checkSequences(source: Client, plan: Pick<SyncPlan, 'sequences' | 'unownedSequences'>): Promise<void> {
  const described = new Map<string, string>();
  for (const s of plan.sequences)
    described.set(
      quoteQualified(s.source.sequence),
      `${displayName(s.source.sequence)} (${displayName(s.source.table)}.${s.source.column})`,
    );
  for (const s of plan.unownedSequences ?? []) described.set(quoteQualified(s), `${displayName(s)} (no column owns it)`);
  if (described.size === 0) return;
  const result = await source.query<{ name: string; ok: boolean }>(
    'SELECT n AS name, has_sequence_privilege(n, $2) AS ok FROM unnest($1::text[]) AS n',
    [[...described.keys()], 'SELECT'],
  );
  const denied = result.rows.filter((r) => !r.ok).map((r) => r.name);
  if (denied.length === 0) return;
  const user = (await source.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u ?? 'the source user';
  throw new SyncError(
    'SEQUENCE_NOT_READABLE',
    `The source user ${user} may not read ${denied.length === 1 ? 'a sequence' : `${denied.length} sequences`} of the selected tables; nothing was written.`,
    {
      details: denied.map((name) => described.get(name) ?? name),
      nextStep: `On the source: GRANT SELECT ON SEQUENCE ${denied.join(', ')} TO ${user};`,
    },
  );
}
