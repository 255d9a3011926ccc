/**
 * docs/cli.md lists, under each exit code, the error codes that end with it:
 * a code raised somewhere in src/ and missing there is one a user's script
 * cannot look up.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { EXIT_CODE_DOCS } from '../../src/cli/definitions/exit-codes.js';

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

it('every error code that src/ raises is listed under an exit code', async () => {
  const listed = new Set(Object.values(EXIT_CODE_DOCS).flatMap((doc) => doc.codes));
  const raised = new Map<string, string>();
  for (const file of await sourceFiles('src')) {
    const text = await readFile(file, 'utf8');
    // `new SomeError('CODE', ...)` and `new PgtwinError('CODE', 'category', ...)`.
    for (const match of text.matchAll(/\b\w+Error\(\s*'([A-Z][A-Z_]{3,})'/g)) if (match[1] !== undefined) raised.set(match[1], file);
  }
  assert.ok(raised.size > 100, `found only ${raised.size} error codes: the pattern no longer matches how errors are raised`);
  const missing = [...raised].filter(([code]) => !listed.has(code)).map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(missing, [], 'add these to src/cli/definitions/exit-codes.ts under their exit category, then npm run docs:cli');
});
