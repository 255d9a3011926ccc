/**
 * Flag parsing shared by the commands: node's parseArgs in strict mode, with
 * its errors turned into usage errors that suggest the flag meant.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import { didYouMean } from '../did-you-mean.js';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedFlags {
  /** A list for flags declared `multiple: true`. */
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}

export function parseFlags(command: string, argv: readonly string[], spec: FlagSpec, allowPositionals = false): ParsedFlags {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals });
    return { values: values as Record<string, string | boolean | readonly string[] | undefined>, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown !== undefined) {
      const near = didYouMean(
        unknown,
        Object.keys(spec).map((k) => `--${k}`),
      );
      throw new UsageError(
        'UNKNOWN_FLAG',
        `Unknown flag ${unknown} for \`pgtwin ${command}\`${near !== undefined ? ` (did you mean ${near}?)` : ''}.`,
        {
          nextStep: `See \`pgtwin ${command} --help\`.`,
        },
      );
    }
    throw new UsageError('BAD_FLAGS', `${message.replace(/\. To specify a positional.*$/s, '')}.`, {
      nextStep: `See \`pgtwin ${command} --help\`.`,
    });
  }
}

export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const value = flags.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function booleanFlag(flags: ParsedFlags, name: string): boolean {
  return flags.values[name] === true;
}

export function listFlag(flags: ParsedFlags, name: string): string[] | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function nonNegativeIntegerFlag(flags: ParsedFlags, name: string): number | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  if (!/^(0|[1-9][0-9]*)$/.test(value)) {
    throw new UsageError('BAD_FLAGS', `--${name} takes a whole number (0 or more), not "${value}".`, {
      nextStep: `For example --${name} 2.`,
    });
  }
  return Number(value);
}

export function positiveIntegerFlag(flags: ParsedFlags, name: string): number | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new UsageError('BAD_FLAGS', `--${name} takes a positive whole number, not "${value}".`, { nextStep: `For example --${name} 4.` });
  }
  return Number(value);
}
