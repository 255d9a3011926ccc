/**
 * `null` and `keep`: the two ends of the scale. `null` writes NULL (refused on
 * NOT NULL columns at plan time); `keep` copies the value as it is, for a rule
 * that must exist (strict mode) on a column reviewed as harmless.
 */
import { defineBuiltinStrategy } from '../strategy.js';

export const nullStrategy = defineBuiltinStrategy({
  name: 'null',
  summary: 'writes NULL (not allowed on NOT NULL columns)',
  acceptsTypes: ['any'],
  producesNull: true,
  options: () => ({}),
  create: () => () => null,
});

export const keep = defineBuiltinStrategy({
  name: 'keep',
  summary: 'copies the value unchanged (a reviewed, harmless column)',
  acceptsTypes: ['any'],
  injective: true,
  options: () => ({}),
  create: () => (value) => value,
});
