/** `pgtwin verify`: the comparison and the leak check, in words and as JSON. Values are shown only when the check was asked to fetch them. */
import type { PgtwinError } from '../errors.js';
import type { LeakCheckResult, LeakExample, LeakFinding } from '../verify/leak-types.js';
import type { VerifyReport } from '../verify/run-verify.js';
import { describeMismatch } from '../verify/verify-errors.js';
import { countOf } from './format.js';

const plural = (n: number, word: string): string => countOf(n, word);

export function verifyToText(report: VerifyReport): string {
  const lines = [`source: ${report.source}`, `target: ${report.target}`, ''];
  const tables = report.tables.tables;
  lines.push(`${plural(tables.length, 'table')} compared (row counts, and a checksum of the columns copied unmasked):`);
  const width = Math.max(...tables.map((t) => t.table.length));
  for (const t of tables) {
    const state =
      t.status === 'match'
        ? t.checksumCompared
          ? 'ok'
          : 'ok (row count only: a limit copies an arbitrary subset)'
        : `DIFFERS: ${describeMismatch(t)}`;
    lines.push(`  ${t.table.padEnd(width)}  ${plural(t.targetRows, 'row').padStart(12)}  ${state}`);
  }
  if (report.leaks !== undefined) lines.push('', ...leakLines(report.leaks));
  lines.push('', summary(report));
  return lines.join('\n') + '\n';
}

function leakLines(leaks: LeakCheckResult): string[] {
  if (leaks.origins.length === 0) return ['Leak check: no column is masked, so there is nothing to look for.'];
  const values = leaks.origins.reduce((sum, o) => sum + o.values, 0);
  const short = leaks.origins.reduce((sum, o) => sum + o.skippedShort, 0);
  const lines = [
    `Leak check: ${plural(values, 'distinct value')} of ${plural(leaks.origins.length, 'masked source column')} looked for in ${plural(leaks.scannedColumns, 'target column')}` +
      (short > 0 ? ` (${plural(short, 'value')} shorter than ${leaks.minLength} characters not looked for).` : '.'),
  ];
  for (const f of leaks.findings) lines.push(...findingLines(f));
  for (const c of leaks.coincidences) {
    lines.push(
      `  ${c.table}.${c.column}: ${plural(c.rows, 'row')} ${c.rows === 1 ? 'holds' : 'hold'} another row's source value (expected of dictionary strategies; not a leak)`,
    );
  }
  if (leaks.findings.length === 0) lines.push('  No leaks found.');
  return lines;
}

function findingLines(f: LeakFinding): string[] {
  const what =
    f.kind === 'in-clear'
      ? `${plural(f.count, 'value')} of ${f.origin} in clear`
      : f.kind === 'kept-source-value'
        ? `${plural(f.count, 'row')} kept ${f.count === 1 ? 'its' : 'their'} own source value`
        : `${plural(f.count, 'possible leak')}: values of ${f.origin} (no primary key to tell a coincidence from a leak)`;
  return [
    `  LEAK ${f.table}.${f.column}: ${what}`,
    ...f.examples.map((e) => `       ${exampleText(e)}`),
    ...(f.count > f.examples.length ? ['       ...'] : []),
  ];
}

function exampleText(e: LeakExample): string {
  const row =
    e.key === undefined
      ? 'a row (no key)'
      : `row ${Object.entries(e.key)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`;
  return e.value === undefined ? row : `${row}: ${JSON.stringify(e.value)}`;
}

function summary(report: VerifyReport): string {
  const mismatches = report.tables.mismatches;
  const tables = mismatches === 0 ? 'All tables match' : `${plural(mismatches, 'table')} differ${mismatches === 1 ? 's' : ''}`;
  if (report.leaks === undefined) return `${tables}. (Leaks not checked: add --leaks.)`;
  return `${tables}; ${report.leaks.leaks === 0 ? 'no leaks' : plural(report.leaks.leaks, 'leak')}.`;
}

export function verifyToJson(report: VerifyReport, error: PgtwinError | undefined): unknown {
  return {
    source: report.source,
    target: report.target,
    ok: error === undefined,
    tables: report.tables.tables,
    leaks: report.leaks ?? null,
    warnings: report.warnings,
    error:
      error === undefined ? null : { code: error.code, message: error.message, details: error.details, nextStep: error.nextStep ?? null },
  };
}
