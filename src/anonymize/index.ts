/**
 * The masking engine's public surface: re-exported from the package so custom
 * strategy modules can `import { defineStrategy } from 'pgtwin'`, and used by
 * plan/sync (checkMasks, compileMasks) and keygen.
 */
export { defineStrategy, isStrategy, type Strategy } from './strategy.js';
export type {
  CheckContext,
  ColumnFacts,
  ColumnMask,
  MaskContext,
  RowReader,
  RowView,
  StrategyDefinition,
  StrategyOptions,
  StrategySetup,
  ValueMask,
} from './strategy-types.js';
export type { OptionReader } from './options.js';
export type { Prf } from './prf.js';
export { MaskingKey } from './key.js';
export { loadMaskingKey, requireMaskingKey, SECRET_ENV, type KeySourceOptions } from './key-source.js';
export { generateKey, writeKeyFile } from './keygen.js';
export {
  checkMasks,
  compileMasks,
  columnFacts,
  registryOf,
  type MaskColumn,
  type MaskProblem,
  type MaskProblemCode,
  type MaskTable,
} from './compile.js';
export { checkStrict, type StrictProblem, type StrictProblemCode } from './strict.js';
export { inheritForeignKeyRules, type ForeignKeyLink, type InheritedRules } from './foreign-keys.js';
export { BUILTIN_STRATEGIES, StrategyRegistry, builtinRegistry } from './registry.js';
export { loadCustomStrategies } from './custom.js';
export { classifyType, lengthLimit, TYPE_FAMILIES, type TypeFamily } from './types.js';
export { AnonymizationError, MaskRulesError } from './errors.js';
export { detectPii, type PiiFinding, type PiiKind, type ColumnSample } from './detect.js';
export { STRATEGY_EXAMPLES, type StrategyExample } from './examples.js';
export { utf8Kind, Utf8Kind, byteMaskOf, DECLINED, maskOutput, type ByteMask } from './byte-mask.js';
export { canonicalJson } from './canonical.js';
export { secretForWorker, type KeySource } from './key.js';
export { writeMaskingKey } from './keygen.js';
export { FAKE_KINDS } from './strategies/fake-kinds.js';
export { integerBounds } from './types.js';
