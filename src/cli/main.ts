/**
 * The command-line entry: dispatch to a command, turn errors into messages and
 * exit codes. The only place that knows about the process (signals, exit).
 */
import { readFileSync } from 'node:fs';
import { EXIT_CODES, PgtwinError, UsageError, messageOf } from '../errors.js';
import { didYouMean } from '../config/did-you-mean.js';
import { MAIN_HELP } from './help.js';
import { processIo, type CliIo } from './io.js';
import { planCommand, syncCommand } from './sync-command.js';
import { schemaCommand } from './schema-command.js';
import { diffCommand } from './diff-command.js';
import { verifyCommand } from './verify-command.js';
import { localCommand } from './local-command.js';
import { demoCommand } from './demo-command.js';
import { initCommand } from './init-command.js';
import { scanCommand } from './scan-command.js';
import { keygenCommand } from './keygen-command.js';
import { followCommand } from './follow-command.js';
import { statusCommand } from './status-command.js';
import { stopCommand } from './stop-command.js';
import { setupSourceCommand } from './setup-source-command.js';
import { teardownCommand } from './teardown-command.js';

type Command = (io: CliIo, argv: readonly string[], signal: AbortSignal) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  sync: syncCommand,
  plan: planCommand,
  schema: schemaCommand,
  diff: diffCommand,
  verify: verifyCommand,
  local: localCommand,
  demo: demoCommand,
  init: initCommand,
  scan: scanCommand,
  keygen: keygenCommand,
  follow: followCommand,
  status: statusCommand,
  stop: (io, argv) => stopCommand(io, argv),
  'setup-source': setupSourceCommand,
  teardown: teardownCommand,
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export async function run(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(MAIN_HELP);
    return name === undefined ? EXIT_CODES.usage : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`pgtwin ${version()}\n`);
    return 0;
  }
  if (name === 'help') {
    const topic = rest[0];
    const command = topic === undefined ? undefined : COMMANDS[topic];
    if (command === undefined) {
      io.stdout(MAIN_HELP);
      return 0;
    }
    return command(io, ['--help'], signal);
  }
  const command = COMMANDS[name];
  try {
    if (command === undefined) {
      const near = didYouMean(name, Object.keys(COMMANDS));
      throw new UsageError('UNKNOWN_COMMAND', `Unknown command "${name}"${near !== undefined ? ` (did you mean ${near}?)` : ''}.`, {
        nextStep: 'Run `pgtwin --help` for the list of commands.',
      });
    }
    return await command(io, rest, signal);
  } catch (error) {
    return reportError(io, error, rest.includes('--json'));
  }
}

function reportError(io: CliIo, error: unknown, json: boolean): number {
  if (error instanceof PgtwinError) {
    const lines = [`pgtwin: error: ${error.message}`];
    for (const detail of error.details) lines.push(`  - ${detail}`);
    const cause = error.cause instanceof Error && !(error.cause instanceof PgtwinError) ? error.cause.message : undefined;
    if (cause !== undefined && !error.message.includes(cause)) lines.push(`  cause: ${cause}`);
    if (error.nextStep !== undefined) lines.push(`next: ${error.nextStep}`);
    io.stderr(lines.join('\n') + '\n');
    if (json) io.stdout(JSON.stringify({ error: { code: error.code, message: error.message, details: error.details, nextStep: error.nextStep ?? null } }) + '\n');
    return error.exitCode;
  }
  io.stderr(`pgtwin: unexpected error: ${messageOf(error)}\n${error instanceof Error && error.stack !== undefined ? error.stack.split('\n').slice(1, 6).join('\n') + '\n' : ''}next: this is a bug in pgtwin; please report it with the command you ran.\n`);
  if (json) io.stdout(JSON.stringify({ error: { code: 'INTERNAL', message: messageOf(error) } }) + '\n');
  return EXIT_CODES.failure;
}

/** Called by bin/pgtwin. SIGINT/SIGTERM stop the run cleanly; a second one exits at once. */
export async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`\npgtwin: ${sig} received, stopping cleanly (press Ctrl-C again to exit at once)\n`);
      controller.abort(new Error(`${sig} received`));
    } else {
      process.exit(EXIT_CODES.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(argv, processIo(), controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
