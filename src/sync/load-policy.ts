/** How a load runs: how many copies at once, and which tables keep the twin's triggers through it. */
import { availableParallelism } from 'node:os';
import type { Settings } from '../config/index.js';
import type { SyncPlan, TablePlan } from '../plan/plan.js';
import type { TargetSchemaPlan } from '../snapshot/target-schema.js';

export function jobsOf(settings: Settings): number {
  return settings.options.jobs ?? availableParallelism();
}

/** The tables that keep their triggers through the load: those this run creates (or drops and creates) get theirs after it. */
export function loadedWithTriggers(plan: SyncPlan, schema: TargetSchemaPlan | undefined): TablePlan[] {
  const created = new Set(schema?.created ?? []);
  return plan.tables.filter((t) => !created.has(t.key));
}
