/**
 * The SQL that setup-source runs on the source, built from a SourceReport:
 * the publication, and only when asked, the replica identity of key-less
 * tables and a least-privilege replication role. Settings that need a restart
 * (wal_level, max_replication_slots, ...) are never changed from here: they
 * stay in `unresolved` with their fix.
 */
import { quoteIdent, quoteLiteral, quoteQualified } from '../pg/ident.js';
import type { TableInfo } from '../catalog/index.js';
import { usesRdsReplication } from './managed-service.js';
import { scramVerifier } from './scram.js';
import { retiredTables, type SourceReport } from './source-checks.js';
import type { SourceProblem } from './source-problem.js';
import { identityOf, withoutIdentity } from './table-identity.js';
import type { FollowRoleFacts, RelationFacts } from './source-facts.js';

export interface SetupOptions {
  /** Set REPLICA IDENTITY FULL on the selected tables that have no usable identity. */
  readonly replicaIdentityFull: boolean;
  /** --create-role: the role follow will connect as, created (or completed) here. */
  readonly createRole?: { readonly name: string; readonly password: string | undefined } | undefined;
}

export interface SetupStatement {
  readonly sql: string;
  /** What is printed: the same statement, a password verifier replaced by ***. */
  readonly display: string;
}

export interface SetupPlan {
  readonly statements: readonly SetupStatement[];
  /** Problems these statements leave as they are, each with its fix. */
  readonly unresolved: readonly SourceProblem[];
  /** Selected tables left out of the publication, with the reason. */
  readonly leftOut: readonly string[];
  readonly notes: readonly string[];
  /** A role is created, and PGTWIN_REPLICATION_PASSWORD was not given. */
  readonly needsPassword: boolean;
}

/** Taken at the start of the transaction, so a busy table makes setup fail fast instead of queueing production queries behind it. */
export const LOCK_TIMEOUT = '5s';

const ROLE_KINDS = new Set([
  'replication-role-missing',
  'replication-login',
  'replication-privilege',
  'database-connect',
  'schema-usage',
  'table-select',
]);
const PUBLICATION_KINDS = new Set([
  'publication-missing',
  'publication-tables',
  'publication-actions',
  'publication-filter',
  'publication-partitions',
]);

const same = (sql: string): SetupStatement => ({ sql, display: sql });

export function planSetup(report: SourceReport, options: SetupOptions): SetupPlan {
  const statements: SetupStatement[] = [];
  const fixed = new Set<SourceProblem>();
  const added: SourceProblem[] = [];
  const notes: string[] = [];
  let needsPassword = false;

  if (options.createRole !== undefined) {
    const role = roleStatements(report, options.createRole);
    if (role.problem !== undefined) added.push(role.problem);
    else for (const p of report.problems) if (ROLE_KINDS.has(p.kind)) fixed.add(p);
    statements.push(...role.statements);
    notes.push(...role.notes);
    needsPassword = role.needsPassword;
  }

  const altered = options.replicaIdentityFull ? identityStatements(report.relations) : { statements: [], tables: new Set<number>() };
  statements.push(...altered.statements);
  for (const p of report.problems) {
    if (p.kind === 'replica-identity' && report.relations.some((r) => altered.tables.has(r.oid) && `${r.schema}.${r.name}` === p.table))
      fixed.add(p);
  }

  const blocked = report.problems.some((p) => p.kind === 'publication-privilege' || p.kind === 'standby');
  const leftOut = leftOutTables(report, altered.tables);
  if (!blocked) {
    statements.push(...publicationStatements(report, leftOut));
    for (const p of report.problems) if (PUBLICATION_KINDS.has(p.kind)) fixed.add(p);
  }
  const unresolved = [...report.problems.filter((p) => !fixed.has(p)), ...added];
  return { statements, unresolved, leftOut: [...leftOut.values()], notes, needsPassword };
}

