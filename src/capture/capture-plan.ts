/**
 * What a capture archives, decided from the source alone: there is no twin
 * to read, so the plan is made against an empty database (every selected
 * table created, as sync plans it for a new twin), with the same table
 * selection, mask rules and strict-mode checks as sync. A personal column
 * without a rule stops capture here, before anything is written.
 */
import type { Settings } from '../config/index.js';
import { readCatalog } from '../catalog/index.js';
import { UsageError } from '../errors.js';
import type { Client } from '../pg/connect.js';
import { buildPlan, type SyncPlan } from '../plan/plan.js';
import { sampleFakeColumns } from '../plan/fake-samples.js';
import { checkSequences } from '../plan/check-sequences.js';
import { compileRunMasks, strategyRegistry, type RunMasks } from '../mask/run-masks.js';
import type { SchemaPlan } from '../schema/index.js';
import { planSchemaFromSource } from '../snapshot/target-schema.js';
import { planUnownedSequences } from '../snapshot/unowned-sequences.js';
import { rulesDigest } from '../archive/rules-digest.js';

export interface CapturePlan {
  readonly plan: SyncPlan;
  /** The DDL that creates the twin, for the base manifest. */
  readonly schema: SchemaPlan;
  readonly masks: RunMasks;
  readonly rulesDigest: string;
  readonly keyFingerprint: string | null;
}

export async function planCapture(
  settings: Settings,
  env: Readonly<Record<string, string | undefined>>,
  source: Client,
): Promise<CapturePlan> {
  const registry = await strategyRegistry(settings);
  const catalog = await readCatalog(source, 'all');
  const twin = planSchemaFromSource(settings, catalog);
  const samples = await sampleFakeColumns(source, settings, catalog);
  const whole = buildPlan(settings, catalog, twin.target, registry, samples);
  const filtered = whole.tables.filter((t) => t.where !== undefined || t.limit !== undefined).map((t) => t.key);
  if (filtered.length > 0) {
    // The stream has no filter at the source side: an archive holds whole tables.
    throw new UsageError('CAPTURE_FILTERED_TABLE', 'capture archives whole tables; `where:` and `limit:` are not supported in capture.', {
      details: filtered,
      nextStep: 'Remove `where:` / `limit:` from these tables in pgtwin.yaml (or exclude the tables) for capture.',
    });
  }
  const plan: SyncPlan = { ...whole, unownedSequences: planUnownedSequences(catalog, whole.tables) };
  await checkSequences(source, plan);
  const masks = await compileRunMasks(plan, registry, settings, env);
  return { plan, schema: twin.ddl, masks, rulesDigest: rulesDigest(masks.specs), keyFingerprint: masks.keyFingerprint ?? null };
}
