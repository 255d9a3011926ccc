/** Running pgtwin's CLI in-process (fast) or as a real process (signals, TTY). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import { Redactor } from '../../src/cli/redact.js';
import type { CliIo } from '../../src/cli/io.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly tty?: boolean;
  readonly signal?: AbortSignal;
}

/** Environment without anything that would leak a developer's own settings into a test. */
function cleanEnv(extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { PATH: process.env['PATH'], HOME: process.env['HOME'] };
  return { ...env, ...extra };
}

export async function pgtwin(argv: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const redactor = new Redactor();
  const io: CliIo = {
    stdout: (t) => void (stdout += redactor.redact(t)),
    stderr: (t) => void (stderr += redactor.redact(t)),
    stderrIsTty: options.tty ?? false,
    stdinIsTty: options.tty ?? false,
    env: cleanEnv(options.env),
    cwd: options.cwd ?? process.cwd(),
    redactor,
  };
  const code = await run(argv, io, options.signal ?? new AbortController().signal);
  return { code, stdout, stderr };
}

export const BIN = fileURLToPath(new URL('../../bin/pgtwin', import.meta.url));

export interface SpawnedCli {
  readonly done: Promise<CliResult>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves when stderr has printed text matching the pattern. */
  waitFor(pattern: RegExp): Promise<void>;
}

/** The real executable, through bin/pgtwin and the compiled dist/ (the test runner builds it first). */
export function spawnPgtwin(argv: readonly string[], options: CliOptions = {}): SpawnedCli {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./cli-entry.ts', import.meta.url)), ...argv],
    {
      cwd: options.cwd ?? process.cwd(),
      env: cleanEnv(options.env) as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(stderr)) w.resolve();
      else waiters.push(w);
    }
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), stdout, stderr })),
  );
  return {
    done,
    kill: (signal) => void child.kill(signal),
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        waiters.push({ pattern, resolve });
        void done.then(() => reject(new Error(`process ended before printing ${pattern}: ${stderr}`)));
      }),
  };
}
