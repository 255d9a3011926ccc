/**
 * The server processes that belong to a directory: those whose command line
 * mentions it (a postmaster started with -D <dir>/...) and, as root where the
 * data lives in pgtwin's shared directory, those whose environment ties them
 * to it (PGTWIN_DATA_DIR, set by src/local for every server it starts).
 */
import { readdir, readFile } from 'node:fs/promises';

export async function processesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    const tied = environ.split('\0').some((entry) => entry.startsWith(`PGTWIN_DATA_DIR=${dir}`));
    if (cmdline.includes(dir) || tied) found.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
  }
  return found;
}
