/**
 * Replica identity: what an UPDATE or DELETE tells the change stream about the
 * old row. A published table without one makes PostgreSQL reject every UPDATE
 * and DELETE on it, on production; so such a table is a problem to fix before
 * it is published, never something to discover afterwards.
 */
import { quoteIdent, quoteQualified } from '../pg/ident.js';
import type { PublicationFacts } from './replication-objects.js';
import type { RelationFacts } from './source-facts.js';
import type { SourceProblem } from './source-problem.js';

export type IdentityState = 'primary-key' | 'index' | 'full' | 'none';

export function identityOf(r: RelationFacts): IdentityState {
  if (r.identity === 'f') return 'full';
  if (r.identity === 'd' && r.hasPrimaryKey) return 'primary-key';
  if (r.identity === 'i' && r.identityIndex !== undefined) return 'index';
  return 'none';
}

/** Relations that hold rows: plain tables and leaf partitions (a partitioned table has none of its own). */
export function rowHolders(relations: readonly RelationFacts[]): RelationFacts[] {
  return relations.filter((r) => !r.partitioned);
}

/** Rows of these relations cannot replicate UPDATE/DELETE as they are. */
export function withoutIdentity(relations: readonly RelationFacts[]): RelationFacts[] {
  return rowHolders(relations).filter((r) => identityOf(r) === 'none');
}

const name = (r: RelationFacts): string => `${r.schema}.${r.name}`;

function why(r: RelationFacts): string {
  if (r.identity === 'n') return 'has REPLICA IDENTITY NOTHING';
  if (r.identity === 'i') return 'has REPLICA IDENTITY USING INDEX, but that index no longer exists';
  return 'has no primary key (and REPLICA IDENTITY DEFAULT)';
}

export function identityFix(r: RelationFacts): string {
  const full = `ALTER TABLE ${quoteQualified(r)} REPLICA IDENTITY FULL;  -- or: pgtwin setup-source --replica-identity-full`;
  if (r.candidateIndex === undefined) return full;
  return `ALTER TABLE ${quoteQualified(r)} REPLICA IDENTITY USING INDEX ${quoteIdent(r.candidateIndex)};  -- unique on NOT NULL columns: the cheapest fix\nor: ${full}`;
}

export function tableProblems(relations: readonly RelationFacts[], publication: PublicationFacts | undefined): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const rootName = (oid: number): string => {
    const root = relations.find((r) => r.oid === oid);
    return root === undefined ? '?' : name(root);
  };
  for (const r of rowHolders(relations)) {
    const partition = r.root !== r.oid ? ` (a partition of ${rootName(r.root)})` : '';
    if (r.unlogged) {
      problems.push({
        kind: 'unlogged-table',
        table: name(r),
        message: `${name(r)}${partition} is UNLOGGED: its changes never reach the WAL, so it cannot be followed.`,
        fix: `Leave it out (--exclude ${rootName(r.root)}), or: ALTER TABLE ${quoteQualified(r)} SET LOGGED;`,
      });
      continue;
    }
    if (identityOf(r) !== 'none') continue;
    const published = publication?.covered.has(r.root) === true;
    const effect = published
      ? `it is already in publication ${publication?.name ?? ''}, so UPDATE and DELETE on it fail on the source right now`
      : 'its UPDATEs and DELETEs cannot be replicated, and once it is published they would fail on the source';
    problems.push({
      kind: 'replica-identity',
      table: name(r),
      message: `${name(r)}${partition} ${why(r)}: ${effect}.`,
      fix: identityFix(r),
    });
  }
  return problems;
}
