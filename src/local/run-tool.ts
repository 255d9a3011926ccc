/**
 * Runs initdb and pg_ctl, as the server user when pgtwin is root. Output is
 * collected for error messages; messages are forced to English (C locale)
 * so they read the same in every report.
 */
import { spawn } from 'node:child_process';
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
}

export function runTool(file: string, args: readonly string[], options: ToolOptions): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.user === undefined ? {} : { uid: options.user.uid, gid: options.user.gid }),
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The non-empty lines of a tool's output, for PgtwinError details. */
export function outputLines(result: ToolResult, limit = 15): string[] {
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  return lines.slice(-limit);
}
