/** Where the CLI writes: injected so tests can run commands in-process. */
import { Redactor } from './redact.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stderrIsTty: boolean;
  /** Terminal width, when stderr is a terminal. */
  readonly columns?: number | undefined;
  readonly stdinIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly redactor: Redactor;
}

export function processIo(): CliIo {
  const redactor = new Redactor();
  return {
    stdout: (text) => void process.stdout.write(redactor.redact(text)),
    stderr: (text) => void process.stderr.write(redactor.redact(text)),
    stderrIsTty: process.stderr.isTTY === true,
    columns: process.stderr.columns,
    stdinIsTty: process.stdin.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    redactor,
  };
}
