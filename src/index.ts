/** The public library API of pgtwin. */
export { loadSettings, resolveEndpoint } from './config/index.js';
export type { Settings, SettingsOverrides, EnvironmentSettings, StrategySpec, TableFilter } from './config/index.js';
export { planSync, runSync, type SyncRequest, type PlanResult } from './sync/sync.js';
export type { SyncReport, TableReport } from './sync/sync-report.js';
export type { SyncPlan, TablePlan } from './plan/plan.js';
export type { SyncObserver, SyncPhase } from './snapshot/observer.js';
export { tableChecksum, type TableChecksum, type ChecksumOptions } from './verify/table-checksum.js';
export {
  verifyTables,
  type VerifyTablesRequest,
  type VerifyTablesResult,
  type TableVerification,
  type TableStatus,
} from './verify/verify-tables.js';
export { findLeaks, DEFAULT_MIN_LENGTH, type FindLeaksRequest } from './verify/find-leaks.js';
export type { LeakCheckResult, LeakFinding, LeakExample, LeakKind, Coincidences } from './verify/leak-types.js';
export type { OriginStats } from './verify/leak-candidates.js';
export type { CopiedTable } from './verify/copied-table.js';
export { runVerify, type VerifyRequest, type VerifyReport } from './verify/run-verify.js';
export { verifyOutcomeError } from './verify/verify-errors.js';
export {
  scanSource,
  proposeRules,
  addRulesToYaml,
  writeRulesToConfig,
  starterConfig,
  DEFAULT_SAMPLE_SIZE,
  type ScanRequest,
  type ScanResult,
  type ScannedTable,
  type ScannedColumn,
  type RuleProposal,
  type ColumnDecision,
  type RuleAddition,
} from './scan/index.js';
export { generateKey, writeKeyFile } from './anonymize/index.js';
export { startEmbeddedServer, type EmbeddedServer, type EmbeddedServerOptions } from './pg/embedded-server.js';
export {
  PgtwinError,
  UsageError,
  ConfigError,
  ConnectError,
  SchemaMismatchError,
  SafetyError,
  InterruptedError,
  SyncError,
  EXIT_CODES,
} from './errors.js';
export {
  defineStrategy,
  MaskingKey,
  AnonymizationError,
  MaskRulesError,
  type Strategy,
  type StrategyDefinition,
  type MaskContext,
  type RowReader,
  type StrategySetup,
  type ValueMask,
  type ColumnFacts,
  type Prf,
} from './anonymize/index.js';
