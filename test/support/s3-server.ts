/**
 * Starts the S3-compatible test server (s3rver, in a child process: see
 * s3-server-main.mjs) on 127.0.0.1 at a random port over a temporary
 * directory, with the given buckets. Its account is s3rver's fixed test
 * account; `env` holds the AWS variables that point a client at it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const S3_TEST_ACCESS_KEY = 'S3RVER';
export const S3_TEST_SECRET_KEY = 'S3RVER';

export interface S3TestServer {
  readonly endpoint: string;
  readonly directory: string;
  /** AWS_* variables for a client of this server. */
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startS3Server(buckets: readonly string[]): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'pgtwin-s3-'));
  const main = fileURLToPath(new URL('./s3-server-main.mjs', import.meta.url));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', main, directory, ...buckets], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the S3 test server exited (${code}) before listening: ${stderr}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    endpoint,
    directory,
    env: {
      AWS_ACCESS_KEY_ID: S3_TEST_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: S3_TEST_SECRET_KEY,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: endpoint,
    },
    stop: async () => {
      if (!stopped) {
        stopped = true;
        child.kill('SIGTERM');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
