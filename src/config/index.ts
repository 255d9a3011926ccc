/**
 * The config module's public surface: load a trusted Settings, resolve source and
 * target, and the small helpers other modules reuse (URL sanitizing).
 */

export { loadSettings, CONFIG_FILE_NAMES, DEFAULT_BATCH_SIZE, type LoadSettingsInput } from './loader.js';
export { resolveEndpoint, isPostgresUrl } from './endpoints.js';
export { sanitizeUrl } from './sanitize-url.js';
export { expandString } from './expand.js';
export { DEFAULT_LOCAL_DIR, DEFAULT_LOCAL_PORT, LOCAL_ENVIRONMENT, LOCAL_USER, environmentNamed, passwordlessUrl } from './embedded.js';
export type {
  EmbeddedServerSettings,
  EnvironmentSettings,
  Settings,
  SettingsOverrides,
  StrategySpec,
  SyncOptions,
  TableFilter,
  TableSelectionSettings,
} from './settings.js';
export { BYTE_SIZE_HINT, parseByteSize } from './byte-size.js';
export { DURATION_HINT, parseDuration } from './duration.js';
export { endpointProblem } from './endpoints.js';
export { DEFAULT_SPLIT_TABLES_LARGER_THAN } from './loader.js';
export { type LargeObjectsDecision } from './settings.js';
