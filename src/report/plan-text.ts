/** `pgtwin plan` (and `sync --dry-run`): what a sync would do, in words and as JSON. */
import { displayName } from '../pg/ident.js';
import type { TablePlan } from '../plan/plan.js';
import type { PlanResult } from '../sync/sync.js';
import { countOf, formatBytes } from './format.js';

/** How one masked column is masked, for the text and the JSON. */
interface ColumnMasking {
  readonly column: string;
  readonly strategy: string;
  /** `fake`'s kind (written or inferred). */
  readonly kind: string | undefined;
  /** Why the kind was inferred, when the rule did not name one. */
  readonly kindInferredFrom: string | undefined;
  /** `parent.column` when the rule is inherited through a foreign key. */
  readonly inheritedFrom: string | undefined;
  /** For a constant foreign key (ownership remap): the referenced column its value was found in. */
  readonly owner: { readonly value: string; readonly references: string } | undefined;
}

function columnMasking(table: TablePlan): ColumnMasking[] {
  const inherited = new Map(
    table.inheritedRules.map((text) => {
      const [column = '', from = ''] = text.split(' <- ');
      return [column, from] as const;
    }),
  );
  return table.maskedColumns.map((column) => {
    const rule = table.maskRules.get(column);
    const kind = rule?.options['kind'];
    const owner = table.owners?.find((o) => o.column === column);
    return {
      column,
      strategy: rule?.strategy ?? '?',
      kind: typeof kind === 'string' ? kind : undefined,
      kindInferredFrom: table.inferredKinds?.get(column),
      inheritedFrom: inherited.get(column),
      owner:
        owner === undefined
          ? undefined
          : { value: owner.value, references: `${displayName(owner.referencedTable)}.${owner.referencedColumn}` },
    };
  });
}

function describeMasking(m: ColumnMasking): string {
  let text = `${m.column}: ${m.strategy}`;
  if (m.kind !== undefined) text += `, kind ${m.kind}${m.kindInferredFrom === undefined ? '' : ` (inferred: ${m.kindInferredFrom})`}`;
  if (m.owner !== undefined)
    text += ` ${m.owner.value} (every row references ${m.owner.references} = ${m.owner.value}, which the twin holds)`;
  if (m.inheritedFrom !== undefined) text += ` (inherited from ${m.inheritedFrom})`;
  return text;
}

export function planToText(result: PlanResult, notes: readonly string[] = []): string {
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
    const estimate =
      t.source.estimatedRows >= 0
        ? `~${countOf(t.source.estimatedRows, 'row')}, ${formatBytes(t.source.bytes)}`
        : formatBytes(t.source.bytes);
    lines.push(`  ${t.key} (${countOf(t.columns.length, 'column')}, ${estimate}; ${extras.join('; ')})`);
    for (const m of columnMasking(t)) lines.push(`    ${describeMasking(m)}`);
  }
  if (result.schema !== undefined) {
    const { ddl, created, dropped } = result.schema;
    lines.push('');
    if (dropped.length > 0)
      lines.push(
        `${dropped.length} table${dropped.length === 1 ? '' : 's'} would be dropped and recreated (--recreate): ${dropped.join(', ')}`,
      );
    const what =
      created.length > 0
        ? `${created.length} table${created.length === 1 ? '' : 's'} would be created from the source's catalog, with the other objects the twin lacks`
        : `The objects the twin lacks (no table) would be created from the source's catalog`;
    lines.push(
      `${what}: ${ddl.preData.length} statement${ddl.preData.length === 1 ? '' : 's'} before the load, ${ddl.postData.length} after it (keys, indexes, foreign keys, views, triggers, policies, grants); \`pgtwin schema --dry-run\` prints them.`,
    );
    for (const s of ddl.skipped) lines.push(`  ${s.selection === true ? 'left out' : 'not created'}: ${s.object}: ${s.reason}`);
  }
  if (plan.foreignKeys.length > 0) {
    lines.push('');
    lines.push(
      `${plan.foreignKeys.length} foreign key${plan.foreignKeys.length === 1 ? '' : 's'} set aside during the load and restored (and checked) after it:`,
    );
    for (const fk of plan.foreignKeys) lines.push(`  ${fk.table.schema}.${fk.table.name} ${fk.name}`);
  }
  const unowned = plan.unownedSequences ?? [];
  if (plan.sequences.length + unowned.length > 0) {
    lines.push('');
    const free =
      unowned.length === 0
        ? ''
        : ` (${unowned.length} of them owned by no column: ${unowned.map((s) => `${s.schema}.${s.name}`).join(', ')})`;
    lines.push(`${countOf(plan.sequences.length + unowned.length, 'sequence')} set to the source's values${free}.`);
  }
  const lo = plan.largeObjects;
  if (lo !== undefined) {
    lines.push('');
    const what =
      lo.decision === 'copy'
        ? `copied with their OIDs and content${lo.bytes === undefined ? '' : ` (${formatBytes(lo.bytes)})`}`
        : lo.decision === 'empty'
          ? 'created empty with their OIDs'
          : 'not copied';
    lines.push(
      `${countOf(lo.count, 'large object')} on the source: ${what} (large_objects: ${lo.decision}${lo.configured ? '' : ', not set'}).`,
    );
  }
  if (plan.warnings.length > 0) {
    lines.push('');
    lines.push('warnings:');
    for (const w of plan.warnings) lines.push(`  ${w}`);
  }
  if (notes.length > 0) {
    lines.push('');
    lines.push('settings from another tool, as pgtwin reads them:');
    for (const n of notes) lines.push(`  ${n}`);
  }
  lines.push('');
  lines.push('Nothing was written.');
  return lines.join('\n') + '\n';
}

export function planToJson(result: PlanResult, notes: readonly string[] = []): unknown {
  const { plan, endpoints } = result;
  return {
    source: endpoints.source.display,
    target: endpoints.target.display,
    tables: plan.tables.map((t) => ({
      table: t.key,
      columns: t.columns,
      maskedColumns: t.maskedColumns,
      masks: columnMasking(t).map((m) => ({
        column: m.column,
        strategy: m.strategy,
        kind: m.kind ?? null,
        kindInferredFrom: m.kindInferredFrom ?? null,
        inheritedFrom: m.inheritedFrom ?? null,
        owner: m.owner ?? null,
      })),
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
    largeObjects:
      plan.largeObjects === undefined
        ? null
        : {
            decision: plan.largeObjects.decision,
            configured: plan.largeObjects.configured,
            count: plan.largeObjects.count,
            bytes: plan.largeObjects.bytes ?? null,
          },
    warnings: plan.warnings,
    notes,
  };
}
