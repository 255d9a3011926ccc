/**
 * CREATE AGGREGATE text from a pg_aggregate row. PostgreSQL has no
 * pg_get_aggregatedef(), so this builds what pg_dump builds: every support
 * function and type schema-qualified (the row was read under
 * search_path = pg_catalog), defaults left out.
 */
import { quoteLiteral } from '../pg/ident.js';

type Row = Record<string, unknown>;

const text = (row: Row, key: string): string | undefined =>
  row[key] === null || row[key] === undefined || row[key] === '' ? undefined : String(row[key]);

const MODIFY: Readonly<Record<string, string>> = { r: 'READ_ONLY', s: 'SHAREABLE', w: 'READ_WRITE' };
const PARALLEL: Readonly<Record<string, string>> = { s: 'SAFE', r: 'RESTRICTED' };

/** `name` is the quoted, qualified aggregate name; `parallel` is pg_proc.proparallel. */
export function aggregateDefinition(name: string, row: Row, parallel: string): string {
  const args = text(row, 'args') ?? '*';
  const kind = text(row, 'kind') ?? 'n';
  const options: string[] = [`SFUNC = ${text(row, 'sfunc') ?? ''}`, `STYPE = ${text(row, 'stype') ?? ''}`];
  const add = (key: string, label: string, quote = false): void => {
    const value = text(row, key);
    if (value !== undefined) options.push(`${label} = ${quote ? quoteLiteral(value) : value}`);
  };
  if (Number(row['sspace'] ?? 0) !== 0) options.push(`SSPACE = ${Number(row['sspace'])}`);
  add('finalfunc', 'FINALFUNC');
  if (text(row, 'finalfunc') !== undefined) {
    if (row['finalextra'] === true) options.push('FINALFUNC_EXTRA');
    // The default is READ_ONLY for plain aggregates and READ_WRITE for ordered-set ones.
    const modify = MODIFY[text(row, 'finalmodify') ?? ''];
    if (modify !== undefined && modify !== (kind === 'n' ? 'READ_ONLY' : 'READ_WRITE')) options.push(`FINALFUNC_MODIFY = ${modify}`);
  }
  add('combinefunc', 'COMBINEFUNC');
  add('serialfunc', 'SERIALFUNC');
  add('deserialfunc', 'DESERIALFUNC');
  add('initcond', 'INITCOND', true);
  if (text(row, 'msfunc') !== undefined) {
    add('msfunc', 'MSFUNC');
    add('minvfunc', 'MINVFUNC');
    add('mstype', 'MSTYPE');
    if (Number(row['msspace'] ?? 0) !== 0) options.push(`MSSPACE = ${Number(row['msspace'])}`);
    add('mfinalfunc', 'MFINALFUNC');
    if (text(row, 'mfinalfunc') !== undefined) {
      if (row['mfinalextra'] === true) options.push('MFINALFUNC_EXTRA');
      const modify = MODIFY[text(row, 'mfinalmodify') ?? ''];
      if (modify !== undefined && modify !== 'READ_ONLY') options.push(`MFINALFUNC_MODIFY = ${modify}`);
    }
    add('minitcond', 'MINITCOND', true);
  }
  add('sortop', 'SORTOP');
  const parallelSafety = PARALLEL[parallel];
  if (parallelSafety !== undefined) options.push(`PARALLEL = ${parallelSafety}`);
  if (kind === 'h') options.push('HYPOTHETICAL');
  return `CREATE AGGREGATE ${name}(${args}) (\n    ${options.join(',\n    ')}\n)`;
}
