/**
 * Finding personal data in the source and turning it into config: `pgtwin
 * scan` (sample, detect, suggest), `scan --write` and `pgtwin init` (merge the
 * suggestions into pgtwin.yaml without disturbing what is there).
 */
export {
  scanSource,
  DEFAULT_SAMPLE_SIZE,
  type ScanRequest,
  type ScanResult,
  type ScannedTable,
  type ScannedColumn,
  type ScanForeignKey,
} from './scan.js';
export { sampleTable, type SampleColumn, type SampleOptions, type TableSample } from './sample.js';
export { proposeRules, type ColumnDecision, type RuleAddition, type RuleProposal } from './propose.js';
export { addRulesToYaml, type RuleAdditions, type WrittenRules } from './write-rules.js';
export { writeRulesToConfig, type WriteConfigRequest, type WriteConfigResult } from './write-config.js';
export { starterConfig, DEFAULT_SECRET_FILE, type StarterConfig, type StarterEnvironment, type StarterRequest } from './starter-config.js';
export { configuredKeep, configuredRules, qualifiedKey, sectionKeyFor, type ExistingRules } from './config-view.js';
export { initConfig, INIT_FILE_NAME, type InitConfigResult } from './init-config.js';
