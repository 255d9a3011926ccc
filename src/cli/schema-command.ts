/** `pgtwin schema`: create on the target what the selected tables need (no rows), or print the DDL with --dry-run. */
import { loadSettings } from '../config/index.js';
import type { Settings } from '../config/settings.js';
import { EXIT_CODES, SafetyError } from '../errors.js';
import { createSchema, firstPerObject, notCreated, planToSql, type CreateSchemaResult, type DdlStatement } from '../schema/index.js';
import { schemaIncompleteError } from '../sync/sync-errors.js';
import { booleanFlag, stringFlag, type ParsedFlags } from './args.js';
import { readFlags } from './command-flags.js';
import { SCHEMA } from './definitions/schema.js';
import { makeConfirm } from './confirm.js';
import type { CliIo } from './io.js';
import { overridesFrom } from './sync-flags.js';

/** Settings from the config file, env and flags; every URL's password registered for redaction. */
export async function loadCommandSettings(io: CliIo, flags: ParsedFlags): Promise<Settings> {
  const settings = await loadSettings({
    configPath: stringFlag(flags, 'config'),
    cwd: io.cwd,
    env: io.env,
    overrides: overridesFrom(flags),
  });
  for (const env of settings.environments.values()) io.redactor.addUrl(env.url);
  io.redactor.addUrl(settings.source);
  io.redactor.addUrl(settings.target);
  for (const warning of settings.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  return settings;
}

export async function schemaCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, SCHEMA, argv);
  if (flags === undefined) return 0;
  const settings = await loadCommandSettings(io, flags);
  const json = booleanFlag(flags, 'json');
  const result = await createSchema({
    settings,
    env: io.env,
    signal,
    recreate: booleanFlag(flags, 'recreate'),
    dryRun: booleanFlag(flags, 'dry-run'),
    confirm: confirmDrop(io, booleanFlag(flags, 'yes')),
  });
  for (const warning of result.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  // A dry run only plans; a real run that leaves objects out says the twin is incomplete (exit 6).
  const missing = result.dryRun ? [] : firstPerObject([...notCreated(result.plan.skipped), ...result.failures]);
  if (json) {
    io.stdout(JSON.stringify(resultToJson(result), null, 2) + '\n');
    return missing.length > 0 ? EXIT_CODES.incomplete : 0;
  }
  io.stdout(result.dryRun ? dryRunText(result) : summaryText(result));
  if (missing.length > 0) throw schemaIncompleteError(missing, false);
  return 0;
}

/** --yes answers for the user; a terminal asks; with neither, a recreate is refused. */
function confirmDrop(io: CliIo, yes: boolean): (question: string) => Promise<boolean> {
  if (yes) return async () => true;
  if (io.stdinIsTty && io.stderrIsTty) return makeConfirm({ yes: false, interactive: true });
  return async (question) => {
    throw new SafetyError(
      'NOT_CONFIRMED',
      '--recreate drops tables on the target and there is no terminal to confirm it on; nothing was written.',
      {
        details: question.split('\n'),
        nextStep: 'Pass --yes to confirm in scripts and CI.',
      },
    );
  };
}

function resultToJson(result: CreateSchemaResult): unknown {
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

function dryRunText(result: CreateSchemaResult): string {
  const head = [
    `-- pgtwin schema --dry-run: the DDL for ${result.target}`,
    `-- from ${result.source}, in the order it would run. Nothing was written.`,
  ];
  if (result.plan.drops.length > 0) head.push(`-- --recreate drops first: ${result.plan.drops.join(', ')}`);
  return head.join('\n') + '\n\n' + planToSql(result.plan);
}

function summaryText(result: CreateSchemaResult): string {
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
