/**
 * The command-line entry: dispatch to a command, turn errors into messages and
 * exit codes. The only place that knows about the process (signals, exit).
 */
import { readFileSync } from 'node:fs';
import { EXIT_CODES, PgtwinError, UsageError, messageOf } from '../errors.js';
import { didYouMean } from '../did-you-mean.js';
import { renderMainHelp } from './help-text.js';
import { processIo, type CliIo } from './io.js';
import { provideNodeNavigator } from './node-navigator.js';
type Command = (io: CliIo, argv: readonly string[], signal: AbortSignal) => Promise<number>;

/**
 * Each command's module is loaded when it runs: a command pays only for the
 * code it uses (process start is part of every run's time; `sync` of a small
 * table is dominated by it).
 */
function lazy<M>(load: () => Promise<M>, pick: (module: M) => Command): Command {
  return async (io, argv, signal) => pick(await load())(io, argv, signal);
}

const COMMANDS: Readonly<Record<string, Command>> = {
  sync: lazy(
    () => import('./sync-command.js'),
    (m) => m.syncCommand,
  ),
  plan: lazy(
    () => import('./sync-command.js'),
    (m) => m.planCommand,
  ),
  schema: lazy(
    () => import('./schema-command.js'),
    (m) => m.schemaCommand,
  ),
  diff: lazy(
    () => import('./diff-command.js'),
    (m) => m.diffCommand,
  ),
  verify: lazy(
    () => import('./verify-command.js'),
    (m) => m.verifyCommand,
  ),
  local: lazy(
    () => import('./local-command.js'),
    (m) => m.localCommand,
  ),
  demo: lazy(
    () => import('./demo-command.js'),
    (m) => m.demoCommand,
  ),
  init: lazy(
    () => import('./init-command.js'),
    (m) => m.initCommand,
  ),
  scan: lazy(
    () => import('./scan-command.js'),
    (m) => m.scanCommand,
  ),
  keygen: lazy(
    () => import('./keygen-command.js'),
    (m) => m.keygenCommand,
  ),
  follow: lazy(
    () => import('./follow-command.js'),
    (m) => m.followCommand,
  ),
  capture: lazy(
    () => import('./capture-command.js'),
    (m) => m.captureCommand,
  ),
  status: lazy(
    () => import('./status-command.js'),
    (m) => m.statusCommand,
  ),
  stop: lazy(
    () => import('./stop-command.js'),
    (m) => (io, argv) => m.stopCommand(io, argv),
  ),
  'setup-source': lazy(
    () => import('./setup-source-command.js'),
    (m) => m.setupSourceCommand,
  ),
  teardown: lazy(
    () => import('./teardown-command.js'),
    (m) => m.teardownCommand,
  ),
  apply: lazy(
    () => import('./apply-command.js'),
    (m) => m.applyCommand,
  ),
  archive: lazy(
    () => import('./archive-command.js'),
    (m) => m.archiveCommand,
  ),
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export async function run(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(renderMainHelp());
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
      io.stdout(renderMainHelp());
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
    if (json)
      io.stdout(
        JSON.stringify({ error: { code: error.code, message: error.message, details: error.details, nextStep: error.nextStep ?? null } }) +
          '\n',
      );
    return error.exitCode;
  }
  io.stderr(
    `pgtwin: unexpected error: ${messageOf(error)}\n${error instanceof Error && error.stack !== undefined ? error.stack.split('\n').slice(1, 6).join('\n') + '\n' : ''}next: this is a bug in pgtwin; please report it with the command you ran.\n`,
  );
  if (json) io.stdout(JSON.stringify({ error: { code: 'INTERNAL', message: messageOf(error) } }) + '\n');
  return EXIT_CODES.failure;
}

/**
 * A second Ctrl-C this soon after the first is the same keypress delivered
 * twice (the terminal signals the whole process group, and a wrapper such as
 * npm forwards it again), not a person asking a second time.
 */
export const DUPLICATE_SIGNAL_WINDOW_MS = 500;

/**
 * Called by bin/pgtwin. SIGINT/SIGTERM stop the run cleanly. Only a person
 * can ask to exit at once, by pressing Ctrl-C again once the stop has begun:
 * SIGTERM comes from supervisors (`timeout`, a container or service stop,
 * `pgtwin stop`, `kill -TERM -<pgid>`), which often deliver it more than
 * once and escalate with SIGKILL if they must, so repeats of it are ignored.
 */
export async function main(argv: readonly string[]): Promise<number> {
  provideNodeNavigator();
  const controller = new AbortController();
  let firstAt: number | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    const now = performance.now();
    if (firstAt === undefined) {
      firstAt = now;
      process.stderr.write(`\npgtwin: ${sig} received, stopping cleanly (press Ctrl-C again to exit at once)\n`);
      controller.abort(new Error(`${sig} received`));
    } else if (sig === 'SIGINT' && now - firstAt >= DUPLICATE_SIGNAL_WINDOW_MS) {
      process.stderr.write('pgtwin: Ctrl-C pressed again, exiting at once without cleaning up\n');
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