/** Statements as the script that runs them: one transaction, lock_timeout first. */
export function setupScript(plan: SetupPlan): string {
  const lines = [
    'BEGIN;',
    `SET LOCAL lock_timeout = ${quoteLiteral(LOCK_TIMEOUT)};`,
    ...plan.statements.map((s) => `${s.display};`),
    'COMMIT;',
  ];
  return lines.join('\n') + '\n';
}

function identityStatements(relations: readonly RelationFacts[]): { statements: SetupStatement[]; tables: Set<number> } {
  const targets = withoutIdentity(relations).filter((r) => r.owned && !r.unlogged);
  const tables = new Set(targets.map((r) => r.oid));
  // The partitioned table's identity is what the change stream describes when
  // changes are published under its name: give it the same full old rows.
  const roots = relations.filter(
    (r) => r.partitioned && r.oid === r.root && r.owned && identityOf(r) === 'none' && targets.some((t) => t.root === r.oid),
  );
  const statements = [...roots, ...targets].map((r) => same(`ALTER TABLE ${quoteQualified(r)} REPLICA IDENTITY FULL`));
  return { statements, tables };
}

/** Selected tables that cannot be published now: unlogged, or a key-less table not fixed by this run. */
function leftOutTables(report: SourceReport, fixedIdentity: ReadonlySet<number>): Map<number, string> {
  const left = new Map<number, string>();
  for (const r of report.relations) {
    if (r.partitioned) continue;
    const table = report.tables.get(r.root);
    if (table === undefined || left.has(r.root)) continue;
    if (r.unlogged) left.set(r.root, `${table.schema}.${table.name} (unlogged)`);
    else if (identityOf(r) === 'none' && !fixedIdentity.has(r.oid)) {
      left.set(
        r.root,
        `${table.schema}.${table.name} (no replica identity${r.root !== r.oid ? ` on partition ${r.schema}.${r.name}` : ''}: publishing it would make UPDATE and DELETE on it fail)`,
      );
    }
  }
  return left;
}

function publicationStatements(report: SourceReport, leftOut: ReadonlyMap<number, string>): SetupStatement[] {
  const p = quoteIdent(report.publicationName);
  const publishable = [...report.tables.values()].filter((t) => !leftOut.has(t.oid));
  const list = (tables: readonly TableInfo[]): string => tables.map(quoteQualified).join(', ');
  const pub = report.publication;
  if (pub === undefined) {
    if (publishable.length === 0) return [];
    return [same(`CREATE PUBLICATION ${p} FOR TABLE ${list(publishable)} WITH (publish_via_partition_root = true)`)];
  }
  const statements: SetupStatement[] = [];
  const a = pub.actions;
  if (!(a.insert && a.update && a.delete && a.truncate))
    statements.push(same(`ALTER PUBLICATION ${p} SET (publish = 'insert, update, delete, truncate')`));
  if (!pub.viaPartitionRoot && report.relations.some((r) => r.partitioned && r.oid === r.root))
    statements.push(same(`ALTER PUBLICATION ${p} SET (publish_via_partition_root = true)`));
  const refiltered = publishable.filter((t) => pub.filtered.has(t.oid));
  if (refiltered.length > 0) statements.push(same(`ALTER PUBLICATION ${p} DROP TABLE ${list(refiltered)}`));
  const adding = publishable.filter((t) => !pub.allTables && (!pub.covered.has(t.oid) || pub.filtered.has(t.oid)));
  if (adding.length > 0) statements.push(same(`ALTER PUBLICATION ${p} ADD TABLE ${list(adding)}`));
  // Tables taken out of the selection: their changes would keep flowing to the slot for nothing.
  const retired = retiredTables(report);
  if (retired.length > 0) statements.push(same(`ALTER PUBLICATION ${p} DROP TABLE ${retired.map(quoteQualified).join(', ')}`));
  return statements;
}

interface RoleStatements {
  readonly statements: SetupStatement[];
  readonly notes: string[];
  readonly problem: SourceProblem | undefined;
  readonly needsPassword: boolean;
}

