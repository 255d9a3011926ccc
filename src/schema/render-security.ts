/** DDL text for what guards and describes objects: policies, row-level security, replica identity, rules, grants, comments. */
import { quoteIdent, quoteQualified, type QualifiedName } from '../pg/ident.js';
import type { ConstraintDef, FunctionDef, GrantDef, PolicyDef, RuleDef, TableDef, TriggerDef } from '../catalog/index.js';
import { renderComment } from './render-types.js';

export function roleName(role: string): string {
  return role.toLowerCase() === 'public' ? 'PUBLIC' : quoteIdent(role);
}

export function renderPolicy(policy: PolicyDef, table: QualifiedName): string {
  let sql = `CREATE POLICY ${quoteIdent(policy.name)} ON ${quoteQualified(table)} AS ${policy.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${policy.command}`;
  sql += ` TO ${policy.roles.length === 0 ? 'PUBLIC' : policy.roles.map(roleName).join(', ')}`;
  if (policy.using !== undefined) sql += ` USING (${policy.using})`;
  if (policy.withCheck !== undefined) sql += ` WITH CHECK (${policy.withCheck})`;
  return sql;
}

export function renderRowSecurity(table: TableDef): string[] {
  const name = quoteQualified(table);
  return [
    ...(table.rowSecurity ? [`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY`] : []),
    ...(table.forceRowSecurity ? [`ALTER TABLE ${name} FORCE ROW LEVEL SECURITY`] : []),
  ];
}

/** Undefined for the default (nothing to say) or an index that cannot be named. */
export function renderReplicaIdentity(table: TableDef, indexName: string | undefined): string | undefined {
  const name = `ALTER TABLE ONLY ${quoteQualified(table)} REPLICA IDENTITY`;
  switch (table.replicaIdentity) {
    case 'full':
      return `${name} FULL`;
    case 'nothing':
      return `${name} NOTHING`;
    case 'index':
      return indexName === undefined ? undefined : `${name} USING INDEX ${quoteIdent(indexName)}`;
    default:
      return undefined;
  }
}

export function renderGrant(grant: GrantDef): string {
  const privilege = grant.column === undefined ? grant.privilege : `${grant.privilege} (${quoteIdent(grant.column)})`;
  if (grant.revoke) return `REVOKE ${privilege} ON ${grant.word} ${grant.name} FROM PUBLIC`;
  return `GRANT ${privilege} ON ${grant.word} ${grant.name} TO ${roleName(grant.grantee)}${grant.grantable ? ' WITH GRANT OPTION' : ''}`;
}

export function renderFunctionComment(fn: FunctionDef): string[] {
  if (fn.comment === undefined) return [];
  if (fn.kind === 'aggregate')
    return [renderComment(`AGGREGATE ${quoteQualified(fn)}(${fn.identityArgs === '' ? '*' : fn.identityArgs})`, fn.comment)];
  return [renderComment(`${fn.kind === 'procedure' ? 'PROCEDURE' : 'FUNCTION'} ${fn.signature}`, fn.comment)];
}

export function renderSchemaComment(schema: string, comment: string): string {
  return renderComment(`SCHEMA ${quoteIdent(schema)}`, comment);
}

/** COMMENT ON CONSTRAINT / TRIGGER / POLICY / RULE ... ON table. */
export function renderCommentOn(
  word: 'CONSTRAINT' | 'TRIGGER' | 'POLICY' | 'RULE',
  object: ConstraintDef | TriggerDef | PolicyDef | RuleDef,
  table: QualifiedName,
): string[] {
  return object.comment === undefined
    ? []
    : [renderComment(`${word} ${quoteIdent(object.name)} ON ${quoteQualified(table)}`, object.comment)];
}
