/** `pgtwin local start|stop|status|url|psql|destroy`: the embedded local server. */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { loadSettings } from '../config/index.js';
import type { EmbeddedServerSettings } from '../config/index.js';
import { didYouMean } from '../did-you-mean.js';
import { LOCAL_ENVIRONMENT, passwordlessUrl } from '../config/index.js';
import { EXIT_CODES, PgtwinError, SafetyError, UsageError } from '../errors.js';
import {
  destroyLocalServer,
  embeddedSettingsOf,
  ensureLocalServer,
  localServerStatus,
  stopLocalServer,
  type LocalServerOptions,
} from '../pg/local-server.js';
import { localStatusText } from '../report/local-status-text.js';
import { booleanFlag, stringFlag, type ParsedFlags } from './args.js';
import { readFlags } from './command-flags.js';
import { LOCAL } from './definitions/local.js';
import { renderHelp } from './help-text.js';
import type { CliIo } from './io.js';

interface Context {
  readonly io: CliIo;
  readonly server: EmbeddedServerSettings;
  readonly options: LocalServerOptions;
  readonly flags: ParsedFlags;
  /** psql's arguments: what follows `--`. */
  readonly rest: readonly string[];
}

const SUBCOMMANDS: Readonly<Record<string, (ctx: Context) => Promise<number>>> = { start, stop, status, url, psql, destroy };

export async function localCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(renderHelp(LOCAL));
    return name === undefined ? EXIT_CODES.usage : 0;
  }
  const run = SUBCOMMANDS[name];
  const definition = LOCAL.subcommands?.find((s) => s.name === `local ${name}`);
  if (run === undefined || definition === undefined) {
    const near = didYouMean(name, Object.keys(SUBCOMMANDS));
    throw new UsageError(
      'UNKNOWN_COMMAND',
      `Unknown command "local ${name}"${near !== undefined ? ` (did you mean local ${near}?)` : ''}.`,
      {
        nextStep: 'Run `pgtwin local --help` for the list of commands.',
      },
    );
  }
  const split = args.indexOf('--');
  const own = split === -1 ? args : args.slice(0, split);
  const rest = split === -1 ? [] : args.slice(split + 1);
  if (rest.length > 0 && name !== 'psql') {
    throw new UsageError('BAD_FLAGS', `\`pgtwin local ${name}\` takes no arguments after --.`, {
      nextStep: `See \`pgtwin local ${name} --help\`.`,
    });
  }
  const flags = readFlags(io, definition, own);
  if (flags === undefined) return 0;
  const settings = await loadSettings({ configPath: stringFlag(flags, 'config'), cwd: io.cwd, env: io.env, overrides: {} });
  for (const warning of settings.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  const server = embeddedSettingsOf(settings, stringFlag(flags, 'env') ?? LOCAL_ENVIRONMENT, io.cwd);
  const options: LocalServerOptions = { signal, onProgress: (message) => io.stderr(`pgtwin: ${message}\n`) };
  return run({ io, server, options, flags, rest });
}

async function start(ctx: Context): Promise<number> {
  const server = await ensureLocalServer(ctx.server, ctx.options);
  const where = `${passwordlessUrl(server.port)} (PostgreSQL ${server.version}, data in ${shownPath(ctx.io, server.dataDir)})`;
  ctx.io.stdout(`${server.started ? 'Local server started' : 'Local server already running'}: ${where}\n`);
  ctx.io.stdout('Connect with `pgtwin local psql`, or get the URL with its password from `pgtwin local url`.\n');
  return 0;
}

async function stop(ctx: Context): Promise<number> {
  const { wasRunning } = await stopLocalServer(ctx.server, ctx.options);
  ctx.io.stdout(wasRunning ? 'Local server stopped.\n' : 'Local server is not running.\n');
  return 0;
}

async function status(ctx: Context): Promise<number> {
  const state = await localServerStatus(ctx.server);
  if (booleanFlag(ctx.flags, 'json')) ctx.io.stdout(JSON.stringify(state) + '\n');
  else ctx.io.stdout(localStatusText(state, (p) => shownPath(ctx.io, p)));
  return 0;
}

/** The one place a password is printed on purpose: the user asked for the URL. */
async function url(ctx: Context): Promise<number> {
  const server = await ensureLocalServer(ctx.server, ctx.options);
  ctx.io.stdout(`${server.url}\n`);
  return 0;
}

async function psql(ctx: Context): Promise<number> {
  const found = onPath('psql', ctx.io.env['PATH']);
  if (found === undefined) {
    throw new PgtwinError('PSQL_NOT_FOUND', 'failure', 'psql is not installed (not found on PATH).', {
      nextStep: `Install the PostgreSQL client (apt install postgresql-client, brew install libpq), or point any client at ${passwordlessUrl(ctx.server.port)} with the password from \`pgtwin local url\`.`,
    });
  }
  const server = await ensureLocalServer(ctx.server, ctx.options);
  const { password, url: target } = splitPassword(server.url);
  // The password goes in the environment: a command line is visible to every user in `ps`.
  const env = { ...ctx.io.env, PGPASSWORD: password };
  const interactive = ctx.io.stdinIsTty;
  const child = spawn(found, [target, ...ctx.rest], { env, stdio: interactive ? 'inherit' : ['inherit', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => ctx.io.stdout(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => ctx.io.stderr(chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 130)));
  });
}

async function destroy(ctx: Context): Promise<number> {
  const where = shownPath(ctx.io, ctx.server.dataDir);
  const question = `Delete the local server in ${where} and all its data?`;
  if (!booleanFlag(ctx.flags, 'yes')) {
    if (!(ctx.io.stdinIsTty && ctx.io.stderrIsTty)) {
      throw new SafetyError(
        'NOT_CONFIRMED',
        `Destroying the local server deletes ${where}, and there is no terminal to confirm it on; nothing was deleted.`,
        {
          nextStep: 'Pass --yes to confirm in scripts and CI.',
        },
      );
    }
    if (!(await askYes(question)))
      throw new SafetyError('NOT_CONFIRMED', 'Not confirmed; nothing was deleted.', {
        nextStep: 'Run again and answer yes, or pass --yes.',
      });
  }
  const { existed } = await destroyLocalServer(ctx.server, ctx.options);
  ctx.io.stdout(existed ? `Local server in ${where} deleted.\n` : `There is no local server in ${where}; nothing to delete.\n`);
  return 0;
}

async function askYes(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question}\nType "yes" to continue: `)).trim().toLowerCase();
    return answer === 'yes' || answer === 'y';
  } finally {
    rl.close();
  }
}

function splitPassword(full: string): { password: string; url: string } {
  const parsed = new URL(full);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { password, url: parsed.toString() };
}

function onPath(command: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Relative to the working directory when inside it: `.pgtwin/local` reads better than a long absolute path. */
function shownPath(io: CliIo, path: string): string {
  const rel = relative(io.cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
