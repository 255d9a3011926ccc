/**
 * Post-data for what sits on top of created objects: rules, row-level
 * security policies and the RLS switches, REPLICA IDENTITY, comments on
 * constraints, triggers, policies, rules and schemas, and grants. A policy or
 * grant that names a role the target lacks is reported, never attempted: the
 * tables it guards are still created and loaded.
 */
import { displayName, type QualifiedName } from '../pg/ident.js';
import type { DdlStatement, Skipped } from './ddl.js';
import type { ObjectKey, CatalogObjects } from '../catalog/index.js';
import {
  renderCommentOn,
  renderGrant,
  renderPolicy,
  renderReplicaIdentity,
  renderRowSecurity,
  renderSchemaComment,
} from './render-security.js';
import type { Resolver } from './resolver.js';
import type { TargetIndex } from './target-index.js';
import { groups } from '../catalog/index.js';

export interface CreatedRelation extends QualifiedName {
  readonly oid: number;
}

export interface Extras {
  readonly replicaIdentity: DdlStatement[];
  readonly rules: DdlStatement[];
  readonly policies: DdlStatement[];
  readonly comments: DdlStatement[];
}

/** `tables`: created tables; `views`: created views (rules may sit on both). */
export function planExtras(
  source: CatalogObjects,
  tables: readonly CreatedRelation[],
  views: readonly CreatedRelation[],
  target: TargetIndex,
  resolver: Resolver,
  skipped: Skipped[],
): Extras {
  const out: Extras = { replicaIdentity: [], rules: [], policies: [], comments: [] };
  const g = groups(source);
  for (const rel of tables) {
    const table = source.tables.get(rel.oid);
    if (table === undefined) continue;
    const name = displayName(table);
    const index = table.replicaIdentity === 'index' ? (g.indexes.get(table.oid) ?? []).find((i) => i.replicaIdentity) : undefined;
    const identity = renderReplicaIdentity(table, index?.name);
    if (identity !== undefined)
      out.replicaIdentity.push({ kind: 'replica-identity', object: `replica identity of ${name}`, sql: identity });
    for (const c of g.constraints.get(table.oid) ?? []) {
      if (!c.cloned)
        for (const sql of renderCommentOn('CONSTRAINT', c, table))
          out.comments.push({ kind: 'comment', object: `comment on constraint ${c.name} on ${name}`, sql });
    }
    for (const t of g.triggers.get(table.oid) ?? [])
      for (const sql of renderCommentOn('TRIGGER', t, table))
        out.comments.push({ kind: 'comment', object: `comment on trigger ${t.name} on ${name}`, sql });
    for (const policy of source.policies.filter((p) => p.relationOid === table.oid)) {
      const object = `policy ${policy.name} on ${name}`;
      const missing = policy.roles.filter((r) => !target.hasRole(r));
      if (missing.length > 0) {
        skipped.push({
          object,
          reason: `role${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist on the target (create ${missing.length === 1 ? 'it' : 'them'} there, then run pgtwin schema)`,
        });
        continue;
      }
      const d = resolver.resolveAll(resolver.dependenciesOf(`pol:${policy.oid}`), `rel:${table.oid}`);
      if (!d.ok) {
        skipped.push({ object, reason: d.reason, ...(d.selection ? { selection: true as const } : {}) });
        continue;
      }
      out.policies.push({ kind: 'policy', object, sql: renderPolicy(policy, table) });
      for (const sql of renderCommentOn('POLICY', policy, table))
        out.comments.push({ kind: 'comment', object: `comment on ${object}`, sql });
    }
    // After the policies: a table with RLS on and no policy yet would hide every row from its non-owners.
    const rls = renderRowSecurity(table);
    if (rls.length > 0)
      out.policies.push(...rls.map((sql): DdlStatement => ({ kind: 'row-security', object: `row-level security on ${name}`, sql })));
  }
  for (const rel of [...tables, ...views]) {
    for (const rule of source.rules.filter((r) => r.relationOid === rel.oid)) {
      const object = `rule ${rule.name} on ${displayName(rel)}`;
      const d = resolver.resolveAll(resolver.dependenciesOf(`rule:${rule.oid}`), `rel:${rel.oid}`);
      if (!d.ok) {
        skipped.push({ object, reason: d.reason, ...(d.selection ? { selection: true as const } : {}) });
        continue;
      }
      out.rules.push({ kind: 'rule', object, sql: rule.definition });
      for (const sql of renderCommentOn('RULE', rule, rel)) out.comments.push({ kind: 'comment', object: `comment on ${object}`, sql });
    }
  }
  return out;
}

export function planSchemaComments(source: CatalogObjects, schemas: readonly string[]): DdlStatement[] {
  const out: DdlStatement[] = [];
  for (const schema of schemas) {
    const comment = source.schemaComments.get(schema);
    if (comment !== undefined)
      out.push({ kind: 'comment', object: `comment on schema ${schema}`, sql: renderSchemaComment(schema, comment) });
  }
  return out;
}

/**
 * Grants on the objects of the twin (created now or already there) and on its
 * schemas, unless the target already has them; those to roles the target
 * lacks are reported instead, on every run, until the role exists.
 */
export function planGrants(
  source: CatalogObjects,
  objects: ReadonlySet<ObjectKey>,
  target: TargetIndex,
  skipped: Skipped[],
): DdlStatement[] {
  const out: DdlStatement[] = [];
  const missingRoles = new Map<string, string[]>();
  for (const grant of source.grants) {
    if (!objects.has(grant.key) || target.hasGrant(grant)) continue;
    const what = `${grant.word.toLowerCase()} ${grant.name}${grant.column === undefined ? '' : ` (${grant.column})`}`;
    if (!grant.revoke && !target.hasRole(grant.grantee)) {
      missingRoles.set(`grant ${grant.privilege} on ${what} to ${grant.grantee}`, [grant.grantee]);
      continue;
    }
    out.push({
      kind: 'grant',
      object: grant.revoke ? `revoke ${grant.privilege} on ${what} from PUBLIC` : `grant ${grant.privilege} on ${what} to ${grant.grantee}`,
      sql: renderGrant(grant),
    });
  }
  for (const [object, roles] of missingRoles)
    skipped.push({ object, reason: `role ${roles.join(', ')} does not exist on the target (create it there, then run pgtwin schema)` });
  // What the target's server grants everyone on a schema by default and the source does not (CREATE on public before 15) is taken back.
  const sourceGrants = new Set(source.grants.map(renderGrant));
  for (const key of objects) {
    if (!key.startsWith('nsp:')) continue;
    for (const grant of target.schemaGrantsToPublic(key.slice(4))) {
      if (sourceGrants.has(renderGrant(grant))) continue;
      out.push({
        kind: 'grant',
        object: `revoke ${grant.privilege} on schema ${key.slice(4)} from PUBLIC`,
        sql: `REVOKE ${grant.privilege} ON SCHEMA ${grant.name} FROM PUBLIC`,
      });
    }
  }
  return out;
}
