/** `--help` texts, rendered from the command definitions (src/cli/definitions/). */
import { EXIT_CODES } from '../errors.js';
import { flagsOf, usageOf, type CommandDef, type FlagDef } from './definition.js';
import { COMMAND_DEFS, HELP_COMMAND } from './definitions/index.js';
import { EXIT_CODE_DOCS } from './definitions/exit-codes.js';

const WIDTH = 80;
/** Where a flag's text starts: `  -c, --config PATH` fits before it. */
const FLAG_COLUMN = 27;

/** The light markdown of the definitions as a terminal shows it: no backticks, links reduced to their text. */
export function plain(text: string): string {
  return text
    .replace(/ \(\[[^\]]*\]\([^)]*\)\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1');
}

/** Words filled into lines of at most `width` characters, each after `indent`. */
function fill(text: string, first: string, indent: number): string {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = ' '.repeat(indent);
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

export function flagNames(flag: FlagDef): string {
  return `${flag.short !== undefined ? `-${flag.short}, ` : ''}--${flag.name}`;
}

/** What --help says of a flag: its text, then what applies without it. */
function flagText(flag: FlagDef): string {
  const parts = [plain(flag.help)];
  if (flag.repeatable === true) parts.push('(repeatable)');
  if (flag.default !== undefined) parts.push(`(default: ${plain(flag.default)})`);
  if (flag.setting !== undefined) parts.push(`(in the config: ${flag.setting})`);
  return parts.join(' ');
}

function flagLine(flag: FlagDef): string {
  const left = `  ${flag.short !== undefined ? `-${flag.short}, ` : '    '}--${flag.name}${flag.value !== undefined ? ` ${flag.value}` : ''}`;
  if (left.length > FLAG_COLUMN - 2) return `${left}\n${fill(flagText(flag), ' '.repeat(FLAG_COLUMN), FLAG_COLUMN)}`;
  return fill(flagText(flag), left.padEnd(FLAG_COLUMN), FLAG_COLUMN);
}

function commandList(entries: readonly { readonly name: string; readonly summary: string }[]): string {
  const column = Math.max(...entries.map((e) => e.name.length)) + 4;
  return entries.map((e) => fill(plain(e.summary), `  ${e.name}`.padEnd(column), column)).join('\n');
}

export function renderHelp(command: CommandDef): string {
  const sections = [`Usage: ${usageOf(command)}`, command.description];
  if (command.subcommands !== undefined) {
    const prefix = `${command.name} `;
    sections.push(`Commands:\n${commandList(command.subcommands.map((s) => ({ name: s.name.replace(prefix, ''), summary: s.summary })))}`);
  }
  sections.push(`Flags:\n${flagsOf(command).map(flagLine).join('\n')}`);
  if (command.examples !== undefined && command.examples.length > 0)
    sections.push(`Examples:\n${command.examples.map((e) => `  ${e}`).join('\n')}`);
  sections.push(`Exit codes: ${command.exitCodes}`);
  if (command.footer !== undefined) sections.push(command.footer);
  return sections.join('\n\n') + '\n';
}

/** `Exit codes: 0 ok, 1 failure, ...` from EXIT_CODES. */
function exitCodeSummary(): string {
  const codes = (Object.keys(EXIT_CODES) as (keyof typeof EXIT_CODES)[]).map((k) => `${EXIT_CODES[k]} ${EXIT_CODE_DOCS[k].short}`);
  return fill(`${codes.join(', ')}.`, 'Exit codes: ', 0);
}

export function renderMainHelp(): string {
  return `pgtwin: a safe twin of a production PostgreSQL database

Usage: pgtwin <command> [flags]

Commands:
${commandList([...COMMAND_DEFS, HELP_COMMAND])}

Global flags:
  -h, --help      help for pgtwin or a command
  -v, --version   print the version

${exitCodeSummary()}
Docs: docs/guide.md, docs/config.md, docs/cli.md
`;
}
