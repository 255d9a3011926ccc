/** Runs one benchmark command as a child process and times it from spawn to exit. */
import { spawn } from 'node:child_process';

export interface ChildResult {
  readonly seconds: number;
  /** Peak RSS reported on fd 3 by support/cli-with-rss.mjs; undefined for other commands. */
  readonly rssKb: number | undefined;
  /** User plus system CPU time of the child, reported with the RSS. */
  readonly cpuMs: number | undefined;
  readonly stdout: string;
}

export interface ChildOptions {
  /** The child reports its peak RSS on fd 3 (support/cli-with-rss.mjs does). */
  readonly rss: boolean;
  readonly env?: Readonly<Record<string, string>>;
}

export function runChild(command: string, argv: readonly string[], options: ChildOptions): Promise<ChildResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      stdio: ['ignore', 'pipe', 'pipe', ...(options.rss ? (['pipe'] as const) : [])],
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    let rss = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (options.rss) (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => (rss += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`${command} ${argv.join(' ')} exited ${code}:\n${stderr}${stdout}`));
      const usage = rss === '' ? undefined : (JSON.parse(rss) as { maxRssKb: number; cpuMs: number });
      resolve({ seconds, rssKb: usage?.maxRssKb, cpuMs: usage?.cpuMs, stdout });
    });
  });
}
