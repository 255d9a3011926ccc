/**
 * A sync plan cut down to some of its tables: follow copies the tables added
 * to a followed twin's selection and leaves the others, which the stream keeps
 * current, alone. The plan is built for the whole selection first, so the
 * checks that need every selected table (tables referencing the selection)
 * see them all; only what touches the copied tables remains.
 */
import { displayName } from '../pg/ident.js';
import type { SyncPlan } from './plan.js';

export function restrictPlan(plan: SyncPlan, only: ReadonlySet<string>): SyncPlan {
  return {
    ...plan,
    tables: plan.tables.filter((t) => only.has(t.key)),
    // Keys between a copied table and one that stays step aside too: the copied table is truncated and loaded.
    foreignKeys: plan.foreignKeys.filter((fk) => only.has(displayName(fk.table)) || only.has(displayName(fk.referencedTable))),
    sequences: plan.sequences.filter((s) => only.has(displayName(s.source.table))),
  };
}
