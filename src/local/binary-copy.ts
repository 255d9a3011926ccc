/**
 * As root, the server user must run the binaries, and a clone under a private
 * home directory keeps them out of its reach. They are copied once into
 * pgtwin's shared directory (shared-dir.ts): into a scratch directory, checked
 * file by file against the original, run once as the server user, and renamed
 * into place, so a half-copied tree is never used. The name carries a hash of
 * the file list, so another release gets its own copy and a damaged copy is
 * noticed and replaced.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, lstat, mkdir, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { messageOf } from '../errors.js';
import { versionOf, type PostgresBinaries } from './binaries.js';
import { LocalServerError } from './errors.js';
import { isAlive } from './lock.js';
import { SHARED_DIR_VARIABLE } from './shared-dir.js';
import type { ServerUser } from './server-user.js';

/** One line per entry: path, kind and size or link target; what "the same tree" means here. */
type Manifest = readonly string[];

const SCRATCH = /^\.copy-(\d+)-[0-9a-f]+$/;

/** The binaries at their copy in `shared` (made when missing or damaged), verified runnable by `user`. */
export async function copiedBinaries(bins: PostgresBinaries, shared: string, user: ServerUser): Promise<PostgresBinaries> {
  const manifest = await manifestOf(bins.installDir);
  const hash = createHash('sha256').update(bins.origin).update(manifest.join('\n')).digest('hex').slice(0, 12);
  const home = join(shared, `postgresql-${bins.version}-${hash}`);
  try {
    if (!(await sameTree(home, manifest))) await install(bins.installDir, home, manifest, shared);
  } catch (error) {
    if (error instanceof LocalServerError) throw error;
    throw new LocalServerError(
      'LOCAL_BINARIES_COPY_FAILED',
      `The PostgreSQL binaries could not be copied from ${bins.installDir} to ${home}: ${messageOf(error)}`,
      {
        cause: error,
        nextStep: `Check the free space and permissions of ${shared} (or set ${SHARED_DIR_VARIABLE} to another directory), then run the command again.`,
      },
    );
  }
  const moved = (path: string): string => join(home, relative(bins.installDir, path));
  const copy = { ...bins, initdb: moved(bins.initdb), pgCtl: moved(bins.pgCtl), postgres: moved(bins.postgres), installDir: home };
  // Run once as the server user: the proof that it can reach and execute them.
  const version = await versionOf(copy.postgres, user);
  if (version !== bins.version) {
    throw new LocalServerError(
      'LOCAL_BINARIES_COPY_FAILED',
      `The copy of the PostgreSQL binaries in ${home} reports version ${version}, not ${bins.version}.`,
      {
        nextStep: `Delete ${home} and run the command again.`,
      },
    );
  }
  return copy;
}

async function install(source: string, home: string, manifest: Manifest, shared: string): Promise<void> {
  await removeAbandonedScratch(shared);
  const scratch = join(shared, `.copy-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await copyTree(source, scratch);
    const copied = await manifestOf(scratch);
    if (copied.join('\n') !== manifest.join('\n')) throw new Error(`the copy in ${scratch} differs from the original after copying`);
    await putInPlace(scratch, home, manifest);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Renames the verified scratch copy to `home`; a damaged copy there is moved aside first, a good one (another process won) is kept. */
async function putInPlace(scratch: string, home: string, manifest: Manifest): Promise<void> {
  try {
    await rename(scratch, home);
    return;
  } catch (error) {
    if (!['ENOTEMPTY', 'EEXIST'].includes(codeOf(error) ?? '')) throw error;
  }
  if (await sameTree(home, manifest)) return;
  const aside = `${scratch}-damaged`;
  await rename(home, aside);
  try {
    await rename(scratch, home);
  } finally {
    await rm(aside, { recursive: true, force: true });
  }
}

/** Directories 0755, executables 0755, other files 0644, whatever the umask, so the server user can read and run them. */
async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to);
  await chmod(to, 0o755);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else if (entry.isDirectory()) await copyTree(source, target);
    else if (entry.isFile()) {
      await copyFile(source, target);
      await chmod(target, ((await lstat(source)).mode & 0o111) !== 0 ? 0o755 : 0o644);
    }
  }
}

async function sameTree(dir: string, manifest: Manifest): Promise<boolean> {
  const found = await manifestOf(dir).catch(() => undefined);
  return found !== undefined && found.join('\n') === manifest.join('\n');
}

async function manifestOf(root: string): Promise<Manifest> {
  const lines: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const name = relative(root, path);
      if (entry.isSymbolicLink()) lines.push(`l ${name} -> ${await readlink(path)}`);
      else if (entry.isDirectory()) {
        lines.push(`d ${name}`);
        await walk(path);
      } else if (entry.isFile()) lines.push(`f ${name} ${(await lstat(path)).size}`);
    }
  };
  await walk(root);
  return lines;
}

/** Scratch copies left by a pgtwin that was killed while copying. */
async function removeAbandonedScratch(shared: string): Promise<void> {
  for (const name of await readdir(shared)) {
    const pid = SCRATCH.exec(name.replace(/-damaged$/, ''))?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) await rm(join(shared, name), { recursive: true, force: true });
  }
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
