/** What a sync is asked to do, and what its plan step hands to the rest of the run. */
import type { Settings } from '../config/index.js';
import type { StrategyRegistry } from '../anonymize/index.js';
import type { Endpoints } from '../pg/connect-endpoints.js';
import type { SyncObserver } from '../snapshot/observer.js';
import type { SyncPlan } from '../plan/plan.js';
import type { TargetSchemaPlan } from '../snapshot/target-schema.js';

export interface SyncRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asked before the target is truncated; resolve false to refuse. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly signal?: AbortSignal;
  readonly observer?: SyncObserver;
  /** Drop the selected tables that exist on the target and create them from the source's catalog. */
  readonly recreate?: boolean;
  /** Finish the last run that stopped part way: copy only the chunks it did not commit. */
  readonly resume?: boolean;
  /**
   * A snapshot exported elsewhere (a replication slot's, for follow) to copy
   * under instead of a new one; it must stay valid until the sync returns.
   */
  readonly snapshotId?: string;
  /** Kind recorded in pgtwin.runs (`sync` by default). */
  readonly runKind?: string;
  /**
   * Copy only these selected tables (`schema.table`), leaving the others as
   * they are: follow's copy of tables added to a followed twin.
   */
  readonly onlyTables?: ReadonlySet<string>;
  /** Plan for `verify` (writes nothing): checks that guard writes are skipped. */
  readonly verifyOnly?: boolean;
}

export interface PlanResult {
  readonly endpoints: Endpoints;
  readonly plan: SyncPlan;
  /** Built-in strategies plus the config's custom ones. */
  readonly registry: StrategyRegistry;
  /** What the target lacks and sync creates (undefined: nothing). */
  readonly schema: TargetSchemaPlan | undefined;
}
