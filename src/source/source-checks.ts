/**
 * Is the source ready for `pgtwin follow`? Reads the settings, privileges,
 * publication, slot and the replica identity of every selected table, and
 * turns each gap into a problem with its exact fix. Only reads.
 */
import type { TableInfo } from '../catalog/index.js';
import type { Client } from '../pg/connect.js';
import { displayName, quoteIdent, quoteLiteral, quoteQualified, type QualifiedName } from '../pg/ident.js';
import { replicationGrantFix, settingFix, walLevelFix } from './managed-service.js';
import { readOtherTwinSlots, readPublication, readSlot, type PublicationFacts, type SlotFacts } from './replication-objects.js';
import type { SourceProblem } from './source-problem.js';
import {
  readFollowRoleFacts,
  readRelationFacts,
  readServerFacts,
  type FollowRoleFacts,
  type RelationFacts,
  type ServerFacts,
} from './source-facts.js';
import { tableProblems } from './table-identity.js';

export interface SourceCheckOptions {
  readonly publication: string;
  readonly slot: string;
  /** The role follow connects as; default: the connected role. */
  readonly followRole?: string | undefined;
}

export interface SourceReport {
  readonly server: ServerFacts;
  readonly publicationName: string;
  readonly slotName: string;
  /** Selected tables, keyed by oid. */
  readonly tables: ReadonlyMap<number, TableInfo>;
  /** Selected tables and the partitions under them. */
  readonly relations: readonly RelationFacts[];
  readonly followRole: FollowRoleFacts;
  readonly publication: PublicationFacts | undefined;
  readonly slot: SlotFacts | undefined;
  /** Other twins' slots (`pgtwin_*`) on this database: they may follow tables this twin does not select. */
  readonly otherTwinSlots: readonly string[];
  readonly problems: readonly SourceProblem[];
  /** Worth knowing, not in the way: WAL kept by the slot, tables other twins publish. */
  readonly notes: readonly string[];
  readonly ready: boolean;
}

const ACTIONS = 'insert, update, delete, truncate';

export async function checkSource(client: Client, selected: Iterable<TableInfo>, options: SourceCheckOptions): Promise<SourceReport> {
  const tables = new Map([...selected].map((t) => [t.oid, t]));
  const oids = [...tables.keys()];
  const server = await readServerFacts(client);
  const relations = await readRelationFacts(client, oids);
  const followRole = await readFollowRoleFacts(client, options.followRole ?? server.user, oids);
  const publication = await readPublication(client, options.publication, oids, server.versionNum);
  const slot = await readSlot(client, options.slot);
  const otherTwinSlots = (await readOtherTwinSlots(client, options.slot)).map((s) => s.name);

  const problems: SourceProblem[] = [
    ...serverProblems(server, slot),
    ...roleProblems(server, followRole, tables),
    ...tableProblems(relations, publication),
    ...publicationProblems(server, options.publication, tables, relations, publication),
    ...slotProblems(server, slot),
  ];
  const notes = [...slotNotes(slot), ...publicationNotes(publication, otherTwinSlots, server)];
  return {
    server,
    publicationName: options.publication,
    slotName: options.slot,
    tables,
    relations,
    followRole,
    publication,
    slot,
    otherTwinSlots,
    problems,
    notes,
    ready: problems.length === 0,
  };
}

function serverProblems(server: ServerFacts, slot: SlotFacts | undefined): SourceProblem[] {
  const problems: SourceProblem[] = [];
  if (server.inRecovery) {
    problems.push({
      kind: 'standby',
      message: 'The source is a standby (read-only): the publication and the slot belong on the primary.',
      fix: 'Point --from at the primary server.',
    });
  }
  if (server.walLevel !== 'logical') {
    const pending = server.walLevelPendingRestart ? ' (a new value is set and waits for a restart)' : '';
    problems.push({
      kind: 'wal-level',
      message: `wal_level is ${server.walLevel}${pending}; logical decoding needs wal_level = logical.`,
      fix: walLevelFix(server.service),
    });
  }
  // An existing slot is reused; only a new one needs a free place.
  if (slot === undefined && server.usedReplicationSlots >= server.maxReplicationSlots) {
    problems.push({
      kind: 'replication-slots',
      message: `No free replication slot: ${server.usedReplicationSlots} of max_replication_slots = ${server.maxReplicationSlots} in use.`,
      fix: `${settingFix(server.service, 'max_replication_slots', server.usedReplicationSlots + 1)}\nOr drop a slot nobody uses: SELECT slot_name, active FROM pg_replication_slots; then SELECT pg_drop_replication_slot('name');`,
    });
  }
  // A running follow already has its WAL sender.
  if (slot?.active !== true && server.usedWalSenders >= server.maxWalSenders) {
    problems.push({
      kind: 'wal-senders',
      message: `No free WAL sender: ${server.usedWalSenders} of max_wal_senders = ${server.maxWalSenders} in use.`,
      fix: settingFix(server.service, 'max_wal_senders', server.usedWalSenders + 1),
    });
  }
  return problems;
}

