/** How `pgtwin diff` shows the differences: both sides, the count of tables compared, one line per difference; or JSON. */
import { differencesToText, type CompareResult } from '../schema/index.js';

export function diffText(result: CompareResult): string {
  const tables = `${result.tables.length} table${result.tables.length === 1 ? '' : 's'} compared`;
  return `source: ${result.source}\ntarget: ${result.target}\n${tables}.\n\n${differencesToText(result.differences)}`;
}

export function diffToJson(result: CompareResult): unknown {
  const { source, target, tables, differences } = result;
  return { source, target, tables, equal: differences.length === 0, differences };
}
