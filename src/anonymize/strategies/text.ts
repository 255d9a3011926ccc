/**
 * Free-text strategies: `redact`, `constant`, `partial`, `regex`, `lorem`.
 * None is injective; all keep NULL as NULL. `template` lives in template.ts.
 */
import { defineBuiltinStrategy } from '../strategy.js';
import type { CheckContext } from '../strategy-types.js';
import { LOREM_WORDS } from './data/places.js';
import { SeededStream } from './stream.js';

function tooLong(text: string, ctx: CheckContext, option: string): string | undefined {
  const max = ctx.column.maxLength;
  const length = Array.from(text).length;
  return max !== undefined && length > max ? `\`${option}\` is ${length} characters, more than ${ctx.column.type} holds` : undefined;
}

export const redact = defineBuiltinStrategy({
  name: 'redact',
  summary: 'replaces the value with `[REDACTED]` or `text`',
  acceptsTypes: ['text'],
  options: (o) => ({ text: o.string('text', '[REDACTED]') }),
  validateOptions: (options, ctx) => tooLong(options.text, ctx, 'text'),
  create: ({ options }) => {
    const { text } = options;
    return () => text;
  },
});

export const constant = defineBuiltinStrategy({
  name: 'constant',
  summary: 'replaces the value with `value` (any type; the text must be valid for the column)',
  acceptsTypes: ['any'],
  options: (o) => ({ value: o.requiredString('value') }),
  validateOptions: (options, ctx) => tooLong(options.value, ctx, 'value'),
  create: ({ options }) => {
    const { value } = options;
    return () => value;
  },
});

export const partial = defineBuiltinStrategy({
  name: 'partial',
  summary: 'keeps the first `keep_first` and last `keep_last` (default 4) characters, masks the rest with `mask_char`',
  acceptsTypes: ['text'],
  options: (o) => ({
    keep_first: o.integer('keep_first', 0, { min: 0, max: 1000 }),
    keep_last: o.integer('keep_last', 4, { min: 0, max: 1000 }),
    mask_char: o.string('mask_char', '*', { nonEmpty: true }),
  }),
  validateOptions: (options) => (Array.from(options.mask_char).length === 1 ? undefined : '`mask_char` must be a single character'),
  create: ({ options }) => {
    const { keep_first: first, keep_last: last, mask_char: fill } = options;
    return (value) => {
      const chars = Array.from(value);
      const n = chars.length;
      // Too short to show anything without showing (nearly) all of it.
      if (n <= first + last) return fill.repeat(n);
      return chars.slice(0, first).join('') + fill.repeat(n - first - last) + chars.slice(n - last).join('');
    };
  },
});

export const regex = defineBuiltinStrategy({
  name: 'regex',
  summary: 'replaces every match of `pattern` with `replacement` (default `[REDACTED]`; $1… allowed)',
  acceptsTypes: ['text'],
  options: (o) => ({
    pattern: o.requiredString('pattern'),
    replacement: o.string('replacement', '[REDACTED]'),
    flags: o.string('flags', 'g'),
  }),
  validateOptions: (options) => {
    if (!/^[gimsu]*$/.test(options.flags)) return '`flags` may only contain g, i, m, s, u';
    try {
      new RegExp(options.pattern, options.flags);
    } catch (err) {
      return `\`pattern\` is not a valid regular expression: ${(err as Error).message}`;
    }
    return undefined;
  },
  create: ({ options }) => {
    const pattern = new RegExp(options.pattern, options.flags);
    const { replacement } = options;
    return (value) => value.replace(pattern, replacement);
  },
});

export const lorem = defineBuiltinStrategy({
  name: 'lorem',
  summary: 'lorem ipsum text of the same length (in characters)',
  acceptsTypes: ['text'],
  options: () => ({}),
  create:
    ({ prf }) =>
    (value) => {
      const length = Array.from(value).length;
      if (length === 0) return '';
      prf.hash128(value);
      const stream = new SeededStream(prf.out);
      let text = '';
      while (text.length < length) {
        if (text.length > 0) text += ' ';
        text += LOREM_WORDS[stream.below(LOREM_WORDS.length)] as string;
      }
      // A final space would be invisible trailing whitespace: end on a letter.
      text = text.slice(0, length);
      return text.endsWith(' ') ? `${text.slice(0, -1)}a` : text;
    },
});
