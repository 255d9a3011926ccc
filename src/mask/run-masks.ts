/**
 * The masks of a run: the strategy registry (built-ins plus the config's
 * custom module) and, per table, the compiled column masks. The key is only
 * required when some table is actually masked.
 *
 * Each table's masks are also described as plain data (MaskTableSpec), so a
 * masking worker thread can compile the very same functions from it.
 */
import type { Settings, StrategySpec } from '../config/index.js';
import {
  builtinRegistry,
  compileMasks,
  loadCustomStrategies,
  requireMaskingKey,
  StrategyRegistry,
  type ColumnMask,
  type MaskingKey,
} from '../anonymize/index.js';
import type { MaskColumn } from '../anonymize/index.js';
import type { SyncPlan } from '../plan/plan.js';

export async function strategyRegistry(settings: Pick<Settings, 'strategiesModule'>): Promise<StrategyRegistry> {
  if (settings.strategiesModule === undefined) return builtinRegistry();
  return new StrategyRegistry(await loadCustomStrategies(settings.strategiesModule));
}

/** What compiling one table's masks needs, as structured-clonable data. */
export interface MaskTableSpec {
  readonly table: string;
  /** Rules by column name, `keep` rules left out. */
  readonly rules: readonly (readonly [string, StrategySpec])[];
  /** The copied columns, in COPY order. */
  readonly columns: readonly MaskColumn[];
  readonly primaryKey: readonly string[];
  readonly uniqueKeys: readonly (readonly string[])[];
}

export interface RunMasks {
  /** table key -> COPY column index -> mask */
  readonly byTable: ReadonlyMap<string, ReadonlyMap<number, ColumnMask>>;
  /** Identifies the key (not derived from any value) so a resume can refuse another key. */
  readonly keyFingerprint: string | undefined;
  /** The same masks as data, and the key, for masking worker threads; empty when nothing is masked. */
  readonly specs: readonly MaskTableSpec[];
  readonly key: MaskingKey | undefined;
}

export function compileTableMasks(spec: MaskTableSpec, registry: StrategyRegistry, key: MaskingKey): Map<number, ColumnMask> {
  return compileMasks(new Map(spec.rules), spec.columns, {
    table: spec.table,
    primaryKey: spec.primaryKey,
    uniqueKeys: spec.uniqueKeys,
    strategies: registry,
    key,
  });
}

export async function compileRunMasks(
  plan: SyncPlan,
  registry: StrategyRegistry,
  settings: Settings,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RunMasks> {
  const byTable = new Map<string, Map<number, ColumnMask>>();
  const masked = plan.tables.filter((t) => t.maskedColumns.length > 0);
  if (masked.length === 0) return { byTable, keyFingerprint: undefined, specs: [], key: undefined };
  const key: MaskingKey = await requireMaskingKey({ env, secretFile: settings.secretFile });
  const specs: MaskTableSpec[] = [];
  for (const table of masked) {
    const spec: MaskTableSpec = {
      table: table.key,
      // `keep` rules copy the value as it is; leaving them out keeps those bytes untouched.
      rules: [...table.maskRules].filter(([, rule]) => rule.strategy !== 'keep'),
      columns: table.columns.map((name) => {
        const info = table.source.columns.find((c) => c.name === name);
        return { name, type: info?.type ?? 'text', notNull: info?.notNull ?? false };
      }),
      primaryKey: table.source.primaryKey,
      uniqueKeys: table.source.uniqueKeys,
    };
    specs.push(spec);
    byTable.set(table.key, compileTableMasks(spec, registry, key));
  }
  return { byTable, keyFingerprint: key.fingerprint(), specs, key };
}
