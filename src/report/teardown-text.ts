/** How `pgtwin teardown` shows what it found and dropped, or the SQL of a dry run. */
import type { TeardownResult } from '../source/teardown.js';

export function teardownText(result: TeardownResult): string {
  const head = `source: ${result.source} (database ${result.database})\n`;
  const found = [
    `  slot ${result.slot}: ${result.slotFound === undefined ? 'none' : 'exists, inactive'}`,
    `  publication ${result.publication}: ${result.publicationFound ? 'exists' : 'none'}`,
  ].join('\n');
  if (result.statements.length === 0) return `${head}${found}\nNothing to drop.\n`;
  const sql = result.statements.map((s) => `${s};`).join('\n');
  if (result.dryRun) return `${head}${found}\n\n-- pgtwin teardown --dry-run: the SQL it would run. Nothing was dropped.\n${sql}\n`;
  const dropped = [
    result.droppedSlot ? `slot ${result.slot}` : '',
    result.droppedPublication ? `publication ${result.publication}` : '',
  ].filter((s) => s !== '');
  return `${head}Dropped ${dropped.join(' and ')}.\n`;
}
