/**
 * What a verification's outcome means for the caller: the error it amounts to,
 * if any. Leaks outrank mismatches: a twin holding personal data is the worse
 * news, and the one to act on first.
 */
import { PgtwinError, SafetyError } from '../errors.js';
import type { LeakFinding } from './leak-types.js';
import type { VerifyReport } from './run-verify.js';
import type { TableVerification } from './verify-tables.js';

export function verifyOutcomeError(report: VerifyReport): PgtwinError | undefined {
  const mismatches = report.tables.tables.filter((t) => t.status !== 'match');
  const mismatchLines = mismatches.map((t) => `${t.table}: ${describeMismatch(t)}`);
  const leaks = report.leaks;
  if (leaks !== undefined && leaks.leaks > 0) {
    const clear = leaks.findings.some((f) => f.kind === 'in-clear');
    const masked = [...new Set(leaks.findings.filter((f) => f.kind !== 'in-clear').map((f) => `${f.table}.${f.column}`))];
    const steps = [
      ...(clear ? ['add a rule under `anonymize:` for each column that holds values in clear'] : []),
      ...(masked.length > 0 ? [`check the strategies of ${masked.join(', ')} in \`anonymize:\` (\`pgtwin plan\` shows them)`] : []),
    ];
    const n = leaks.leaks;
    return new SafetyError(
      'LEAKS_FOUND',
      `${count(n)} value${n === 1 ? '' : 's'} of masked source columns ${n === 1 ? 'is' : 'are'} readable in the target.`,
      {
        details: [...leaks.findings.map(describeFinding), ...mismatchLines],
        nextStep: `${capitalize(steps.join(' and '))}, then run pgtwin sync again; until then treat the target as production data.`,
      },
    );
  }
  if (mismatches.length > 0) {
    return new PgtwinError(
      'VERIFY_MISMATCH',
      'failure',
      `${mismatches.length} table${mismatches.length === 1 ? '' : 's'} on the target ${mismatches.length === 1 ? 'differs' : 'differ'} from the source.`,
      {
        details: mismatchLines,
        nextStep:
          'Run pgtwin sync again for those tables (--tables); if the source changed since the sync, that alone explains a difference.',
      },
    );
  }
  return undefined;
}

export function describeFinding(f: LeakFinding): string {
  const what =
    f.kind === 'in-clear'
      ? `${count(f.count)} value${f.count === 1 ? '' : 's'} of ${f.origin} in clear`
      : f.kind === 'kept-source-value'
        ? `${count(f.count)} row${f.count === 1 ? '' : 's'} kept ${f.count === 1 ? 'its' : 'their'} source value`
        : `${count(f.count)} possible leak${f.count === 1 ? '' : 's'} (values of ${f.origin}; no primary key to tell a coincidence from a leak)`;
  const rows = f.examples
    .map((e) =>
      e.key === undefined
        ? undefined
        : Object.entries(e.key)
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
    )
    .filter((r): r is string => r !== undefined);
  return `${f.table}.${f.column}: ${what}${rows.length > 0 ? ` (rows ${rows.join('; ')}${f.count > rows.length ? '; ...' : ''})` : ''}`;
}

export function describeMismatch(t: TableVerification): string {
  switch (t.status) {
    case 'missing-on-target':
      return `missing on the target (${count(t.sourceRows)} ${t.sourceRows === 1 ? 'row' : 'rows'} on the source)`;
    case 'row-count-differs':
      return `${count(t.sourceRows)} ${t.sourceRows === 1 ? 'row' : 'rows'} on the source, ${count(t.targetRows)} on the target`;
    case 'checksum-differs':
      return `same row count, different values (checksum of ${t.comparedColumns.length} unmasked column${t.comparedColumns.length === 1 ? '' : 's'})`;
    case 'match':
      return 'matches';
  }
}

const count = (n: number): string => n.toLocaleString('en-US');
const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
