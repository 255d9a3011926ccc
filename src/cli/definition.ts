/**
 * What a command is, described once: its flags, usage and help. The parser
 * (parseCommand), `--help` (help-text.ts) and the flag tables of docs/cli.md
 * (scripts/docs-cli.ts) are all built from these definitions.
 *
 * Texts are written in a light markdown (`code`, [links](url)): docs/cli.md
 * shows them as they are, `--help` without the marks.
 */
import { parseFlags, type FlagSpec, type ParsedFlags } from './args.js';

export interface FlagDef {
  /** The long name, without `--`. */
  readonly name: string;
  /** One letter, without `-`. */
  readonly short?: string;
  /** The value's name (`PATH`, `N`): the flag takes a value. Without it the flag is a switch. */
  readonly value?: string;
  /** Given once per item (`--where a=... --where b=...`); otherwise the last one wins. */
  readonly repeatable?: boolean;
  /** What applies without the flag (for a value flag). */
  readonly default?: string;
  /** The config key that does the same, for a switch (`options.cascade`). */
  readonly setting?: string;
  readonly help: string;
}

export interface CommandDef {
  /** As typed after `pgtwin`: `sync`, `local start`. */
  readonly name: string;
  /** One line, for the list of commands. */
  readonly summary: string;
  /** The usage line after `Usage: `; `pgtwin <name> [flags]` when absent. */
  readonly usage?: string;
  /** The paragraphs between the usage line and the flags. */
  readonly description: string;
  /** In the order --help and docs/cli.md list them; `-h, --help` is added to every command. */
  readonly flags: readonly FlagDef[];
  readonly examples?: readonly string[];
  /** The help's closing `Exit codes:` paragraph (docs/cli.md has a table per command). */
  readonly exitCodes: string;
  /** A last paragraph of the help. */
  readonly footer?: string;
  /** Commands under this one (`local start`); their flags are parsed by them. */
  readonly subcommands?: readonly CommandDef[];
}

export const HELP_FLAG: FlagDef = { name: 'help', short: 'h', help: "print this command's help" };

/** A shared flag with some of its texts changed for one command. */
export function variant(flag: FlagDef, changes: Partial<Omit<FlagDef, 'name' | 'short' | 'value' | 'repeatable'>>): FlagDef {
  return { ...flag, ...changes };
}

export function flagsOf(command: CommandDef): readonly FlagDef[] {
  return [...command.flags, HELP_FLAG];
}

/** node:util parseArgs' options for the command. */
export function flagSpecOf(command: CommandDef): FlagSpec {
  const spec: FlagSpec = {};
  for (const flag of flagsOf(command)) {
    spec[flag.name] = {
      type: flag.value === undefined ? 'boolean' : 'string',
      ...(flag.short !== undefined ? { short: flag.short } : {}),
      ...(flag.repeatable === true ? { multiple: true } : {}),
    };
  }
  return spec;
}

export function usageOf(command: CommandDef): string {
  return command.usage ?? `pgtwin ${command.name} [flags]`;
}

/** The command's flags from argv; a usage error (exit 2) for a flag it does not take. */
export function parseCommand(command: CommandDef, argv: readonly string[]): ParsedFlags {
  return parseFlags(command.name, argv, flagSpecOf(command));
}