function roleProblems(server: ServerFacts, role: FollowRoleFacts, tables: ReadonlyMap<number, TableInfo>): SourceProblem[] {
  const r = quoteIdent(role.name);
  if (!role.exists) {
    return [
      {
        kind: 'replication-role-missing',
        message: `The role ${role.name} that follow would connect as does not exist.`,
        fix: `pgtwin setup-source --create-role ${role.name} (with PGTWIN_REPLICATION_PASSWORD set)`,
      },
    ];
  }
  const problems: SourceProblem[] = [];
  if (!role.canLogin)
    problems.push({ kind: 'replication-login', message: `The role ${role.name} cannot log in.`, fix: `ALTER ROLE ${r} LOGIN;` });
  if (!role.superuser && !role.replication && !role.rdsReplication) {
    const via = role.replicationRolesViaMembership;
    const membership =
      via.length > 0
        ? ` It is a member of ${via.join(', ')}, which ${via.length === 1 ? 'has' : 'have'} REPLICATION, but role attributes are not inherited: a replication connection must log in as a role that has it.`
        : '';
    const rds = server.service === 'rds' || server.service === 'aurora' ? ' (on RDS and Aurora: membership in rds_replication)' : '';
    problems.push({
      kind: 'replication-privilege',
      message: `The role ${role.name} may not open a replication connection: it needs the REPLICATION attribute${rds}, or superuser.${membership}`,
      fix: replicationGrantFix(server.service, role.name),
    });
  }
  if (!role.canConnect && !role.superuser) {
    problems.push({
      kind: 'database-connect',
      message: `The role ${role.name} may not connect to database ${server.database}.`,
      fix: `GRANT CONNECT ON DATABASE ${quoteIdent(server.database)} TO ${r};`,
    });
  }
  for (const schema of role.schemasWithoutUsage) {
    problems.push({
      kind: 'schema-usage',
      message: `The role ${role.name} has no USAGE on schema ${schema}: follow cannot read its tables.`,
      fix: `GRANT USAGE ON SCHEMA ${quoteIdent(schema)} TO ${r};`,
    });
  }
  const unreadable = role.unreadable.map((oid) => tables.get(oid)).filter((t): t is TableInfo => t !== undefined);
  if (unreadable.length > 0) {
    problems.push({
      kind: 'table-select',
      message: `The role ${role.name} cannot SELECT ${unreadable.map(displayName).join(', ')}: the first snapshot of follow reads ${unreadable.length === 1 ? 'it' : 'them'}.`,
      fix: `GRANT SELECT ON TABLE ${unreadable.map(quoteQualified).join(', ')} TO ${r};`,
    });
  }
  return problems;
}

function publicationProblems(
  server: ServerFacts,
  name: string,
  tables: ReadonlyMap<number, TableInfo>,
  relations: readonly RelationFacts[],
  publication: PublicationFacts | undefined,
): SourceProblem[] {
  const p = quoteIdent(name);
  const problems: SourceProblem[] = [];
  const hasPartitioned = relations.some((r) => r.partitioned && r.oid === r.root);
  if (publication === undefined) {
    problems.push({
      kind: 'publication-missing',
      message: `The publication ${name} does not exist.`,
      fix: 'pgtwin setup-source (creates it for the selected tables)',
    });
    if (!server.superuser && !server.canCreateInDatabase) {
      problems.push({
        kind: 'publication-privilege',
        message: `The role ${server.user} may not create a publication: it needs CREATE on database ${server.database}.`,
        fix: `GRANT CREATE ON DATABASE ${quoteIdent(server.database)} TO ${quoteIdent(server.user)};  -- or run setup-source as the owner of the tables`,
      });
    }
  } else {
    const missing = [...tables.values()].filter((t) => !publication.covered.has(t.oid));
    if (missing.length > 0) {
      problems.push({
        kind: 'publication-tables',
        message: `The publication ${name} lacks ${missing.length} selected table${missing.length === 1 ? '' : 's'}: ${missing.map(displayName).join(', ')}.`,
        fix: `ALTER PUBLICATION ${p} ADD TABLE ${missing.map(quoteQualified).join(', ')};`,
      });
    }
    const a = publication.actions;
    if (!(a.insert && a.update && a.delete && a.truncate)) {
      problems.push({
        kind: 'publication-actions',
        message: `The publication ${name} does not publish every change (follow needs ${ACTIONS}).`,
        fix: `ALTER PUBLICATION ${p} SET (publish = ${quoteLiteral(ACTIONS)});`,
      });
    }
    for (const oid of publication.filtered) {
      const t = tables.get(oid);
      if (t === undefined) continue;
      problems.push({
        kind: 'publication-filter',
        table: displayName(t),
        message: `The publication ${name} lists ${displayName(t)} with a row filter or a column list: follow would miss rows or columns.`,
        fix: `ALTER PUBLICATION ${p} DROP TABLE ${quoteQualified(t)}; ALTER PUBLICATION ${p} ADD TABLE ${quoteQualified(t)};`,
      });
    }
    // Masking rules name the partitioned table; changes must arrive under its name, not a partition's.
    if (hasPartitioned && !publication.viaPartitionRoot) {
      problems.push({
        kind: 'publication-partitions',
        message: `The publication ${name} publishes partitions under their own names; follow needs the changes under the partitioned table's name.`,
        fix: `ALTER PUBLICATION ${p} SET (publish_via_partition_root = true);`,
      });
    }
    const changes = problems.length > 0;
    if (changes && !publication.owned && !server.superuser) {
      problems.push({
        kind: 'publication-privilege',
        message: `The publication ${name} belongs to ${publication.owner}: only its owner may change it.`,
        fix: `Run setup-source as ${publication.owner}, or: ALTER PUBLICATION ${p} OWNER TO ${quoteIdent(server.user)};  -- as ${publication.owner}`,
      });
    }
  }
  const needsAdding =
    publication === undefined ? [...tables.values()] : [...tables.values()].filter((t) => !publication.covered.has(t.oid));
  const notOwned = needsAdding.filter((t) => !server.superuser && relations.some((r) => r.oid === t.oid && !r.owned));
  if (notOwned.length > 0) {
    problems.push({
      kind: 'publication-privilege',
      message: `Only the owner of a table may add it to a publication; ${server.user} does not own ${notOwned.map(displayName).join(', ')}.`,
      fix: 'Run setup-source as the owner of these tables (or a member of the owning role).',
    });
  }
  return problems;
}

