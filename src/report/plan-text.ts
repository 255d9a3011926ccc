/** `pgtwin plan` (and `sync --dry-run`): what a sync would do, in words and as JSON. */
import type { PlanResult } from '../snapshot/sync.js';
import { countOf, formatBytes } from './format.js';

export function planToText(result: PlanResult): string {
  const { plan, endpoints } = result;
  const lines: string[] = [];
  lines.push(`source: ${endpoints.source.display}`);
  lines.push(`target: ${endpoints.target.display}`);
  lines.push('');
  lines.push(`${plan.tables.length} table${plan.tables.length === 1 ? '' : 's'} would be truncated on the target and copied:`);
  for (const t of plan.tables) {
    const extras = [
      t.source.kind === 'partitioned' ? 'partitioned' : undefined,
      t.where !== undefined ? `where ${t.where}` : undefined,
      t.limit !== undefined ? `limit ${t.limit}` : undefined,
      t.maskedColumns.length > 0 ? `masked: ${t.maskedColumns.join(', ')}` : 'no masking (byte copy)',
    ].filter((x): x is string => x !== undefined);
    const estimate = t.source.estimatedRows >= 0 ? `~${countOf(t.source.estimatedRows, 'row')}, ${formatBytes(t.source.bytes)}` : formatBytes(t.source.bytes);
    lines.push(`  ${t.key} (${countOf(t.columns.length, 'column')}, ${estimate}; ${extras.join('; ')})`);
  }
  if (result.schema !== undefined) {
    const { ddl, created, dropped } = result.schema;
    lines.push('');
    if (dropped.length > 0) lines.push(`${dropped.length} table${dropped.length === 1 ? '' : 's'} would be dropped and recreated (--recreate): ${dropped.join(', ')}`);
    lines.push(`${created.length} table${created.length === 1 ? '' : 's'} would be created from the source's catalog: ${ddl.preData.length} statement${ddl.preData.length === 1 ? '' : 's'} before the load, ${ddl.postData.length} after it (keys, indexes, foreign keys, views, triggers); \`pgtwin schema --dry-run\` prints them.`);
    for (const s of ddl.skipped) lines.push(`  not created: ${s.object}: ${s.reason}`);
  }
  if (plan.foreignKeys.length > 0) {
    lines.push('');
    lines.push(`${plan.foreignKeys.length} foreign key${plan.foreignKeys.length === 1 ? '' : 's'} set aside during the load and restored (and checked) after it:`);
    for (const fk of plan.foreignKeys) lines.push(`  ${fk.table.schema}.${fk.table.name} ${fk.name}`);
  }
  const unowned = plan.unownedSequences ?? [];
  if (plan.sequences.length + unowned.length > 0) {
    lines.push('');
    const free = unowned.length === 0 ? '' : ` (${unowned.length} of them owned by no column: ${unowned.map((s) => `${s.schema}.${s.name}`).join(', ')})`;
    lines.push(`${countOf(plan.sequences.length + unowned.length, 'sequence')} set to the source's values${free}.`);
  }
  const lo = plan.largeObjects;
  if (lo !== undefined) {
    lines.push('');
    const what = lo.decision === 'copy' ? `copied with their OIDs and content${lo.bytes === undefined ? '' : ` (${formatBytes(lo.bytes)})`}` : lo.decision === 'empty' ? 'created empty with their OIDs' : 'not copied';
    lines.push(`${countOf(lo.count, 'large object')} on the source: ${what} (large_objects: ${lo.decision}${lo.configured ? '' : ', not set'}).`);
  }
  if (plan.warnings.length > 0) {
    lines.push('');
    lines.push('warnings:');
    for (const w of plan.warnings) lines.push(`  ${w}`);
  }
  lines.push('');
  lines.push('Nothing was written.');
  return lines.join('\n') + '\n';
}

export function planToJson(result: PlanResult): unknown {
  const { plan, endpoints } = result;
  return {
    source: endpoints.source.display,
    target: endpoints.target.display,
    tables: plan.tables.map((t) => ({
      table: t.key,
      columns: t.columns,
      maskedColumns: t.maskedColumns,
      where: t.where ?? null,
      limit: t.limit ?? null,
      estimatedRows: t.source.estimatedRows,
      bytes: t.source.bytes,
    })),
    foreignKeys: plan.foreignKeys.map((fk) => ({ table: `${fk.table.schema}.${fk.table.name}`, name: fk.name })),
    sequences: plan.sequences.map((s) => `${s.target.sequence.schema}.${s.target.sequence.name}`),
    unownedSequences: (plan.unownedSequences ?? []).map((s) => `${s.schema}.${s.name}`),
    schema:
      result.schema === undefined
        ? null
        : {
            created: result.schema.created,
            dropped: result.schema.dropped,
            preData: result.schema.ddl.preData.length,
            postData: result.schema.ddl.postData.length,
            skipped: result.schema.ddl.skipped,
          },
    largeObjects: plan.largeObjects === undefined ? null : { decision: plan.largeObjects.decision, configured: plan.largeObjects.configured, count: plan.largeObjects.count, bytes: plan.largeObjects.bytes ?? null },
    warnings: plan.warnings,
  };
}
