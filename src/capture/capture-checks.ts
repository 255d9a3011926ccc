/**
 * What a capture checks of the archive's newest base before it streams on
 * from it: the same key and masking rules for every column the base holds,
 * and the same selection of tables. Anything else needs a new base.
 */
import { ArchiveError } from '../archive/errors.js';
import type { BaseManifest } from '../archive/manifest.js';
import { rulesDigest } from '../archive/rules-digest.js';
import type { CapturePlan } from './capture-plan.js';

/**
 * The key, and the rules of every column the base holds, are those the base
 * was masked with. Rules for columns added since (a column the source gained,
 * given its rule after capture stopped at it) do not change how anything
 * already archived was masked.
 */
export function sameRules(base: BaseManifest, planned: CapturePlan): boolean {
  if (base.keyFingerprint !== planned.keyFingerprint) return false;
  const columns = new Map(base.tables.map((t) => [t.key, new Set(t.columns.map((c) => c.name))]));
  const specs = planned.masks.specs
    .map((spec) => ({ ...spec, rules: spec.rules.filter(([column]) => columns.get(spec.table)?.has(column) === true) }))
    .filter((spec) => spec.rules.length > 0);
  return rulesDigest(specs) === base.rulesDigest;
}

/** Streaming on from `base` is allowed: same key and rules, same tables. */
export function checkContinues(base: BaseManifest, planned: CapturePlan): void {
  if (!sameRules(base, planned)) throw rulesChangedError(base, planned);
  checkSameTables(base, planned);
}

/** The base holds the selected tables' first rows: a table selected since has none in it. */
function checkSameTables(base: BaseManifest, planned: CapturePlan): void {
  const inBase = new Set(base.tables.map((t) => t.key));
  const now = new Set(planned.plan.tables.map((t) => t.key));
  const added = [...now].filter((t) => !inBase.has(t));
  const removed = [...inBase].filter((t) => !now.has(t));
  if (added.length === 0 && removed.length === 0) return;
  throw new ArchiveError('ARCHIVE_TABLES_CHANGED', `The selected tables differ from those of base ${base.name}.`, {
    category: 'usage',
    details: [...added.map((t) => `${t}: selected now, not in the base`), ...removed.map((t) => `${t}: in the base, no longer selected`)],
    nextStep: 'Select the tables the archive was started with, or start a new base with --new-base (it holds the tables selected now).',
  });
}

function rulesChangedError(base: BaseManifest, planned: CapturePlan): ArchiveError {
  const what = base.keyFingerprint !== planned.keyFingerprint ? 'masking key' : 'masking rules';
  return new ArchiveError('ARCHIVE_RULES_CHANGED', `The ${what} differ from those base ${base.name} of this archive was masked with.`, {
    category: 'usage',
    details: [
      `base: rules ${base.rulesDigest.slice(0, 12)}, key ${base.keyFingerprint ?? 'none'}`,
      `now:  rules ${planned.rulesDigest.slice(0, 12)}, key ${planned.keyFingerprint ?? 'none'}`,
    ],
    nextStep:
      'Capture with the key and pgtwin.yaml the archive was started with, or start a new base with --new-base (twins built from older bases are then rebuilt from it: apply refuses to mix rules).',
  });
}
