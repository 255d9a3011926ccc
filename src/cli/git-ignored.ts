/**
 * Whether a file would be committed by accident: inside a git work tree and not
 * matched by .gitignore. Advice only (`pgtwin keygen` warns), so any failure to
 * ask git (not installed, not a repository) answers "don't know".
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

export type GitStatus = 'ignored' | 'not-ignored' | 'unknown';

export function gitIgnoreStatus(file: string): Promise<GitStatus> {
  return new Promise((resolve) => {
    // check-ignore exits 0 when ignored, 1 when not, 128 outside a repository.
    execFile(
      'git',
      ['check-ignore', '-q', '--', path.basename(file)],
      { cwd: path.dirname(file), timeout: 5000, windowsHide: true },
      (error) => {
        if (error === null) return resolve('ignored');
        resolve(error.code === 1 ? 'not-ignored' : 'unknown');
      },
    );
  });
}
