/** How setup-source shows the source's state (a few lines, then every problem with its fix) and its result, as text or JSON. */
import { formatBytes, type SourceReport } from '../source/source-checks.js';
import { SERVICE_NAMES } from '../source/managed-service.js';

import type { SetupSourceResult } from '../source/setup-source.js';

export function stateText(source: string, report: SourceReport): string {
  const { server, publication, slot, followRole } = report;
  const service = server.service === undefined ? '' : `, ${SERVICE_NAMES[server.service]}`;
  const lines = [`source: ${source} (PostgreSQL ${server.version}${service}, database ${server.database})`];
  lines.push(`  wal_level: ${server.walLevel}`);
  lines.push(
    `  replication slots: ${server.usedReplicationSlots} of ${server.maxReplicationSlots} in use; WAL senders: ${server.usedWalSenders} of ${server.maxWalSenders}`,
  );
  const how = followRole.superuser
    ? 'superuser'
    : followRole.replication
      ? 'REPLICATION'
      : followRole.rdsReplication
        ? 'rds_replication'
        : 'no replication privilege';
  lines.push(`  follow connects as: ${followRole.name} (${followRole.exists ? how : 'does not exist yet'})`);
  const selected = report.tables.size;
  if (publication === undefined) lines.push(`  publication ${report.publicationName}: missing`);
  else {
    const covered = [...report.tables.keys()].filter((oid) => publication.covered.has(oid)).length;
    lines.push(`  publication ${publication.name}: ${publication.allTables ? 'all tables' : `${covered} of ${selected} selected tables`}`);
  }
  if (slot === undefined) lines.push(`  slot ${report.slotName}: not created yet (the first pgtwin follow creates it)`);
  else
    lines.push(
      `  slot ${slot.name}: ${slot.active ? 'active' : 'inactive'}${slot.retainedBytes === undefined ? '' : `, keeps ${formatBytes(slot.retainedBytes)} of WAL`}`,
    );
  return lines.join('\n') + '\n';
}

export function reportJson(report: SourceReport): unknown {
  const { server, publication, slot, followRole } = report;
  const names = (oids: Iterable<number>): string[] =>
    [...oids]
      .map((oid) => report.tables.get(oid))
      .filter((t) => t !== undefined)
      .map((t) => `${t.schema}.${t.name}`);
  return {
    serverVersion: server.version,
    database: server.database,
    managedService: server.service ?? null,
    walLevel: server.walLevel,
    replicationSlots: { used: server.usedReplicationSlots, max: server.maxReplicationSlots },
    walSenders: { used: server.usedWalSenders, max: server.maxWalSenders },
    followRole: {
      name: followRole.name,
      exists: followRole.exists,
      superuser: followRole.superuser,
      replication: followRole.replication || followRole.rdsReplication,
    },
    tables: names(report.tables.keys()),
    publication:
      publication === undefined
        ? { name: report.publicationName, exists: false }
        : {
            name: publication.name,
            exists: true,
            allTables: publication.allTables,
            lacks: names([...report.tables.keys()].filter((oid) => !publication.covered.has(oid))),
            extra: publication.extra,
          },
    slot:
      slot === undefined
        ? { name: report.slotName, exists: false }
        : { name: slot.name, exists: true, active: slot.active, retainedBytes: slot.retainedBytes ?? null },
  };
}

export function setupSourceText(result: SetupSourceResult): string {
  const { plan } = result;
  const about = [stateText(result.source, result.before)];
  if (plan.leftOut.length > 0) about.push(`Left out of the publication:\n${plan.leftOut.map((t) => `  - ${t}`).join('\n')}\n`);
  for (const note of [...plan.notes, ...result.after.notes]) about.push(`note: ${note}\n`);
  // A dry run prints a script that psql can run as it is: everything else is a comment.
  if (result.dryRun && plan.statements.length > 0) {
    const commented = about.join('').replace(/^(?=.)/gm, '-- ');
    return `${commented}\n-- pgtwin setup-source --dry-run: the SQL it would run. Nothing was changed.\n${result.script}`;
  }
  const parts = about;
  if (plan.statements.length === 0)
    parts.push(
      result.remaining.length === 0
        ? '\nNothing to change: the source is ready for pgtwin follow.\n'
        : '\nNothing that setup-source can change by SQL.\n',
    );
  else if (result.applied) {
    parts.push(
      `\nRan on the source (${plan.statements.length} statement${plan.statements.length === 1 ? '' : 's'}, one transaction):\n${plan.statements.map((s) => `  ${s.display};`).join('\n')}\n`,
    );
    if (result.remaining.length === 0) parts.push('The source is ready for pgtwin follow.\n');
  }
  return parts.join('');
}

export function setupSourceToJson(result: SetupSourceResult): unknown {
  return {
    source: result.source,
    ...(reportJson(result.after) as object),
    dryRun: result.dryRun,
    applied: result.applied,
    ready: result.remaining.length === 0,
    statements: result.plan.statements.map((s) => s.display),
    leftOut: result.plan.leftOut,
    problems: result.remaining.map((p) => ({ kind: p.kind, table: p.table ?? null, message: p.message, fix: p.fix })),
    notes: [...result.plan.notes, ...result.after.notes],
    warnings: result.warnings,
  };
}
