/**
 * Loading `strategies: ./masks.ts` (or .js): a module that calls
 * `defineStrategy(...)` from pgtwin, or exports the strategies it defines.
 *
 * `.ts` modules import natively when a TypeScript loader is active (tests,
 * `node --import tsx`); otherwise through tsx's `tsImport` API when the tsx
 * package is installed. tsImport gives the module its own copy of pgtwin's
 * files, which is why definitions are recognised by a global symbol rather
 * than by identity.
 */
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { UsageError } from '../errors.js';
import { captureDefinitions, isStrategy, type Strategy } from './strategy.js';

const SCRIPT = new Set(['.js', '.mjs', '.cjs']);
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

/** Per module URL: a module runs once per process, so its definitions are remembered. */
const loaded = new Map<string, Strategy[]>();

/** The strategies a custom module defines. `path` is absolute or relative to the working directory. */
export async function loadCustomStrategies(path: string): Promise<Strategy[]> {
  const absolute = resolve(path);
  const extension = extname(absolute);
  if (!SCRIPT.has(extension) && !TYPESCRIPT.has(extension)) {
    throw new UsageError('STRATEGIES_MODULE_INVALID', `custom strategies must be a .js or .ts module, got ${path}`);
  }
  const url = pathToFileURL(absolute).href;
  const known = loaded.get(url);
  if (known !== undefined) return known;

  const captured: Strategy[] = [];
  const namespace = await captureDefinitions(
    (s) => captured.push(s),
    () => importModule(url, path, TYPESCRIPT.has(extension)),
  );
  const strategies = dedupe([...captured, ...exportedStrategies(namespace)]);
  if (strategies.length === 0) {
    throw new UsageError('STRATEGIES_MODULE_EMPTY', `${path} defines no strategy`, {
      nextStep: "call defineStrategy({ name, mask(value, ctx) { ... } }) from 'pgtwin' in that module",
    });
  }
  loaded.set(url, strategies);
  return strategies;
}

async function importModule(url: string, path: string, typescript: boolean): Promise<unknown> {
  try {
    return await import(url);
  } catch (err) {
    if (!(typescript && errorCode(err) === 'ERR_UNKNOWN_FILE_EXTENSION')) throw loadFailed(path, err);
  }
  // No TypeScript loader in this process: try tsx's API.
  let tsImport: ((specifier: string, parent: string) => Promise<unknown>) | undefined;
  try {
    ({ tsImport } = await import('tsx/esm/api'));
  } catch {
    throw new UsageError('STRATEGIES_MODULE_TS', `${path} is TypeScript, and no TypeScript loader is available`, {
      nextStep: 'install tsx next to pgtwin (`npm install tsx`), or compile the module to .js and point `strategies:` at that',
    });
  }
  try {
    return await tsImport(url, import.meta.url);
  } catch (err) {
    throw loadFailed(path, err);
  }
}

function loadFailed(path: string, err: unknown): UsageError {
  const reason = err instanceof Error ? err.message : String(err);
  return new UsageError('STRATEGIES_MODULE_FAILED', `cannot load custom strategies from ${path}: ${reason}`, {
    cause: err,
    nextStep: 'fix the module; it must import defineStrategy from pgtwin and call it for each strategy',
  });
}

/** Strategies among a module's exports: values, and arrays of them (default export included). */
function exportedStrategies(namespace: unknown): Strategy[] {
  if (typeof namespace !== 'object' || namespace === null) return [];
  const found: Strategy[] = [];
  for (const value of Object.values(namespace as Record<string, unknown>)) {
    if (isStrategy(value)) found.push(value);
    else if (Array.isArray(value)) found.push(...value.filter(isStrategy));
  }
  return found;
}

function dedupe(strategies: readonly Strategy[]): Strategy[] {
  return [...new Set(strategies)];
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