function slotProblems(server: ServerFacts, slot: SlotFacts | undefined): SourceProblem[] {
  if (slot === undefined) return [];
  const drop = `pgtwin teardown --slot ${slot.name} (or choose another name with --slot)`;
  if (!slot.logical || slot.plugin !== 'pgoutput') {
    return [
      {
        kind: 'slot-unusable',
        message: `The slot ${slot.name} exists but is ${slot.logical ? `a logical slot of plugin ${slot.plugin ?? '?'}` : 'a physical slot'}; follow needs a pgoutput slot.`,
        fix: `Choose another name with --slot.`,
      },
    ];
  }
  if (slot.database !== server.database) {
    return [
      {
        kind: 'slot-unusable',
        message: `The slot ${slot.name} decodes database ${slot.database ?? '?'}, not ${server.database}.`,
        fix: 'Choose another name with --slot, or point --from at that database.',
      },
    ];
  }
  if (slot.walStatus === 'lost') {
    return [
      {
        kind: 'slot-unusable',
        message: `The slot ${slot.name} is invalid: the WAL it needed was removed, so changes were lost for this twin.`,
        fix: `${drop}; then start again with pgtwin follow (a new snapshot).`,
      },
    ];
  }
  return [];
}

function slotNotes(slot: SlotFacts | undefined): string[] {
  if (slot === undefined) return [];
  const kept = slot.retainedBytes === undefined ? '' : `, keeps ${formatBytes(slot.retainedBytes)} of WAL on the source`;
  const state = slot.active ? `active (process ${slot.activePid ?? '?'})` : 'inactive';
  const notes = [`slot ${slot.name} exists: ${state}${kept}.`];
  if (!slot.active) notes.push(`An inactive slot keeps WAL on the source until follow resumes or the slot is dropped (pgtwin teardown).`);
  return notes;
}

function publicationNotes(publication: PublicationFacts | undefined, otherTwinSlots: readonly string[], server: ServerFacts): string[] {
  if (publication === undefined || publication.extra.length === 0) return [];
  const them = publication.extra.length === 1 ? 'it' : 'them';
  const lists = `The publication ${publication.name} also lists ${publication.extra.join(', ')}, which this twin does not select`;
  if (otherTwinSlots.length > 0) return [`${lists} (another twin, ${otherTwinSlots.join(', ')}, may follow ${them}; left as is).`];
  if (!publication.owned && !server.superuser)
    return [`${lists}; only its owner ${publication.owner} may drop ${them} from it (left as is).`];
  return [`${lists}: no other twin follows this database, so setup-source drops ${them} from the publication.`];
}

/** Published tables nothing selects any more: dropped from the publication when no other twin's slot may need them. */
export function retiredTables(report: Pick<SourceReport, 'publication' | 'otherTwinSlots' | 'server'>): readonly QualifiedName[] {
  const pub = report.publication;
  if (pub === undefined || pub.allTables || report.otherTwinSlots.length > 0 || (!pub.owned && !report.server.superuser)) return [];
  return pub.extraTables;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
