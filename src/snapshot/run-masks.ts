/**
 * The masks of a run: the strategy registry (built-ins plus the config's
 * custom module) and, per table, the compiled column masks. The key is only
 * required when some table is actually masked.
 */
import type { Settings } from '../config/settings.js';
import { builtinRegistry, compileMasks, loadCustomStrategies, requireMaskingKey, StrategyRegistry, type ColumnMask, type MaskingKey } from '../anonymize/index.js';
import type { SyncPlan } from './plan.js';

export async function strategyRegistry(settings: Settings): Promise<StrategyRegistry> {
  if (settings.strategiesModule === undefined) return builtinRegistry();
  return new StrategyRegistry(await loadCustomStrategies(settings.strategiesModule));
}

export interface RunMasks {
  /** table key -> COPY column index -> mask */
  readonly byTable: ReadonlyMap<string, ReadonlyMap<number, ColumnMask>>;
  /** Identifies the key (not derived from any value) so a resume can refuse another key. */
  readonly keyFingerprint: string | undefined;
}

export async function compileRunMasks(
  plan: SyncPlan,
  registry: StrategyRegistry,
  settings: Settings,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RunMasks> {
  const byTable = new Map<string, Map<number, ColumnMask>>();
  const masked = plan.tables.filter((t) => t.maskedColumns.length > 0);
  if (masked.length === 0) return { byTable, keyFingerprint: undefined };
  const key: MaskingKey = await requireMaskingKey({ env, secretFile: settings.secretFile });
  for (const table of masked) {
    // `keep` rules copy the value as it is; leaving them out keeps those bytes untouched.
    const rules = new Map([...table.maskRules].filter(([, spec]) => spec.strategy !== 'keep'));
    const columns = table.columns.map((name) => {
      const info = table.source.columns.find((c) => c.name === name);
      return { name, type: info?.type ?? 'text', notNull: info?.notNull ?? false };
    });
    byTable.set(table.key, compileMasks(rules, columns, { table: table.key, primaryKey: table.source.primaryKey, uniqueKeys: table.source.uniqueKeys, strategies: registry, key }));
  }
  return { byTable, keyFingerprint: key.fingerprint() };
}
