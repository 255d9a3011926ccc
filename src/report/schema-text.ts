/** How `pgtwin schema` shows its result: the DDL of a dry run, a summary by kind, or JSON. */
import { firstPerObject, notCreated, planToSql, type CreateSchemaResult, type DdlStatement } from '../schema/index.js';

export function schemaToJson(result: CreateSchemaResult): unknown {
  const statement = (s: DdlStatement) => ({ kind: s.kind, object: s.object, sql: s.sql });
  return {
    source: result.source,
    target: result.target,
    dryRun: result.dryRun,
    drops: result.plan.drops,
    preData: result.plan.preData.map(statement),
    postData: result.plan.postData.map(statement),
    skipped: result.plan.skipped,
    standaloneSequences: result.plan.standaloneSequences.map((q) => `${q.schema}.${q.name}`),
    failed: result.failures,
    complete: result.dryRun ? null : notCreated(result.plan.skipped).length + result.failures.length === 0,
  };
}

export function schemaDryRunText(result: CreateSchemaResult): string {
  const head = [
    `-- pgtwin schema --dry-run: the DDL for ${result.target}`,
    `-- from ${result.source}, in the order it would run. Nothing was written.`,
  ];
  if (result.plan.drops.length > 0) head.push(`-- --recreate drops first: ${result.plan.drops.join(', ')}`);
  return head.join('\n') + '\n\n' + planToSql(result.plan);
}

export function schemaSummaryText(result: CreateSchemaResult): string {
  const { plan } = result;
  const lines: string[] = [];
  const created = plan.preData.length + plan.postData.length - result.failures.length;
  if (created === 0 && result.failures.length === 0) {
    lines.push(`The target ${result.target} already has everything the selected tables need; nothing was created.`);
  } else {
    lines.push(`Schema created on ${result.target} from ${result.source}:`);
    lines.push(`  before the data: ${countByKind(plan.preData)}`);
    if (plan.postData.length > 0) lines.push(`  after the data:  ${countByKind(plan.postData)}`);
  }
  const missing = firstPerObject([...notCreated(plan.skipped), ...result.failures]);
  if (missing.length > 0) {
    lines.push('', `Not created (${missing.length}):`);
    for (const s of missing) lines.push(`  - ${s.object}: ${s.reason}`);
  }
  const leftOut = plan.skipped.filter((s) => s.selection === true);
  if (leftOut.length > 0) {
    lines.push('', `Left out by the table selection (${leftOut.length}):`);
    for (const s of leftOut) lines.push(`  - ${s.object}: ${s.reason}`);
  }
  return lines.join('\n') + '\n';
}

// How statement kinds read in the summary: [one, many].
const LABELS: Readonly<Record<string, readonly [string, string]>> = {
  'drop-table': ['table drop (cascading)', 'table drops (cascading)'],
  'sequence-owner': ['sequence owner', 'sequence owners'],
  'foreign-key': ['foreign key', 'foreign keys'],
  'materialized-view': ['materialized view', 'materialized views'],
  index: ['index', 'indexes'],
  refresh: ['refresh', 'refreshes'],
  policy: ['policy', 'policies'],
  'row-security': ['row-level security switch', 'row-level security switches'],
  'replica-identity': ['replica identity', 'replica identities'],
};

function countByKind(statements: readonly DdlStatement[]): string {
  // Objects, not statements: a trigger and its enabled state are one trigger.
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  for (const s of statements) {
    if (seen.has(`${s.kind}\u0000${s.object}`)) continue;
    seen.add(`${s.kind}\u0000${s.object}`);
    counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => `${n} ${(LABELS[kind] ?? [kind, `${kind}s`])[n === 1 ? 0 : 1]}`).join(', ') || 'nothing';
}
