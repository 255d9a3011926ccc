/** How setup-source shows a source check: a few state lines, then every problem with its fix. */
import { formatBytes, type SourceReport } from '../source/source-checks.js';
import { SERVICE_NAMES } from '../source/managed-service.js';

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