function roleStatements(report: SourceReport, wanted: { readonly name: string; readonly password: string | undefined }): RoleStatements {
  const { server } = report;
  const role: FollowRoleFacts = report.followRole;
  const r = quoteIdent(wanted.name);
  const rds = usesRdsReplication(server.service) && !server.superuser;
  // Before 16 only a superuser may hand out REPLICATION; from 16 a CREATEROLE
  // role that has it may. Managed services have their own rules: let them decide.
  const mayCreate =
    server.superuser || (server.createRole && (server.service !== undefined || (server.versionNum >= 160000 && server.replication)));
  const statements: SetupStatement[] = [];
  const notes: string[] = [];
  let needsPassword = false;
  if (!role.exists) {
    const attributes = rds ? 'LOGIN' : 'LOGIN REPLICATION';
    needsPassword = wanted.password === undefined;
    if (needsPassword)
      notes.push(`PGTWIN_REPLICATION_PASSWORD is not set: creating the role ${wanted.name} needs it (the value is never printed).`);
    const secret = wanted.password === undefined ? '***' : scramVerifier(wanted.password);
    statements.push({
      sql: `CREATE ROLE ${r} ${attributes} PASSWORD ${quoteLiteral(secret)}`,
      display: `CREATE ROLE ${r} ${attributes} PASSWORD '***'`,
    });
    if (rds) statements.push(same(`GRANT rds_replication TO ${r}`));
  } else {
    if (!role.canLogin) statements.push(same(`ALTER ROLE ${r} LOGIN`));
    if (!role.superuser && !role.replication && !role.rdsReplication)
      statements.push(same(rds ? `GRANT rds_replication TO ${r}` : `ALTER ROLE ${r} REPLICATION`));
    notes.push(`The role ${wanted.name} exists: its password is left as it is.`);
  }
  if (!role.exists || !role.canConnect) statements.push(same(`GRANT CONNECT ON DATABASE ${quoteIdent(server.database)} TO ${r}`));
  const schemas = role.exists ? role.schemasWithoutUsage : [...new Set([...report.tables.values()].map((t) => t.schema))];
  if (schemas.length > 0) statements.push(same(`GRANT USAGE ON SCHEMA ${schemas.map(quoteIdent).join(', ')} TO ${r}`));
  const unreadable = [...report.tables.values()].filter((t) => !role.exists || role.unreadable.includes(t.oid));
  if (unreadable.length > 0) statements.push(same(`GRANT SELECT ON TABLE ${unreadable.map(quoteQualified).join(', ')} TO ${r}`));
  if (statements.length === 0) return { statements, notes, problem: undefined, needsPassword };

  const ungrantable = unreadable.filter((t) => !report.relations.some((x) => x.oid === t.oid && x.canGrantSelect));
  const noSchemaGrant = schemas.filter((s) => !report.relations.some((x) => x.schema === s && x.canGrantSchemaUsage));
  if (!mayCreate && (!role.exists || statements.some((s) => s.sql.startsWith('ALTER ROLE')))) {
    return {
      statements: [],
      notes,
      needsPassword: false,
      problem: {
        kind: 'role-create-privilege',
        message: `The role ${server.user} may not ${role.exists ? 'change' : 'create'} a role with REPLICATION${server.versionNum >= 160000 ? ' (it needs CREATEROLE and REPLICATION itself)' : ' (only a superuser may)'}.`,
        fix: `Run setup-source --create-role ${wanted.name} as a superuser.`,
      },
    };
  }
  if (ungrantable.length > 0 || noSchemaGrant.length > 0) {
    const what = [...noSchemaGrant.map((s) => `schema ${s}`), ...ungrantable.map((t) => `${t.schema}.${t.name}`)].join(', ');
    return {
      statements: [],
      notes,
      needsPassword: false,
      problem: {
        kind: 'role-create-privilege',
        message: `The role ${server.user} may not grant access to ${what}.`,
        fix: `Run setup-source --create-role ${wanted.name} as the owner of these objects (or a superuser).`,
      },
    };
  }
  return { statements, notes, problem: undefined, needsPassword };
}
