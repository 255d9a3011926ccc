/** The step every command starts with: its flags from argv, or its help when asked. */
import type { ParsedFlags } from './args.js';
import { parseCommand, type CommandDef } from './definition.js';
import { renderHelp } from './help-text.js';
import type { CliIo } from './io.js';

/** The parsed flags; undefined when --help was given (the help is printed). */
export function readFlags(io: CliIo, command: CommandDef, argv: readonly string[]): ParsedFlags | undefined {
  const flags = parseCommand(command, argv);
  if (flags.values['help'] === true) {
    io.stdout(renderHelp(command));
    return undefined;
  }
  return flags;
}
