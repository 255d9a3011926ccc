/** Waiting for follow to bring the twin level with the source: counts and checksums of the given columns. */
import { setTimeout as sleep } from 'node:timers/promises';
import { tableChecksum } from '../../src/verify/table-checksum.js';
import type { TestDatabases } from './databases.js';

export interface ComparedTable {
  readonly name: string;
  readonly columns: readonly string[];
}

/** Resolves once every table of `public` matches; fails after `timeoutMs` naming the tables that still differ. */
export async function waitForTwin(
  dbs: Pick<TestDatabases, 'source' | 'target'>,
  tables: readonly ComparedTable[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const diffs: string[] = [];
    for (const t of tables) {
      const [a, b] = await Promise.all([
        tableChecksum(dbs.source, { schema: 'public', name: t.name }, [...t.columns]),
        tableChecksum(dbs.target, { schema: 'public', name: t.name }, [...t.columns]),
      ]);
      if (a.rows !== b.rows || a.checksum !== b.checksum) diffs.push(`${t.name}: source ${a.rows} rows, twin ${b.rows}`);
    }
    if (diffs.length === 0) return;
    last = diffs.join('; ');
    await sleep(100);
  }
  throw new Error(`the twin did not converge: ${last}`);
}
