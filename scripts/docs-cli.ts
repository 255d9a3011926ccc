/**
 * The generated parts of docs/cli.md: the list of commands, each command's flag
 * table and the exit codes, between markers such as
 *   <!-- generated:flags sync -->  ...  <!-- /generated -->
 * rendered from the command definitions (src/cli/definitions/) and EXIT_CODES.
 * `npm run docs:cli` rewrites them; test/unit/cli-docs.test.ts fails when the
 * file differs from what the definitions give.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EXIT_CODES } from '../src/errors.js';
import { HELP_FLAG, flagsOf, type CommandDef, type FlagDef } from '../src/cli/definition.js';
import { COMMAND_DEFS, HELP_COMMAND } from '../src/cli/definitions/index.js';
import { EXIT_CODE_DOCS } from '../src/cli/definitions/exit-codes.js';

export const CLI_DOCS = fileURLToPath(new URL('../docs/cli.md', import.meta.url));

const BLOCK = /(<!-- generated:([a-z-]+)(?: ([a-z-]+))? -->\n)[\s\S]*?(<!-- \/generated -->)/g;

/** A table cell: a `|` would end the cell, even inside backticks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `|${cells.map((c) => (c === '' ? ' ' : ` ${cell(c)} `)).join('|')}|`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function anchor(name: string): string {
  return `#pgtwin-${name.replace(/ /g, '-')}`;
}

function commandsTable(): string {
  return table(
    ['command', 'does'],
    [...COMMAND_DEFS, HELP_COMMAND].map((c) => [`[\`${c.name}\`](${anchor(c.name)})`, c.summary]),
  );
}

function names(flag: FlagDef): string {
  return `${flag.short !== undefined ? `\`-${flag.short}\`, ` : ''}\`--${flag.name}\``;
}

function defaultOf(flag: FlagDef): string {
  if (flag.name === 'help') return '';
  if (flag.value !== undefined) return flag.default ?? '';
  const setting = flag.setting?.split(' / ').map((s) => `\`${s}\``);
  return setting === undefined ? 'off' : `off (${setting.join(' / ')})`;
}

function flagRow(flag: FlagDef, only?: string): string[] {
  const does = `${only ?? ''}${flag.help}${flag.repeatable === true ? '; repeatable' : ''}`;
  return [names(flag), flag.value === undefined ? '' : `\`${flag.value}\``, defaultOf(flag), does];
}

const FLAG_HEAD = ['flag', 'value', 'default', 'does'];

/** A command's flags; for a command with subcommands, theirs, each marked with the subcommands that take it when not all do. */
function flagsTable(command: CommandDef): string {
  const subcommands = command.subcommands;
  if (subcommands === undefined)
    return table(
      FLAG_HEAD,
      flagsOf(command).map((f) => flagRow(f)),
    );
  const seen = new Map<string, { flag: FlagDef; takers: string[] }>();
  for (const sub of subcommands)
    for (const flag of sub.flags) {
      const entry = seen.get(flag.name) ?? { flag, takers: [] };
      entry.takers.push(sub.name.slice(command.name.length + 1));
      seen.set(flag.name, entry);
    }
  const rows = [...seen.values()].map(({ flag, takers }) =>
    flagRow(flag, takers.length === subcommands.length ? undefined : `${takers.map((t) => `\`${t}\``).join(', ')} only: `),
  );
  return table(FLAG_HEAD, [...rows, flagRow(HELP_FLAG)]);
}

function exitCodesTable(): string {
  const keys = Object.keys(EXIT_CODES) as (keyof typeof EXIT_CODES)[];
  return table(
    ['exit', 'meaning', 'error codes'],
    keys.map((k) => [String(EXIT_CODES[k]), EXIT_CODE_DOCS[k].meaning, EXIT_CODE_DOCS[k].codes.map((c) => `\`${c}\``).join(', ')]),
  );
}

function render(kind: string, argument: string | undefined): string {
  if (kind === 'commands') return commandsTable();
  if (kind === 'exit-codes') return exitCodesTable();
  if (kind === 'flags') {
    const command = COMMAND_DEFS.find((c) => c.name === argument);
    if (command === undefined) throw new Error(`docs/cli.md: <!-- generated:flags ${argument ?? ''} --> names no command`);
    return flagsTable(command);
  }
  throw new Error(`docs/cli.md: unknown generated block "${kind}"`);
}

/** The text with every generated block rendered again; every command must have its flags block. */
export function generateCliDocs(text: string): string {
  const documented = new Set<string>();
  const result = text.replace(BLOCK, (_all, open: string, kind: string, argument: string | undefined, close: string) => {
    if (kind === 'flags' && argument !== undefined) documented.add(argument);
    return `${open}${render(kind, argument)}\n${close}`;
  });
  const missing = COMMAND_DEFS.filter((c) => !documented.has(c.name)).map((c) => c.name);
  if (missing.length > 0) throw new Error(`docs/cli.md has no <!-- generated:flags NAME --> block for: ${missing.join(', ')}`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const before = readFileSync(CLI_DOCS, 'utf8');
  const after = generateCliDocs(before);
  if (after !== before) writeFileSync(CLI_DOCS, after);
  console.log(after === before ? 'docs/cli.md is up to date' : 'docs/cli.md: generated blocks rewritten');
}
